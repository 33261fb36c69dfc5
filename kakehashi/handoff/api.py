"""Hand-offs over the API: the caller's queue, accept and reject; live counts per stage."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router
from ninja.errors import HttpError

from kakehashi.accounts.auth import require_internal, require_write
from kakehashi.accounts.http import AuthedHttpRequest
from kakehashi.core.schemas import ERRORS, READ_ERRORS, Error
from kakehashi.journey import queries as journey_queries
from kakehashi.journey.models import Journey, Stage
from kakehashi.lib.paging import paginate

from . import actions
from .models import Handoff, RejectReason
from .schemas import AcceptIn, HandoffOut, HandoffPage, JourneyCounts, RejectIn

handoffs_router = Router(tags=["hand-offs"])
journeys_router = Router(tags=["journeys"])


@handoffs_router.get("", response={200: HandoffPage, **READ_ERRORS, 400: Error})
def list_handoffs(
    request: AuthedHttpRequest, status: str = "open", mine: bool = True, page: int = 1,
    page_size: int = 50,
) -> dict[str, Any]:  # fmt: skip
    """Hand-offs, newest first: by default the caller's open ones (their work queue)."""
    require_internal(request)
    if status not in {*Handoff.Status.values, "all"}:
        raise HttpError(400, f"status must be one of {', '.join(Handoff.Status.values)} or all")
    qs = Handoff.objects.select_related("reason").order_by("-created_at", "-id")
    if status != "all":
        qs = qs.filter(status=status)
    if mine:
        qs = qs.owned_by(request.user)
    return paginate(qs, page, page_size)


def _decide(request: AuthedHttpRequest, handoff_id: int) -> Handoff:
    require_write(request)
    handoff = get_object_or_404(Handoff.objects.select_related("policy__stage"), pk=handoff_id)
    if not actions.may_act(request.user, handoff):
        raise HttpError(403, "only the owner, the team or a manager may decide this hand-off")
    return handoff


@handoffs_router.post("/{handoff_id}/accept", response={200: HandoffOut, **ERRORS})
def accept(request: AuthedHttpRequest, handoff_id: int, payload: AcceptIn) -> Handoff:
    """Accept: the lead moves to SAL, or to the later stage given."""
    handoff = _decide(request, handoff_id)
    stage = None
    if payload.stage_key:
        stage = Stage.objects.filter(
            journey_id=handoff.policy.stage.journey_id, key=payload.stage_key
        ).first()
        if stage is None:
            raise HttpError(400, "no stage with that key in this journey")
    try:
        return actions.accept(
            handoff=handoff, actor=request.user, now=timezone.now(), stage=stage,
            comment=payload.comment,
        )  # fmt: skip
    except actions.HandoffClosed:
        raise HttpError(409, "this hand-off was already decided") from None
    except actions.NotALaterStage:
        raise HttpError(400, "accepted leads move to a stage after the hand-off stage") from None


@handoffs_router.post("/{handoff_id}/reject", response={200: HandoffOut, **ERRORS})
def reject(request: AuthedHttpRequest, handoff_id: int, payload: RejectIn) -> Handoff:
    """Reject with a coded reason: the lead is recycled to nurturing with the reason."""
    handoff = _decide(request, handoff_id)
    reason = RejectReason.objects.filter(code=payload.reason, active=True).first()
    if reason is None:
        raise HttpError(400, "reason must be an active rejection reason code")
    try:
        return actions.reject(
            handoff=handoff, actor=request.user, reason=reason, comment=payload.comment,
            now=timezone.now(),
        )  # fmt: skip
    except actions.HandoffClosed:
        raise HttpError(409, "this hand-off was already decided") from None


@journeys_router.get("/{journey_id}/counts", response={200: JourneyCounts, **READ_ERRORS})
def counts(request: AuthedHttpRequest, journey_id: int) -> dict[str, Any]:
    """Leads in each stage of a journey now."""
    require_internal(request)
    journey = get_object_or_404(Journey, pk=journey_id)
    stages = journey_queries.stages_of(journey)
    live = journey_queries.live_counts(stages)
    return {
        "id": journey.pk, "name_ja": journey.name_ja, "name_en": journey.name_en,
        "stages": [
            {"key": s.key, "name_ja": s.name_ja, "name_en": s.name_en,
             "owner_function": s.owner_function, "leads": live.get(s.pk, 0)}
            for s in stages
        ],
    }  # fmt: skip


__all__ = ["HandoffOut", "handoffs_router", "journeys_router"]
