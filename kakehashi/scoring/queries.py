"""Reads other apps use (the lead list and lead page) and the scoring pages' read models."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import OuterRef, Q, Subquery

from kakehashi.timeline.models import Activity

from . import contributions, decay, engine, outcomes
from .models import EngagementRule, LeadScore, Score

EXPLAIN_ROWS = 20


def with_grades(leads: Any) -> Any:
    """Annotate the first active score's state in the list's own query (no extra query):
    ``grade_score``, ``grade_g``, ``grade_fit``; ``scoring_tags.grade`` turns them into A1…D4."""
    first = LeadScore.objects.filter(lead=OuterRef("pk"), score__active=True).order_by(
        "score__position", "score_id"
    )
    return leads.annotate(
        grade_score=Subquery(first.values("score_id")[:1]),
        grade_g=Subquery(first.values("g")[:1]),
        grade_fit=Subquery(first.values("fit_grade")[:1]),
    )


def primary_score() -> Score | None:
    return Score.objects.filter(active=True).order_by("position", "id").first()


@dataclass
class ExplainedEvent:
    event: contributions.Contribution
    rule_name: str
    now_worth: float
    label: str


@dataclass
class RuleTotal:
    name: str
    count: int = 0
    points: int = 0
    now_worth: float = 0.0

    @property
    def decayed_away(self) -> float:
        return self.points - self.now_worth


@dataclass
class Explanation:
    """Why a lead has its engagement score: per rule, and the latest activities."""

    state: LeadScore | None
    score: Score
    engagement: float
    rules: list[RuleTotal] = field(default_factory=list)
    latest: list[ExplainedEvent] = field(default_factory=list)
    gained_24h: int = 0
    gained_7d: int = 0

    @property
    def total_points(self) -> int:
        return sum(r.points for r in self.rules)

    @property
    def total_now(self) -> float:
        return sum(r.now_worth for r in self.rules)

    @property
    def decayed_away(self) -> float:
        return self.total_points - self.total_now

    @property
    def grade(self) -> str:
        return self.state.grade if self.state else ""

    @property
    def stale(self) -> bool:
        return self.state is not None and self.state.rules_version != self.score.rules_version


def explain(lead_id: int, score: Score, now: datetime) -> Explanation:
    state = LeadScore.objects.select_related("score").filter(lead_id=lead_id, score=score).first()
    engagement = state.engagement_at(now) if state else 0.0
    result = Explanation(state=state, score=score, engagement=engagement)
    spec = contributions.spec_of(score.pk)
    events = contributions.rows(spec, lead_id=lead_id) if spec else []
    names: dict[int | None, str] = dict(
        EngagementRule.objects.filter(score=score).values_list("pk", "name")
    )
    h, t = score.half_life_seconds, now.timestamp()
    totals: dict[int | None, RuleTotal] = {}
    for event in events:
        total = totals.setdefault(event.rule_id, RuleTotal(names.get(event.rule_id, "—")))
        total.count += 1
        total.points += event.points
        total.now_worth += decay.decayed(event.points, event.at, t, h)
        if event.occurred_at >= now - timedelta(days=7):
            result.gained_7d += event.points
            if event.occurred_at >= now - timedelta(days=1):
                result.gained_24h += event.points
    result.rules = sorted(totals.values(), key=lambda r: -abs(r.now_worth))
    latest = events[:EXPLAIN_ROWS]
    data = dict(
        Activity.objects.filter(pk__in=[e.activity_id for e in latest]).values_list("pk", "data")
    )
    result.latest = [
        ExplainedEvent(
            event=e,
            rule_name=names.get(e.rule_id, "—"),
            now_worth=decay.decayed(e.points, e.at, t, h),
            label=engine.label_of(data.get(e.activity_id) or {}),
        )
        for e in latest
    ]
    return result


def velocity(score: Score, now: datetime, *, days: float, limit: int = 50) -> list[dict[str, Any]]:
    """Leads that gained the most engagement points in the last ``days``: "hot now"."""
    spec = contributions.spec_of(score.pk)
    if spec is None:
        return []
    top = contributions.top_gained(spec, now - timedelta(days=days), limit)
    return [{"lead_id": lead_id, "gained": points} for lead_id, points in top]


@dataclass
class MqlSuggestion:
    capacity: int
    threshold: float
    wins_caught: int
    wins_total: int
    leads_with_outcome: int

    @property
    def recall(self) -> float:
        return self.wins_caught / self.wins_total if self.wins_total else 0.0


def suggest_mql(score: Score, capacity: int, now: datetime) -> MqlSuggestion | None:
    """The threshold that would have passed the ``capacity`` most engaged leads of those with a
    known outcome, and how many eventual wins it would have caught."""
    labels = outcomes.labels()
    if not labels or capacity < 1:
        return None
    wins_total = sum(labels.values())
    states = _engagements(score, list(labels), now)
    ranked = sorted(labels, key=lambda pk: -states.get(pk, 0.0))
    top = ranked[:capacity]
    threshold = states.get(top[-1], 0.0) if top else 0.0
    caught = sum(1 for pk in top if labels[pk])
    return MqlSuggestion(capacity, round(threshold, 1), caught, wins_total, len(labels))


def _engagements(score: Score, lead_ids: Sequence[int], now: datetime) -> dict[int, float]:
    result: dict[int, float] = {}
    t0, h = score.epoch.timestamp(), score.half_life_seconds
    for start in range(0, len(lead_ids), 5000):
        chunk = lead_ids[start : start + 5000]
        for pk, g in LeadScore.objects.filter(score=score, lead_id__in=chunk).values_list(
            "lead_id", "g"
        ):
            result[pk] = decay.current(g, now.timestamp(), t0, h)
    return result


def at_least(score: Score, threshold: float, now: datetime) -> Any:
    """Lead scores at or above ``threshold`` now (MQLs): one indexed comparison on g."""
    return LeadScore.objects.at_least(score, threshold, now).filter(~Q(g=0))
