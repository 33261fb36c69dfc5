from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema

from kakehashi.core.schemas import Page


class HandoffOut(Schema):
    id: int
    lead_id: int
    owner_id: int | None
    team_id: int | None
    status: str
    created_at: datetime
    assigned_at: datetime | None
    due_at: datetime | None
    first_touch_at: datetime | None
    decided_at: datetime | None
    reason_code: str | None = Field(None, alias="reason.code")
    comment: str
    source: str
    campaign: str


class HandoffPage(Page):
    results: list[HandoffOut]


class AcceptIn(Schema):
    stage_key: str | None = Field(None, description="a later stage such as sql; default SAL")
    comment: str = Field("", max_length=1000)


class RejectIn(Schema):
    reason: str = Field(..., description="a rejection reason code such as no_budget")
    comment: str = Field("", max_length=1000)


class StageCount(Schema):
    key: str
    name_ja: str
    name_en: str
    owner_function: str
    leads: int


class JourneyCounts(Schema):
    id: int
    name_ja: str
    name_en: str
    stages: list[StageCount]
