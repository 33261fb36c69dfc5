"""What each activity gave a score: stored where it depends on history, computed where not.

An uncapped rule's points for an activity are a function of the activity and the rule alone,
so they are not stored: readers compute them from the timeline in SQL, with the conditions of
``rules.matches`` (``rule_q``). A capped rule's points depend on what the lead had
already received that day and in total, so those are stored as ``ScoreEvent`` rows, written in
the transaction that records the activity and rebuilt by a recompute. Every reader (the
explanation, "hot now", the model's features, hand-off alerts) sees both through this module,
and the decayed sum of what it returns is the lead's engagement ``g``.
"""

from __future__ import annotations

import operator
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import reduce
from typing import Any

from django.db import connection
from django.db.models import (
    Case,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    Q,
    Value,
    When,
)
from django.utils.dateparse import parse_datetime

from kakehashi.timeline.models import Activity

from . import decay, engine, rules
from .models import ScoreEvent

COLUMNS = ("lead_id", "rule_id", "activity_id", "kind", "occurred_at", "at", "points")
# Σ points·2^((at − epoch)/h) in SQL (parameters: epoch, half-life), as decay.contribution.
DECAYED_SUM = "SUM(points * POWER(CAST(2.0 AS DOUBLE PRECISION), (at - %s) / %s))"
LOOKUPS = {"equals": "iexact", "contains": "icontains", "starts_with": "istartswith"}


class EpochSeconds(Func):
    """A timestamp as Unix seconds (float), the ``at`` the decay arithmetic uses."""

    output_field = FloatField()

    def as_postgresql(self, compiler: Any, conn: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            conn,
            template="CAST(EXTRACT(EPOCH FROM %(expressions)s) AS DOUBLE PRECISION)",
            **extra,
        )

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="((julianday(%(expressions)s) - 2440587.5) * 86400.0)",
            **extra,
        )


def rule_q(rule: rules.EngagementRuleSpec) -> Q:
    """The activities ``rule`` matches, as a condition (the SQL twin of ``rule.matches``)."""
    q = Q(kind=rule.kind) if "." in rule.kind else Q(kind__startswith=rule.kind + ".")
    for condition in rule.conditions:
        path = "__".join(["data", *condition.key.split(".")])
        q &= Q(**{f"{path}__{LOOKUPS[condition.op]}": condition.value})
    return q


def matching_activities(rule: rules.EngagementRuleSpec, scope: dict[str, Any]) -> Any:
    """The activities ``rule`` matches, as a queryset."""
    return Activity.objects.filter(**scope).filter(rule_q(rule)).order_by()


@dataclass(frozen=True)
class Contribution:
    lead_id: int
    rule_id: int | None
    activity_id: int
    kind: str
    occurred_at: datetime
    at: float
    points: int


def spec_of(score_id: int) -> engine.ScoreSpec | None:
    """The score's rules as the ingestion path sees them (inactive scores read afresh)."""
    for spec in engine.snapshot().scores:
        if spec.id == score_id:
            return spec
    found = engine.load_specs([score_id])
    return found[0] if found else None


def _stored(spec: engine.ScoreSpec, columns: Sequence[str], scope: dict[str, Any]) -> Any:
    """The score's stored events (capped rules) in ``scope``, as (SQL, parameters)."""
    events = ScoreEvent.objects.filter(score_id=spec.id, **scope).order_by()
    return events.values_list(*columns).query.sql_with_params()


def _activities(spec: engine.ScoreSpec, scope: dict[str, Any]) -> dict[str, Any]:
    """``scope`` for the activities the score can count: a lead's, and within its horizon."""
    horizon = decay.horizon(datetime.fromtimestamp(spec.epoch, tz=UTC), spec.half_life)
    return {"lead_id__isnull": False, "occurred_at__lte": horizon, **scope}


def sql(spec: engine.ScoreSpec, **scope: Any) -> tuple[str, list[Any]]:
    """SELECT of the score's contributions (``COLUMNS``) for activities in ``scope``: Django
    filter arguments on ``lead_id`` and ``occurred_at``, which both tables have."""
    stored = _stored(spec, COLUMNS, scope)
    parts, params = [stored[0]], list(stored[1])
    for rule in spec.engagement:
        if rule.capped:
            continue
        computed = (
            matching_activities(rule, _activities(spec, scope))
            .annotate(
                rule_id_=Value(int(rule.id), output_field=IntegerField()),
                at_=EpochSeconds(F("occurred_at")),
                points_=Value(int(rule.points), output_field=IntegerField()),
            )
            .values_list("lead_id", "rule_id_", "id", "kind", "occurred_at", "at_", "points_")
            .query.sql_with_params()
        )
        parts.append(computed[0])
        params += computed[1]
    union = " UNION ALL ".join(f"SELECT * FROM ({part}) p{i}" for i, part in enumerate(parts))
    return f"SELECT {', '.join(COLUMNS)} FROM ({union}) c", params


