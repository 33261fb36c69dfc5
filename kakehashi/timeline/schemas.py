from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema

from kakehashi.core.schemas import Page


class ActivityOut(Schema):
    id: int
    kind: str
    department: str
    actor_id: int | None
    lead_id: int | None
    company_id: int | None
    occurred_at: datetime
    data: dict[str, Any]


class ActivityPage(Page):
    results: list[ActivityOut]


class NoteIn(Schema):
    lead_id: int | None = None
    company_id: int | None = None
    body: str = Field(..., min_length=1, max_length=10000)


class NotePatch(Schema):
    body: str = Field(..., min_length=1, max_length=10000)


class NoteOut(Schema):
    id: int
    lead_id: int | None
    company_id: int | None
    author_id: int | None
    department: str
    body: str
    created_at: datetime


class NotePage(Page):
    results: list[NoteOut]
