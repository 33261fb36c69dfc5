from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from kakehashi.core.schemas import Page


class StageOut(Schema):
    id: int
    pipeline_id: int
    name_ja: str
    name_en: str
    position: int
    probability: int
    kind: str


class ReasonOut(Schema):
    id: int
    outcome: str
    label_ja: str
    label_en: str
    needs_competitor: bool


class DealOut(Schema):
    id: int
    name: str
    pipeline_id: int
    stage_id: int
    status: str
    company_id: int | None
    owner_id: int
    team_id: int | None
    lead_ids: list[int]
    amount: Decimal
    currency: str
    expected_close_date: date | None
    probability: int | None
    effective_probability: int
    committed: bool
    source: str
    description: str
    close_reason_id: int | None
    competitor: str
    closed_at: datetime | None
    last_activity_at: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_lead_ids(obj: object) -> list[int]:
        return [link.lead_id for link in obj.deal_leads.all()]  # type: ignore[attr-defined]


class DealPage(Page):
    results: list[DealOut]


class DealIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    owner_id: int | None = None
    lead_ids: list[int] = Field(default_factory=list, max_length=50)
    company_id: int | None = None
    amount: Decimal = Field(Decimal(0), ge=0, max_digits=16, decimal_places=2)
    currency: str = Field("JPY", min_length=3, max_length=3)
    expected_close_date: date | None = None
    probability: int | None = Field(None, ge=0, le=100)
    stage_id: int | None = None
    source: str = Field("", max_length=200)
    description: str = Field("", max_length=5000)


class DealPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    owner_id: int | None = None
    amount: Decimal | None = Field(None, ge=0, max_digits=16, decimal_places=2)
    currency: str | None = Field(None, min_length=3, max_length=3)
    expected_close_date: date | None = None
    probability: int | None = Field(None, ge=0, le=100)
    committed: bool | None = None
    stage_id: int | None = None
    source: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=5000)


class CloseIn(Schema):
    reason_id: int
    competitor: str = Field("", max_length=200)


class LogIn(Schema):
    kind: Literal["call", "meeting", "visit", "email"]
    outcome: str = Field("", max_length=100)
    summary: str = Field("", max_length=2000)
    next_step: str = Field("", max_length=300)
    next_due: datetime | None = None


class ActivityRef(Schema):
    id: int
    kind: str
    occurred_at: datetime


class TaskOut(Schema):
    id: int
    kind: str
    title: str
    due_at: datetime
    owner_id: int
    lead_id: int | None
    deal_id: int | None
    done_at: datetime | None
    notes: str


class TaskPage(Page):
    results: list[TaskOut]


class TaskIn(Schema):
    kind: Literal["call", "meeting", "visit", "email", "follow_up", "after_follow"] = "follow_up"
    title: str = Field(..., min_length=1, max_length=200)
    due_at: datetime
    owner_id: int | None = None
    lead_id: int | None = None
    deal_id: int | None = None
    notes: str = Field("", max_length=2000)
