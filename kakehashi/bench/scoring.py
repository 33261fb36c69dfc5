"""Lead scoring at scale: (a) its cost on the ingestion path, (b) a full recompute.

(a) records the same kind of activities through ``timeline.record`` with scoring on and off,
in alternating blocks (on, off, off, on, …) so drift in the machine's speed cancels out.
(b) times ``kakehashi score recompute`` for every lead next to a baseline from the same run:
the same decayed sums computed by one SQL aggregate over the activities (the bench rules have
no caps, so the sums must agree — the result reports the largest difference), written back
with the same bulk UPDATE.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime
from io import StringIO
from typing import Any

from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from kakehashi.leads.models import Lead
from kakehashi.scoring import contributions, decay, engine, recompute, synthetic
from kakehashi.scoring.models import LeadScore
from kakehashi.timeline.actions import record
from kakehashi.timeline.models import Activity

BLOCK = 250


def ensure_data(leads: int, activities: int) -> dict[str, Any]:
    call_command("migrate", interactive=False, verbosity=0, stdout=StringIO())
    have = Lead.objects.count()
    result: dict[str, Any] = {"existing_leads": have}
    if have < leads:
        started = time.perf_counter()
        made = synthetic.generate(
            leads=leads - have, activities=round(activities * (leads - have) / leads)
        )
        result["generated"] = made
        result["generate_seconds"] = round(time.perf_counter() - started, 1)
    settle()
    return result


def settle() -> None:
    """Vacuum and analyze on PostgreSQL: fresh bulk loads have no planner statistics, and a
    recompute leaves millions of dead rows whose cleanup would otherwise run (autovacuum)
    during the next timing, slowing whichever side it happens to overlap."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def baseline(spec: engine.ScoreSpec, now: datetime) -> tuple[float, dict[int, float]]:
    """One SQL aggregate of the decayed sums over all activities, then the same bulk UPDATE."""
    horizon = decay.horizon(datetime.fromtimestamp(spec.epoch, tz=UTC), spec.half_life)
    scope = {"lead_id__isnull": False, "occurred_at__lte": horizon}
    parts, params = [], []
    for rule in spec.engagement:
        qs = contributions.matching_activities(rule, scope).annotate(
            at_=contributions.EpochSeconds(F("occurred_at"))
        )
        sql, inner = qs.values_list("lead_id", "at_").query.sql_with_params()
        parts.append(f"SELECT r.lead_id, r.at_ AS at, CAST(%s AS BIGINT) AS points FROM ({sql}) r")
        params += [rule.points, *inner]
    aggregate = (
        f"SELECT lead_id, {contributions.DECAYED_SUM} "
        f"FROM ({' UNION ALL '.join(parts)}) m GROUP BY lead_id"
    )
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(aggregate, [spec.epoch, spec.half_life, *params])
        sums = {pk: g or 0.0 for pk, g in cursor.fetchall()}
        fits = LeadScore.objects.filter(score_id=spec.id).values_list(
            "lead_id", "fit_points", "fit_grade"
        )
        rows: list[recompute.Row] = []
        for pk, fit, letter in fits:
            rows.append((pk, sums.get(pk, 0.0), fit, letter))
        recompute.write_rows(spec.id, spec.version, rows, now)
    return time.perf_counter() - started, sums


def _plan(leads: list[Lead], count: int, rng: random.Random, now: datetime) -> list[Any]:
    plan = []
    for _ in range(count):
        lead = rng.choice(leads)
        kind, data = synthetic._activity(rng, rng.random(), now)
        plan.append((lead, kind, data))
    return plan


def ingestion(ingest: int, now: datetime) -> dict[str, Any]:
    rng = random.Random(11)
    sample = list(Lead.objects.select_related("company").order_by("pk")[: max(ingest, 1) * 4])
    leads = rng.sample(sample, min(len(sample), 2000))
    plans = {True: _plan(leads, ingest, rng, now), False: _plan(leads, ingest, rng, now)}
    seconds = {True: 0.0, False: 0.0}
    done = {True: 0, False: 0}
    order = [True, False, False, True]
    recorded: list[int] = []
    step = 0
    while done[True] < ingest or done[False] < ingest:
        on = order[step % 4]
        step += 1
        block = plans[on][done[on] : done[on] + BLOCK]
        if not block:
            continue
        engine.ENABLED = on
        started = time.perf_counter()
        for lead, kind, data in block:
            recorded.append(record(kind=kind, lead=lead, occurred_at=timezone.now(), data=data).pk)
        seconds[on] += time.perf_counter() - started
        done[on] += len(block)
    engine.ENABLED = True
    # The next run measures the same data set (its recompute resets the scores these moved).
    for start in range(0, len(recorded), 5000):
        Activity.objects.filter(pk__in=recorded[start : start + 5000]).delete()
    on_ms = seconds[True] / ingest * 1000
    off_ms = seconds[False] / ingest * 1000
    matched = sum(
        1 for _, kind, data in plans[True]
        if any(r.matches(kind, data) for s in engine.snapshot().scores for r in s.engagement)
    )  # fmt: skip
    return {
        "activities_each": ingest,
        "scoring_off_ms_per_activity": round(off_ms, 3),
        "scoring_on_ms_per_activity": round(on_ms, 3),
        "scoring_on_per_s": round(1000 / on_ms),
        "overhead_pct": round((on_ms - off_ms) / off_ms * 100, 1),
        "share_matching_a_rule": round(matched / ingest, 2),
        "target_overhead_pct": 15,
    }


def run(*, leads: int, activities: int, ingest: int) -> dict[str, Any]:
    result = ensure_data(leads, activities)
    score = synthetic.bench_score()
    engine.invalidate()
    result["leads"] = Lead.objects.count()
    result["activities"] = _count_activities()
    now = timezone.now()
    started = time.perf_counter()
    recompute.recompute_score(score_id=score.pk, now=now, batch_size=2000)
    recompute_s = time.perf_counter() - started
    recomputed = dict(LeadScore.objects.filter(score=score).values_list("lead_id", "g"))
    spec = engine.load_specs([score.pk])[0]
    settle()
    baseline_s, sums = baseline(spec, now)
    worst = max(
        (abs(recomputed.get(pk, 0.0) - g) / max(abs(g), 1.0) for pk, g in sums.items()),
        default=0.0,
    )
    result["recompute"] = {
        "recompute_s": round(recompute_s, 2),
        "baseline_sql_aggregate_and_update_s": round(baseline_s, 2),
        "x_baseline": round(recompute_s / baseline_s, 2),
        "target_x_baseline": 2.0,
        "leads_per_s": round(result["leads"] / recompute_s),
        "max_relative_difference": worst,
        # Only capped rules' points are stored (the bench rules have no caps).
        "stored_score_events": _count_events(score.pk),
    }
    settle()
    result["ingestion"] = ingestion(ingest, now)
    result["database"] = connection.vendor
    return result


def _count_activities() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM timeline_activity")
        return int(cursor.fetchone()[0])


def _count_events(score_id: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM scoring_scoreevent WHERE score_id = %s", [score_id])
        return int(cursor.fetchone()[0])
