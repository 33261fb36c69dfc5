"""Scores move inside the transaction that records each activity (forward decay, O(1)).

Scoring happens inside ``timeline.record``'s transaction. For each active score whose
engagement rules match, ``points·2^((t − t0)/h)`` is added to the lead's ``g``. When only
uncapped rules match, that UPDATE travels with the lead's own update in one statement
(``companions``, a ``timeline.signals.companion_writers`` entry). Otherwise the
``activity_recorded`` receiver runs one upsert, which also keeps capped rules' points as events
(contributions.py computes the others when read). Activities no rule matches cost no query.

Rules are cached per process for ``SNAPSHOT_SECONDS``. A write made with an outdated snapshot is
refused by the version guard on the upsert (the row carries the rules version it was computed
with) and retried with fresh rules; a rule change enqueues its recompute only after the cache
lifetime has passed, so no process can still be scoring with the old rules when it starts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.dispatch import receiver
from django.utils import timezone

from kakehashi.lib import pgcursor
from kakehashi.lib.refreshed import Refreshed
from kakehashi.timeline.models import Activity
from kakehashi.timeline.signals import Companion, activity_recorded, companion_writers

from . import decay, rules

if TYPE_CHECKING:
    from kakehashi.leads.models import Company, Lead

SNAPSHOT_SECONDS = 5.0
# Kinds that change who the lead is: the fit part of every score is refreshed.
FIT_KINDS = frozenset({"lead.created", "lead.updated"})
# Kinds after which the lead's whole score is rebuilt from its timeline (a merge moved activities).
REBUILD_KINDS = frozenset({"lead.merged"})
SCORED_BY_RECEIVER = FIT_KINDS | REBUILD_KINDS
LABEL_KEYS = ("url", "form", "event", "subject", "title")
# Scoring on the ingestion path can be switched off (the benchmark's "off" run).
ENABLED = True
# Set on an activity by ``companions``: the scores whose update went with the lead's.
ALONG = "_scored_along"


@dataclass(frozen=True)
class ScoreSpec:
    id: int
    version: int
    epoch: float
    half_life: float
    fit_thresholds: tuple[int, int, int]
    engagement: tuple[rules.EngagementRuleSpec, ...]
    fit: tuple[rules.FitRuleSpec, ...]
    name: str = ""
    engagement_thresholds: tuple[float, float, float] = (0.0, 0.0, 0.0)


@dataclass(frozen=True)
class Snapshot:
    scores: tuple[ScoreSpec, ...]


def load_specs(score_ids: Iterable[int] | None = None) -> tuple[ScoreSpec, ...]:
    from .models import EngagementRule, FitRule, Score

    scores = Score.objects.filter(active=True)
    if score_ids is not None:
        scores = Score.objects.filter(pk__in=list(score_ids))
    scores_list = list(scores)
    ids = [s.pk for s in scores_list]
    engagement: dict[int, list[rules.EngagementRuleSpec]] = {i: [] for i in ids}
    for rule in EngagementRule.objects.filter(score_id__in=ids, active=True).order_by("id"):
        engagement[rule.score_id].append(rule.spec())
    fit: dict[int, list[rules.FitRuleSpec]] = {i: [] for i in ids}
    for fit_rule in FitRule.objects.filter(score_id__in=ids, active=True).order_by("id"):
        fit[fit_rule.score_id].append(fit_rule.spec())
    return tuple(
        ScoreSpec(
            id=s.pk,
            version=s.rules_version,
            epoch=s.epoch.timestamp(),
            half_life=s.half_life_seconds,
            fit_thresholds=s.fit_thresholds,
            engagement=tuple(engagement[s.pk]),
            fit=tuple(fit[s.pk]),
            name=s.name,
            engagement_thresholds=s.engagement_thresholds,
        )
        for s in scores_list
    )


_snapshot = Refreshed(lambda: Snapshot(scores=load_specs()), SNAPSHOT_SECONDS)


def snapshot() -> Snapshot:
    return _snapshot.get()


def invalidate() -> None:
    """Forget the cached rules (this process); other processes refresh within seconds."""
    _snapshot.forget()


# --- pure helpers over plain values ----------------------------------------------------------


def local_day(at: datetime) -> Any:
    return at.astimezone(ZoneInfo(settings.TIME_ZONE)).date()


def label_of(data: Mapping[str, Any]) -> str:
    for key in LABEL_KEYS:
        value = data.get(key)
        if isinstance(value, str) and value:
            return value[:200]
    return ""


def profile_of(lead: Lead) -> dict[str, Any]:
    """The facts fit rules read, as plain values (company facts through the lead)."""
    company: Company | None = lead.company if lead.company_id else None
    prefecture = lead.prefecture or (company.prefecture if company else None)
    return {
        "industry": company.industry if company else "",
        "employee_band": company.employee_band if company else "",
        "prefecture": str(prefecture) if prefecture else "",
        "title": lead.title,
        "department": lead.department,
        "source": lead.source,
        "custom": lead.custom_attributes or {},
        "company_custom": (company.custom_attributes or {}) if company else {},
    }


def profile_from_values(row: Mapping[str, Any]) -> dict[str, Any]:
    """``profile_of`` for a ``.values()`` row (the recompute reads leads in bulk)."""
    prefecture = row["prefecture"] or row["company__prefecture"]
    return {
        "industry": row["company__industry"] or "",
        "employee_band": row["company__employee_band"] or "",
        "prefecture": str(prefecture) if prefecture else "",
        "title": row["title"],
        "department": row["department"],
        "source": row["source"],
        "custom": row["custom_attributes"] or {},
        "company_custom": row["company__custom_attributes"] or {},
    }


PROFILE_VALUES = (
    "id", "title", "department", "source", "prefecture", "custom_attributes",
    "company__industry", "company__employee_band", "company__prefecture",
    "company__custom_attributes",
)  # fmt: skip


def fit_of(score: ScoreSpec, profile: Mapping[str, Any]) -> tuple[int, str]:
    points = rules.fit_points(score.fit, profile)
    return points, rules.fit_letter(points, score.fit_thresholds)


# --- SQL: one statement each ------------------------------------------------------------------

UPSERT = """
INSERT INTO scoring_leadscore (lead_id, score_id, g, fit_points, fit_grade, rules_version, updated_at)
VALUES (%s, %s, %s, %s, %s, %s, %s)
ON CONFLICT (lead_id, score_id) DO UPDATE
SET g = scoring_leadscore.g + excluded.g, updated_at = excluded.updated_at
WHERE scoring_leadscore.rules_version = excluded.rules_version
"""
# The companion's write: most leads have their row, and a plain UPDATE skips the insert attempt
# and the tuple lock of an upsert. No row (or another rules version) updates nothing, and the
# receiver then runs the upsert (which inserts, or finds the rules stale).
ADD = """
UPDATE scoring_leadscore SET g = g + %s, updated_at = %s
WHERE lead_id = %s AND score_id = %s AND rules_version = %s
"""
REFIT = """
INSERT INTO scoring_leadscore (lead_id, score_id, g, fit_points, fit_grade, rules_version, updated_at)
VALUES (%s, %s, 0.0, %s, %s, %s, %s)
ON CONFLICT (lead_id, score_id) DO UPDATE
SET fit_points = excluded.fit_points, fit_grade = excluded.fit_grade,
    updated_at = excluded.updated_at
