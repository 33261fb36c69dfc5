"""A lead score and the BtoB template journey, set up the way marketing would."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

from kakehashi.journey import actions, engine
from kakehashi.journey.models import Journey, LeadStage, Stage
from kakehashi.scoring import engine as scoring_engine
from kakehashi.scoring.models import EngagementRule, Score

TOKYO = ZoneInfo("Asia/Tokyo")
# A past Monday morning in Tokyo: business hours are easy to reason about from here.
MONDAY_10 = datetime(2026, 11, 16, 10, 0, tzinfo=TOKYO)


def score() -> Score:
    """Brochure form +25, pricing page +10, event +15 (30-day half-life)."""
    s = Score.objects.create(name="Lead score", half_life_days=30, mql_threshold=50)
    EngagementRule.objects.create(score=s, name="Brochure", kind="form.submitted", points=25)
    EngagementRule.objects.create(
        score=s, name="Pricing", kind="page.viewed", points=10,
        conditions=[{"key": "url", "op": "contains", "value": "/pricing"}],
    )  # fmt: skip
    EngagementRule.objects.create(score=s, name="Event", kind="event.attended", points=15)
    scoring_engine.invalidate()
    return s


def btob(actor=None) -> Journey:
    journey = actions.create_from_blueprint(key="btob", actor=actor, now=timezone.now())
    engine.invalidate()
    return journey


def stage(journey: Journey, key: str) -> Stage:
    return Stage.objects.get(journey=journey, key=key)


def stage_key(lead, journey: Journey) -> str | None:
    row = LeadStage.objects.filter(lead=lead, journey=journey).select_related("stage").first()
    return row.stage.key if row else None
