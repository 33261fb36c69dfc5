"""What a lead merge does with journey rows (REL-MRG-1)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from kakehashi.leads import merge


def _keep_survivors_stage(rows: QuerySet[Any], survivor: Any, loser: Any) -> None:
    """The survivor keeps its place in a journey; the loser's place moves only where the
    survivor had none (the rest goes with the loser)."""
    have = set(rows.model.objects.filter(lead=survivor).values_list("journey_id", flat=True))
    rows.exclude(journey_id__in=have).update(lead=survivor)


def register() -> None:
    merge.on_lead_merge("journey.LeadStage", "lead", _keep_survivors_stage)
    merge.on_lead_merge("journey.StageChange", "lead")
