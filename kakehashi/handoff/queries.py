"""The work queue, the feedback loop and the opportunity-loss lists, as read models."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncWeek

from kakehashi.journey import rules as journey_rules
from kakehashi.leads.models import Lead
from kakehashi.scoring import decay
from kakehashi.scoring import rules as scoring_rules

from . import actions
from .models import Handoff, HandoffPolicy

HOT_WINDOW = timedelta(hours=24)
QUEUE_LIMIT = 200


# --- the work queue -----------------------------------------------------------------------------


@dataclass
class QueueRow:
    handoff: Handoff
    lead: Lead
    grade: str = ""
    engagement: float = 0.0
    hot: int = 0
    likelihood: float | None = None
    remaining_seconds: float | None = None  # business seconds until the first touch is due

    @property
    def priority(self) -> tuple[Any, ...]:
        """Likelihood first (when a model exists), then grade, then what is hot right now."""
        letter, digit = (self.grade or "D4")[0], int((self.grade or "D4")[1])
        return (-(self.likelihood or 0.0), letter, digit, -self.hot, self.handoff.created_at)

    @property
    def sla_state(self) -> str:
        if self.handoff.first_touch_at is not None:
            return "touched"
        if self.remaining_seconds is None:
            return ""
        if self.remaining_seconds <= 0:
            return "overdue"
        return "soon" if self.remaining_seconds < 3600 else "ok"

    @property
    def remaining_text(self) -> str:
        seconds = abs(self.remaining_seconds or 0)
        hours, minutes = int(seconds // 3600), int(seconds % 3600 // 60)
        return f"{hours}h {minutes:02d}m"


def queue(user: Any, now: datetime) -> list[QueueRow]:
    """The person's open hand-offs, highest priority first: a fixed number of queries."""
    handoffs = list(
        Handoff.objects.open()
        .owned_by(user)
        .select_related("lead__company", "policy")
        .order_by("created_at")[:QUEUE_LIMIT]
    )
    rows = [QueueRow(handoff=h, lead=h.lead) for h in handoffs]
    if not rows:
        return rows
    ids = [r.lead.pk for r in rows]
    _grades(rows, ids, now)
    _hot(rows, ids, now)
    _likelihood(rows, ids, now)
    calendars: dict[int, Any] = {}
    for row in rows:
        policy = row.handoff.policy
        cal = calendars.setdefault(policy.pk, actions.calendar_of(policy))
        if row.handoff.due_at is not None:
            row.remaining_seconds = cal.seconds_between(now, row.handoff.due_at)
    return sorted(rows, key=lambda r: r.priority)


def _primary() -> Any:
    from kakehashi.scoring import engine

    scores = engine.snapshot().scores
    return scores[0] if scores else None


def _grades(rows: list[QueueRow], ids: list[int], now: datetime) -> None:
    from kakehashi.scoring.models import LeadScore

    spec = _primary()
    if spec is None:
        return
    states = {
        lead_id: (g, letter)
        for lead_id, g, letter in LeadScore.objects.filter(
            score_id=spec.id, lead_id__in=ids
        ).values_list("lead_id", "g", "fit_grade")
    }
    for row in rows:
        g, letter = states.get(row.lead.pk, (0.0, "D"))
        row.engagement = decay.current(g, now.timestamp(), spec.epoch, spec.half_life)
        row.grade = (
            f"{letter}{scoring_rules.engagement_digit(row.engagement, spec.engagement_thresholds)}"
        )


def _hot(rows: list[QueueRow], ids: list[int], now: datetime) -> None:
    from kakehashi.scoring import contributions

    spec = _primary()
    if spec is None:
        return
    gained = contributions.gained(spec, now - HOT_WINDOW, lead_id__in=ids)
    for row in rows:
        row.hot = max(gained.get(row.lead.pk, 0), 0)


