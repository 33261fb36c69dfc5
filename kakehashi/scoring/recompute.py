"""Full recompute after a rule change: lead by lead range, in short transactions.

Each batch (``batch_size`` leads by id) runs in its own transaction: it makes sure every lead
has a row, locks the batch's rows (so the ingestion path waits for this batch rather than
writing into it), rebuilds the batch's stored events of capped rules with one INSERT … SELECT
that reads the batch's activities once (a column per rule) and applies the caps with window
functions exactly as ``rules.CapUsage`` does (order of recording), sums every contribution
(stored, and computed for uncapped rules: contributions.py) with one aggregate, then writes g
and fit with one UPDATE. Readers keep reading the old values until each batch commits; the
lead table itself is only read.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import reduce
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, F, IntegerField, Value, When
from django.db.models.functions import TruncDate

from kakehashi.leads.models import Lead
from kakehashi.timeline.models import Activity

from . import contributions, decay, engine, rules
from .contributions import EpochSeconds, rule_q

NO_CAP = 2_147_483_647


def _base_sql(
    rules_: Sequence[rules.EngagementRuleSpec], scope: dict[str, Any]
) -> tuple[str, list[Any]]:
    """One pass over the scope's activities: each row with a column per rule (1 when it
    matches), its local day and its time in epoch seconds."""
    tz = ZoneInfo(settings.TIME_ZONE)
    conditions = [rule_q(rule) for rule in rules_]
    matches = {
        f"r{i}": Case(When(q, then=Value(1)), default=None, output_field=IntegerField())
        for i, q in enumerate(conditions)
    }
    qs = (
        Activity.objects.filter(**scope)
        .filter(reduce(operator.or_, conditions))
        .annotate(day_=TruncDate("occurred_at", tzinfo=tz), at_=EpochSeconds(F("occurred_at")))
        .annotate(**matches)
        .order_by()
    )
    sql, params = qs.values_list(
        "id", "lead_id", "kind", "occurred_at", "day_", "at_", *matches
    ).query.sql_with_params()
    return sql, list(params)


def _rule_rows(rules_: Sequence[tuple[int, rules.EngagementRuleSpec]]) -> str:
    """(activity, rule) rows from ``base`` for the given rules (constants are our own ints)."""
    parts = []
    for i, rule in rules_:
        parts.append(
            "SELECT b.id AS activity_id, b.lead_id, b.kind, b.occurred_at, b.day_ AS day, "
            f"b.at_ AS at, {int(rule.id)} AS rule_id, {abs(int(rule.points))} AS mag, "
            f"{1 if rule.points > 0 else -1} AS sgn, "
            f"{int(rule.cap_per_day or NO_CAP)} AS cap_day, "
            f"{int(rule.cap_total or NO_CAP)} AS cap_total "
            f"FROM base b WHERE b.r{i} IS NOT NULL"
        )
    return " UNION ALL ".join(parts)


def _least(a: str, b: str) -> str:
    return f"(CASE WHEN {a} < {b} THEN {a} ELSE {b} END)"


def _capped_sql(union: str) -> str:
    """Caps in closed form: constant points per rule make the running sums exact."""
    room = "(cap_day - mag * (rn - 1))"
    day_pts = f"(CASE WHEN {room} >= mag THEN mag WHEN {room} > 0 THEN {room} ELSE 0 END)"
    given = f"({_least('cum', 'cap_total')} - {_least('cum - day_pts', 'cap_total')})"
    return f"""
