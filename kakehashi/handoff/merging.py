"""What a lead merge does with hand-off rows (REL-MRG-1)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from kakehashi.leads import merge


def _move_handoffs(rows: QuerySet[Any], survivor: Any, loser: Any) -> None:
    """History moves; if both leads are with sales, the survivor's open hand-off stays open
    and the loser's is closed as superseded (one open hand-off per lead)."""
    from .models import Handoff

    if Handoff.objects.filter(lead=survivor, status=Handoff.Status.OPEN).exists():
        rows.filter(status=Handoff.Status.OPEN).update(status=Handoff.Status.SUPERSEDED)
    rows.update(lead=survivor)


def register() -> None:
    merge.on_lead_merge("handoff.Handoff", "lead", _move_handoffs)
    merge.on_lead_merge("handoff.Notification", "lead")