def _likelihood(rows: list[QueueRow], ids: list[int], now: datetime) -> None:
    from kakehashi.scoring import predict

    found = predict.model_in_use()
    if found is None:
        return
    _version, bundle = found
    x = predict.build_matrix(bundle.features, ids, bundle.score_id, now)
    probabilities = bundle.calibrated.predict_proba(x)[:, 1]
    by_id = dict(zip(ids, probabilities, strict=True))
    for row in rows:
        row.likelihood = float(by_id[row.lead.pk])


# --- the feedback loop --------------------------------------------------------------------------


@dataclass
class Acceptance:
    key: str
    handed: int = 0
    accepted: int = 0
    rejected: int = 0
    open: int = 0

    @property
    def rate(self) -> float | None:
        decided = self.accepted + self.rejected
        return self.accepted / decided if decided else None


def in_period(since: datetime, until: datetime, **filters: Any) -> QuerySet[Handoff]:
    qs = Handoff.objects.filter(created_at__gte=since, created_at__lt=until)
    if filters.get("source"):
        qs = qs.filter(source=filters["source"])
    if filters.get("campaign") is not None and filters.get("campaign") != "":
        qs = qs.filter(campaign=filters["campaign"])
    return qs


def acceptance_by(qs: QuerySet[Handoff], field: str) -> list[Acceptance]:
    rows = (
        qs.values(field)
        .annotate(
            handed=Count("id"),
            accepted=Count("id", filter=Q(status=Handoff.Status.ACCEPTED)),
            rejected=Count("id", filter=Q(status=Handoff.Status.REJECTED)),
            open=Count("id", filter=Q(status=Handoff.Status.OPEN)),
        )
        .order_by("-handed", field)
    )
    return [
        Acceptance(key=str(r[field] or ""), handed=r["handed"], accepted=r["accepted"],
                   rejected=r["rejected"], open=r["open"])
        for r in rows
    ]  # fmt: skip


def by_week(qs: QuerySet[Handoff]) -> list[Acceptance]:
    rows = (
        qs.annotate(week=TruncWeek("created_at"))
        .values("week")
        .annotate(
            handed=Count("id"),
            accepted=Count("id", filter=Q(status=Handoff.Status.ACCEPTED)),
            rejected=Count("id", filter=Q(status=Handoff.Status.REJECTED)),
            open=Count("id", filter=Q(status=Handoff.Status.OPEN)),
        )
        .order_by("week")
    )
    return [
        Acceptance(key=r["week"].date().isoformat() if r["week"] else "", handed=r["handed"],
                   accepted=r["accepted"], rejected=r["rejected"], open=r["open"])
        for r in rows
    ]  # fmt: skip


def reasons(qs: QuerySet[Handoff]) -> list[dict[str, Any]]:
    """Rejection reasons with their count, and per source, most frequent first."""
    rows = (
        qs.filter(status=Handoff.Status.REJECTED)
        .values("reason_id", "reason__name_ja", "reason__name_en", "reason__code", "source")
        .annotate(n=Count("id"))
        .order_by()
    )
    merged: dict[int, dict[str, Any]] = {}
    for r in rows:
        entry = merged.setdefault(
            r["reason_id"],
            {"code": r["reason__code"], "name_ja": r["reason__name_ja"],
             "name_en": r["reason__name_en"], "count": 0, "sources": defaultdict(int)},
        )  # fmt: skip
        entry["count"] += r["n"]
        entry["sources"][r["source"] or ""] += r["n"]
    result = sorted(merged.values(), key=lambda e: -e["count"])
    for e in result:
        e["sources"] = sorted(e["sources"].items(), key=lambda kv: -kv[1])
    return result


@dataclass
class Compliance:
    key: Any
    label: str
    assigned: int = 0
    in_time: int = 0
    missed: int = 0
    waiting: int = 0
    touch_hours: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float | None:
        judged = self.in_time + self.missed
        return self.in_time / judged if judged else None

    @property
    def median_hours(self) -> float | None:
        return journey_rules.median(self.touch_hours)