SELECT lead_id, rule_id, activity_id, kind, occurred_at, day, at, sgn * given AS points
FROM (
  SELECT c.*, {given} AS given FROM (
    SELECT d.*, SUM(day_pts) OVER (
      PARTITION BY lead_id, rule_id ORDER BY activity_id
      ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cum
    FROM (
      SELECT n.*, {day_pts} AS day_pts FROM (
        SELECT m.*, ROW_NUMBER() OVER (
          PARTITION BY lead_id, rule_id, day ORDER BY activity_id) AS rn
        FROM ({union}) m
      ) n
    ) d
  ) c
) e
WHERE given > 0
"""


def events_insert_sql(
    score_id: int, rules_: Sequence[rules.EngagementRuleSpec], scope: dict[str, Any]
) -> tuple[str, list[Any]]:
    """One INSERT … SELECT of the scope's score events for capped rules: the activities are
    read once (one column per rule) and the window functions apply the caps in order of
    recording. (Uncapped rules keep no events: contributions.py computes them.)"""
    base, params = _base_sql(rules_, scope)
    sql = (
        "INSERT INTO scoring_scoreevent "
        "(lead_id, score_id, rule_id, activity_id, kind, occurred_at, day, at, points) "
        # Read by every rule's branch, so PostgreSQL and SQLite (3.35+) compute it once; older
        # SQLite computes it per branch, with the same result.
        f"WITH base AS ({base}) "
        f"SELECT lead_id, {int(score_id)}, rule_id, activity_id, kind, occurred_at, day, at, "
        f"points FROM ({_capped_sql(_rule_rows(list(enumerate(rules_))))}) ev"
    )
    return sql, params


ENSURE_ROWS = """
INSERT INTO scoring_leadscore (lead_id, score_id, g, fit_points, fit_grade, rules_version, updated_at)
SELECT id, %s, 0.0, 0, 'D', 0, %s FROM leads_lead WHERE id >= %s AND id <= %s
ON CONFLICT (lead_id, score_id) DO NOTHING
"""
LOCK_ROWS = """
SELECT id FROM scoring_leadscore WHERE score_id = %s AND lead_id >= %s AND lead_id <= %s
FOR UPDATE
"""
UPDATE_CHUNK = 1000


Row = tuple[int, float, int, str]  # lead, g, fit points, fit letter


def write_rows(score_id: int, version: int, rows: Sequence[Row], now: datetime) -> None:
    """UPDATE … FROM (VALUES …): g, fit and version for many leads, one statement per chunk."""
    with connection.cursor() as cursor:
        for start in range(0, len(rows), UPDATE_CHUNK):
            chunk = rows[start : start + UPDATE_CHUNK]
            values = ", ".join(["(%s, %s, %s, %s)"] * len(chunk))
            params: list[Any] = [version, now]
            for lead_id, g, fit_points, letter in chunk:
                params.extend([lead_id, float(g), fit_points, letter])
            params.append(score_id)
            cursor.execute(
                "UPDATE scoring_leadscore SET g = v.column2, fit_points = v.column3, "
                "fit_grade = v.column4, rules_version = %s, "
                f"updated_at = %s FROM (VALUES {values}) AS v "
                "WHERE scoring_leadscore.score_id = %s AND scoring_leadscore.lead_id = v.column1",
                params,
            )


def recompute_range(spec: engine.ScoreSpec, first: int, last: int, now: datetime) -> int:
    """Rebuild one score for leads ``first``..``last`` (ids); returns the leads done."""
    horizon = decay.horizon(datetime.fromtimestamp(spec.epoch, tz=ZoneInfo("UTC")), spec.half_life)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(ENSURE_ROWS, [spec.id, now, first, last])
        if connection.vendor == "postgresql":
            # Short statements over a few thousand leads: compiling them costs more than it saves.
            cursor.execute("SET LOCAL jit = off")
            cursor.execute(LOCK_ROWS, [spec.id, first, last])
        cursor.execute(
            "DELETE FROM scoring_scoreevent WHERE score_id = %s AND lead_id >= %s AND lead_id <= %s",
            [spec.id, first, last],
        )
        capped = [rule for rule in spec.engagement if rule.capped]
        if capped:
            scope = {"lead_id__gte": first, "lead_id__lte": last, "occurred_at__lte": horizon}
            cursor.execute(*events_insert_sql(spec.id, capped, scope))
        sums = contributions.decayed_sums(spec, lead_id__gte=first, lead_id__lte=last)
        rows: list[Row] = []
        leads = Lead.objects.filter(pk__gte=first, pk__lte=last).values(*engine.PROFILE_VALUES)
        for lead in leads:
            points, letter = engine.fit_of(spec, engine.profile_from_values(lead))
            rows.append((lead["id"], sums.get(lead["id"], 0.0), points, letter))
        write_rows(spec.id, spec.version, rows, now)
    return len(rows)


def rescore_ranges(ranges: list[tuple[int, int]], *, now: datetime, batch_size: int = 2000) -> int:
    """Rebuild every active score for the leads in the given id ranges (after a bulk write);
    returns the leads done."""
    done = 0
    for spec in engine.load_specs():
        for first, last in ranges:
            for start in range(first, last + 1, batch_size):
                done += recompute_range(spec, start, min(last, start + batch_size - 1), now)
    return done


def lead_batches(batch_size: int, after: int = 0) -> Any:
    """(first id, last id, count) of consecutive lead-id ranges of ``batch_size`` leads."""
    while True:
        ids = list(
            Lead.objects.filter(pk__gt=after)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return
        yield ids[0], ids[-1], len(ids)
        after = ids[-1]


class Superseded(Exception):
    """The rules changed again while recomputing; the newer recompute takes over."""


def recompute_score(
    *, score_id: int, now: datetime, batch_size: int = 2000,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Rebuild every lead's state for one score with its current rules."""
    from .models import LeadScore, Score

    specs = engine.load_specs([score_id])
    if not specs:
        return {"score": score_id, "leads": 0}
    spec = specs[0]
    total = Lead.objects.count()
    Score.objects.filter(pk=score_id).update(recompute_done=0, recompute_total=total)
    done = 0
    for first, last, _count in lead_batches(batch_size):
        done += recompute_range(spec, first, last, now)
        current = Score.objects.filter(pk=score_id).values_list("rules_version", flat=True).first()
        if current != spec.version:
            raise Superseded(score_id)
        Score.objects.filter(pk=score_id).update(recompute_done=min(done, total))
        if progress:
            progress(_count)
    # Rows written meanwhile by a process still holding older rules: redo those leads.
    stale = LeadScore.objects.filter(score_id=score_id).exclude(rules_version=spec.version)
    for lead_id in list(stale.values_list("lead_id", flat=True)[:10_000]):
        recompute_range(spec, lead_id, lead_id, now)
    Score.objects.filter(pk=score_id, rules_version=spec.version).update(
        recomputed_version=spec.version, recomputed_at=now, recompute_done=total
    )
    return {"score": score_id, "leads": done, "version": spec.version}


def renormalize(*, score_id: int, now: datetime) -> bool:
    """Move a score's epoch forward (g scaled exactly) before 2^x leaves float range."""
    from .models import LeadScore, Score

    with transaction.atomic():
        score = Score.objects.select_for_update().get(pk=score_id)
        h = score.half_life_seconds
        if not decay.needs_new_epoch(now.timestamp(), score.epoch.timestamp(), h):
            return False
        new_epoch = decay.fresh_epoch(now)
        factor = 2.0 ** (-(new_epoch.timestamp() - score.epoch.timestamp()) / h)
        old_version = score.rules_version
        version = old_version + 1
        LeadScore.objects.filter(score=score, rules_version=old_version).update(
            g=F("g") * factor, rules_version=version
        )
        recomputed = (
            version if score.recomputed_version == old_version else score.recomputed_version
        )
        Score.objects.filter(pk=score_id).update(
            epoch=new_epoch, rules_version=version, recomputed_version=recomputed
        )
    engine.invalidate()
    return True