WHERE scoring_leadscore.rules_version = excluded.rules_version
"""
ENSURE_ROW = """
INSERT INTO scoring_leadscore (lead_id, score_id, g, fit_points, fit_grade, rules_version, updated_at)
VALUES (%s, %s, 0.0, %s, %s, %s, %s)
ON CONFLICT (lead_id, score_id) DO NOTHING
"""
LOCK_ROW = "SELECT rules_version FROM scoring_leadscore WHERE lead_id = %s AND score_id = %s"
USAGE = """
SELECT rule_id, SUM(ABS(points)), SUM(CASE WHEN day = %s THEN ABS(points) ELSE 0 END)
FROM scoring_scoreevent WHERE lead_id = %s AND rule_id IN ({}) GROUP BY rule_id
"""
INSERT_EVENTS = """
INSERT INTO scoring_scoreevent
  (lead_id, score_id, rule_id, activity_id, kind, occurred_at, day, at, points)
VALUES {values}
"""
UPSERT_WITH_EVENTS = (
    "WITH lead_score AS ("
    + UPSERT
    + " RETURNING 1) "
    + INSERT_EVENTS.replace(
        "VALUES {values}",
        "SELECT * FROM (VALUES {values}) AS v WHERE EXISTS (SELECT 1 FROM lead_score)",
    )
)
EVENT_ROW_PG = (
    "(%s::bigint, %s::bigint, %s::bigint, %s::bigint, %s::varchar, %s::timestamptz, %s::date,"
    " %s::float8, %s::integer)"
)


class StaleRules(Exception):
    """The lead's row was computed with other rules than this process's snapshot."""


def _apply(score: ScoreSpec, lead: Lead, activity: Activity, matched: list[Any]) -> None:
    at = activity.occurred_at.timestamp()
    if not decay.in_horizon(at, score.epoch, score.half_life):
        return
    day = local_day(activity.occurred_at)
    now = timezone.now()
    fit_points, letter = fit_of(score, profile_of(lead))
    capped = [rule for rule in matched if rule.capped]
    usage = rules.CapUsage()
    if capped:
        with connection.cursor() as cursor:
            # Lock the lead's row first: caps read what was given before, exactly once.
            cursor.execute(ENSURE_ROW, [lead.pk, score.id, fit_points, letter, score.version, now])
            lock = LOCK_ROW + (" FOR UPDATE" if connection.vendor == "postgresql" else "")
            cursor.execute(lock, [lead.pk, score.id])
            row = cursor.fetchone()
            if row is None or row[0] != score.version:
                raise StaleRules()
            marks = ", ".join(["%s"] * len(capped))
            cursor.execute(USAGE.format(marks), [day, lead.pk, *[r.id for r in capped]])
            for rule_id, total, today in cursor.fetchall():
                usage.total[rule_id] = int(total)
                usage.by_day[(rule_id, day)] = int(today)
    awarded = [(rule, usage.give(rule, day) if rule.capped else rule.points) for rule in matched]
    awarded = [(rule, points) for rule, points in awarded if points]
    if not awarded:
        return
    delta = decay.contribution(sum(p for _, p in awarded), at, score.epoch, score.half_life)
    head = [lead.pk, score.id, delta, fit_points, letter, score.version, now]
    # Only capped rules' points are kept: they depend on what came before. The others are
    # computed from the activity when read (contributions.py).
    events = [
        [lead.pk, score.id, rule.id, activity.pk, activity.kind, activity.occurred_at, day, at, p]
        for rule, p in awarded
        if rule.capped
    ]
    _write(head, events)


def companions(activity: Activity) -> list[Companion]:
    """The updates of g for scores whose matching rules are all uncapped, to travel with the
    lead's update in one round trip (``timeline.signals.companion_writers``). The receiver
    below scores the rest: capped rules (they read what was given before), fit changes,
    rebuilds, and a score whose update found no row or a row computed with other rules."""
    lead = activity.lead
    if not ENABLED or lead is None or activity.kind in SCORED_BY_RECEIVER:
        return []
    along: set[int] = set()
    setattr(activity, ALONG, along)
    result = []
    for score in snapshot().scores:
        matched = rules.matching(score.engagement, activity.kind, activity.data)
        if not matched or any(rule.capped for rule in matched):
            continue
        at = activity.occurred_at.timestamp()
        if not decay.in_horizon(at, score.epoch, score.half_life):
            along.add(score.id)
            continue
        delta = decay.contribution(sum(r.points for r in matched), at, score.epoch, score.half_life)
        params = [delta, timezone.now(), lead.pk, score.id, score.version]

        def done(count: int, score_id: int = score.id) -> None:
            if count:
                along.add(score_id)

        result.append(Companion(ADD, params, done))
    return result


companion_writers.append(companions)


def _write(head: list[Any], events: list[list[Any]]) -> None:
    """Add to g (guarded by the rules version) and keep the capped rules' events: one round
    trip on PostgreSQL, two on SQLite (no data-modifying CTEs there, but no network either)."""
    params = [value for row in events for value in row]
    if connection.vendor == "postgresql":
        statement, values = UPSERT, head
        if events:
            rows = ", ".join([EVENT_ROW_PG] * len(events))
            statement, values = UPSERT_WITH_EVENTS.format(values=rows), [*head, *params]
        # Prepared after a few uses: planned for every activity, it took more time than
        # running it.
        with pgcursor.server_bound() as raw:
            raw.execute(statement, values)
            if raw.rowcount == 0:
                raise StaleRules()
        return
    with connection.cursor() as cursor:
        cursor.execute(UPSERT, head)
        if cursor.rowcount == 0:
            raise StaleRules()
        if events:
            rows = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s)"] * len(events))
            cursor.execute(INSERT_EVENTS.format(values=rows), params)


def _refit(score: ScoreSpec, leads: Iterable[Lead]) -> None:
    now = timezone.now()
    rows = []
    for lead in leads:
        points, letter = fit_of(score, profile_of(lead))
        rows.append((lead.pk, score.id, points, letter, score.version, now))
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(REFIT, rows)


def _score_one(score: ScoreSpec, activity: Activity, lead: Lead) -> None:
    if activity.kind in REBUILD_KINDS:
        from .recompute import recompute_range

        recompute_range(score, lead.pk, lead.pk, timezone.now())
        return
    if activity.kind in FIT_KINDS:
        _refit(score, [lead])
    matched = rules.matching(score.engagement, activity.kind, activity.data)
    if matched:
        _apply(score, lead, activity, matched)


def score_activity(activity: Activity) -> None:
    """Move every active score for this activity; called inside the recording transaction."""
    snap = snapshot()
    if not snap.scores:
        return
    lead = activity.lead
    if lead is None:
        if activity.kind == "company.updated" and activity.company is not None:
            leads = list(activity.company.leads.select_related("company"))
            for score in snap.scores:
                _refit(score, leads)
        return
    along: set[int] = getattr(activity, ALONG, set())
    for score in snap.scores:
        if score.id in along:
            continue
        try:
            _score_one(score, activity, lead)
        except StaleRules:
            # Another process changed this score's rules: retry with fresh ones. If the row is
            # still behind, a recompute is under way and counts this activity: the row lock
            # taken above is held until this transaction commits, before the recompute reads
            # the lead's activities.
            invalidate()
            fresh = {s.id: s for s in snapshot().scores}.get(score.id)
            if fresh is None or fresh.version == score.version:
                continue
            try:
                _score_one(fresh, activity, lead)
            except StaleRules:
                continue


@receiver(activity_recorded, dispatch_uid="scoring.on_activity_recorded")
def on_activity_recorded(sender: Any, activity: Activity, **kwargs: Any) -> None:
    if ENABLED:
        score_activity(activity)