def sla_compliance(
    qs: QuerySet[Handoff], now: datetime
) -> tuple[list[Compliance], list[Compliance]]:
    """Per person and per team: touched within the SLA, missed, still running; the median
    business hours from assignment to first touch."""
    rows = qs.filter(assigned_at__isnull=False).select_related("owner", "team", "policy")
    people: dict[Any, Compliance] = {}
    teams: dict[Any, Compliance] = {}
    calendars: dict[int, Any] = {}
    for h in rows.iterator(chunk_size=2000):
        cal = calendars.setdefault(h.policy_id, actions.calendar_of(h.policy))
        for bucket, key, label in (
            (people, h.owner_id, h.owner.display_name if h.owner else "—"),
            (teams, h.team_id, h.team.name if h.team else "—"),
        ):
            c = bucket.setdefault(key, Compliance(key=key, label=label))
            c.assigned += 1
            if h.first_touch_at is not None and h.due_at is not None:
                if h.first_touch_at <= h.due_at:
                    c.in_time += 1
                else:
                    c.missed += 1
                c.touch_hours.append(cal.seconds_between(h.assigned_at, h.first_touch_at) / 3600)
            elif h.due_at is not None and h.due_at < now:
                c.missed += 1
            else:
                c.waiting += 1
    order = lambda c: (-(c.assigned), c.label)  # noqa: E731
    return sorted(people.values(), key=order), sorted(teams.values(), key=order)


# --- opportunity loss ---------------------------------------------------------------------------

LOSS_KINDS = ("untouched", "hot_unowned", "cold")


def untouched_in_time(qs: QuerySet[Handoff], now: datetime) -> QuerySet[Handoff]:
    """MQLs not touched within their SLA (whether touched late or not at all)."""
    return qs.filter(due_at__isnull=False).filter(
        Q(first_touch_at__isnull=True, due_at__lt=now) | Q(first_touch_at__gt=F("due_at"))
    )


def hot_without_owner(now: datetime, limit: int = 200) -> list[dict[str, Any]]:
    """Leads gaining engagement fast (last 24 hours) that nobody owns."""
    from kakehashi.scoring import queries as scoring_queries
    from kakehashi.scoring.models import Score

    score = Score.objects.filter(active=True).order_by("position", "id").first()
    if score is None:
        return []
    threshold = (
        HandoffPolicy.objects.filter(active=True).values_list("hot_points", flat=True).first() or 30
    )
    rows = scoring_queries.velocity(score, now, days=1, limit=limit * 5)
    rows = [r for r in rows if r["gained"] >= threshold]
    leads = (
        Lead.objects.filter(pk__in=[r["lead_id"] for r in rows], owner__isnull=True)
        .select_related("company")
        .in_bulk()
    )
    return [{**r, "lead": leads[r["lead_id"]]} for r in rows if r["lead_id"] in leads][:limit]


def gone_cold(qs: QuerySet[Handoff], now: datetime) -> list[Handoff]:
    """Hand-offs nobody touched while the lead's engagement decayed below the MQL threshold."""
    from kakehashi.scoring.models import LeadScore, Score

    score = Score.objects.filter(active=True).order_by("position", "id").first()
    threshold = 50.0 if score is None or score.mql_threshold is None else score.mql_threshold
    candidates = list(
        qs.filter(first_touch_at__isnull=True)
        .exclude(status=Handoff.Status.ACCEPTED)
        .select_related("lead__company", "owner", "reason")[:1000]
    )
    if score is None or not candidates:
        return []
    hot_now = set(
        LeadScore.objects.at_least(score, threshold, now)
        .filter(lead_id__in=[h.lead_id for h in candidates])
        .values_list("lead_id", flat=True)
    )
    return [h for h in candidates if h.lead_id not in hot_now]
