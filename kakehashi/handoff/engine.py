"""The hand-off's listeners, all inside the transaction that recorded the activity or moved the
lead: entering a hand-off stage starts a hand-off; a person's call or e-mail stops the SLA
clock; an owned lead's engagement jump alerts its owner."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.dispatch import receiver

from kakehashi.journey import engine as journey_engine
from kakehashi.journey.signals import stage_entered
from kakehashi.lib.refreshed import Refreshed
from kakehashi.scoring import engine as scoring_engine
from kakehashi.scoring import rules as scoring_rules
from kakehashi.timeline.models import Activity
from kakehashi.timeline.signals import activity_recorded

from . import actions

HOT_WINDOW = timedelta(hours=24)
DEFAULT_HOT_POINTS = 30


def _load_hot_points() -> int:
    from .models import HandoffPolicy

    found = (
        HandoffPolicy.objects.filter(active=True)
        .order_by("id")
        .values_list("hot_points", flat=True)
        .first()
    )
    return found or DEFAULT_HOT_POINTS


_hot_points = Refreshed(_load_hot_points, journey_engine.SNAPSHOT_SECONDS)


def hot_points() -> int:
    """The alert threshold (first active policy), cached like the rules."""
    return _hot_points.get()


def invalidate() -> None:
    _hot_points.forget()


@receiver(stage_entered, dispatch_uid="handoff.on_stage_entered")
def on_stage_entered(
    sender: Any, lead: Any, stage: Any, from_stage: Any, at: Any, **kwargs: Any
) -> None:
    if from_stage is not None and from_stage.is_handoff and not stage.is_handoff:
        actions.supersede_open(lead_id=lead.pk, now=at)
    if stage.is_handoff:
        actions.start_handoff(lead=lead, stage_id=stage.id, now=at)


def _gain(activity: Activity) -> tuple[scoring_engine.ScoreSpec, int] | None:
    """(primary score, points this activity matched) when it is positive engagement."""
    scores = scoring_engine.snapshot().scores
    if not scores:
        return None
    primary = scores[0]
    points = sum(
        r.points for r in scoring_rules.matching(primary.engagement, activity.kind, activity.data)
    )
    return (primary, points) if points > 0 else None


def check_hot(activity: Activity) -> None:
    lead = activity.lead
    if lead is None or not lead.owner_id:
        return
    gain = _gain(activity)
    if gain is None:
        return
    from kakehashi.scoring import contributions

    spec, _points = gain
    since = activity.occurred_at - HOT_WINDOW
    gained = contributions.gained(spec, since, lead_id=lead.pk).get(lead.pk, 0)
    if gained >= hot_points():
        actions.hot_alert(lead=lead, gained=gained, now=activity.occurred_at)


@receiver(activity_recorded, dispatch_uid="handoff.on_activity_recorded")
def on_activity_recorded(sender: Any, activity: Activity, **kwargs: Any) -> None:
    if not journey_engine.ENABLED or activity.lead_id is None:
        return
    if activity.kind in actions.TOUCH_KINDS and activity.actor_id is not None:
        actions.mark_first_touch(lead_id=activity.lead_id, at=activity.occurred_at)
    check_hot(activity)