def lead_chunks(spec: engine.ScoreSpec, lead_ids: Sequence[int]) -> Iterator[Sequence[int]]:
    """``lead_ids`` in slices small enough that a list repeated in every part of ``sql``
    stays within SQLite's smallest limit on query parameters (32,766)."""
    size = max(1, 30_000 // (2 + len(spec.engagement)))
    for start in range(0, len(lead_ids), size):
        yield lead_ids[start : start + size]


def _fetch(query: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


def rows(spec: engine.ScoreSpec, **scope: Any) -> list[Contribution]:
    """Every contribution in ``scope``, one per activity and rule, newest first."""
    query, params = sql(spec, **scope)
    found = _fetch(f"SELECT * FROM ({query}) x ORDER BY occurred_at DESC, activity_id DESC", params)
    result = []
    for lead, rule, activity, kind, occurred, _at, points in found:
        # The time as Python reads it: SQLite's julianday arithmetic is off by microseconds.
        at = _aware(occurred)
        result.append(Contribution(lead, rule, activity, kind, at, at.timestamp(), int(points)))
    return result


def _aware(value: Any) -> datetime:
    # PostgreSQL returns aware datetimes; SQLite, Django's naive UTC (as text or datetime).
    parsed = value if isinstance(value, datetime) else parse_datetime(value)
    assert parsed is not None, value
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def per_activity_sql(spec: engine.ScoreSpec, **scope: Any) -> tuple[str, list[Any]]:
    """SELECT of (lead_id, occurred_at, at, points) per contributing activity, all rules
    together: the activities are read once (a CASE per uncapped rule) rather than once per
    rule, for the sums that need no rule (``g``, velocity)."""
    stored = _stored(spec, ("lead_id", "occurred_at", "at", "points"), scope)
    uncapped = [rule for rule in spec.engagement if not rule.capped]
    if not uncapped:
        return stored[0], list(stored[1])
    conditions = [rule_q(rule) for rule in uncapped]
    points = reduce(
        operator.add,
        [
            Case(When(q, then=Value(int(rule.points))), default=Value(0))
            for q, rule in zip(conditions, uncapped, strict=True)
        ],
    )
    computed = (
        Activity.objects.filter(**_activities(spec, scope))
        .filter(reduce(operator.or_, conditions))
        .annotate(
            at_=EpochSeconds(F("occurred_at")),
            points_=ExpressionWrapper(points, output_field=IntegerField()),
        )
        .order_by()
        .values_list("lead_id", "occurred_at", "at_", "points_")
        .query.sql_with_params()
    )
    return (
        f"SELECT * FROM ({stored[0]}) s UNION ALL SELECT * FROM ({computed[0]}) a",
        [*stored[1], *computed[1]],
    )


def gained(spec: engine.ScoreSpec, since: datetime, **scope: Any) -> dict[int, int]:
    """Points gained per lead since ``since`` (before decay): the score's velocity."""
    query, params = per_activity_sql(spec, occurred_at__gte=since, **scope)
    found = _fetch(f"SELECT lead_id, SUM(points) FROM ({query}) x GROUP BY lead_id", params)
    return {lead_id: int(points or 0) for lead_id, points in found}


def decayed_sums(spec: engine.ScoreSpec, **scope: Any) -> dict[int, float]:
    """Per lead: Σ points·2^((at − epoch)/h), which is ``g``."""
    query, params = per_activity_sql(spec, **scope)
    found = _fetch(
        f"SELECT lead_id, {DECAYED_SUM} FROM ({query}) x GROUP BY lead_id",
        [spec.epoch, spec.half_life, *params],
    )
    return {lead_id: g or 0.0 for lead_id, g in found}


def top_gained(spec: engine.ScoreSpec, since: datetime, limit: int) -> list[tuple[int, int]]:
    """(lead, points) of the leads that gained the most since ``since``, most first: the
    activities are found by time (the ``(kind, occurred_at)`` index), whoever they belong to."""
    query, params = per_activity_sql(spec, occurred_at__gte=since)
    found = _fetch(
        f"SELECT lead_id, SUM(points) AS gained FROM ({query}) x GROUP BY lead_id "
        "HAVING SUM(points) > 0 ORDER BY gained DESC, lead_id LIMIT %s",
        [*params, limit],
    )
    return [(lead_id, int(points)) for lead_id, points in found]


def counts_by_rule(
    spec: engine.ScoreSpec, windows: dict[str, datetime], **scope: Any
) -> list[tuple[int, int | None, dict[str, int]]]:
    """(lead, rule, {window name: contributions since its start}) for the model's features."""
    since = min(windows.values())
    query, params = sql(spec, occurred_at__gte=since, **scope)
    names = list(windows)
    counts = ", ".join(
        f"SUM(CASE WHEN occurred_at >= %s THEN 1 ELSE 0 END) AS n{i}" for i in range(len(names))
    )
    starts = [connection.ops.adapt_datetimefield_value(windows[n]) for n in names]
    found = _fetch(
        f"SELECT lead_id, rule_id, {counts} FROM ({query}) x GROUP BY lead_id, rule_id",
        [*starts, *params],
    )
    return [
        (lead_id, rule_id, {n: int(v or 0) for n, v in zip(names, values, strict=True)})
        for lead_id, rule_id, *values in found
    ]
