"""Hand-off latency: from the qualifying activity landing (``timeline.record``) to the lead
being assigned to a salesperson, over ``leads`` leads.

Each lead starts in the first stage of the BtoB template with no score; one "お問い合わせ" form
(+60 points, MQL threshold 50) makes it an MQL, which starts the hand-off and assigns it round
robin, all inside the recording transaction, so ``record`` returning (committed) is the moment
the lead is assigned. The baseline records the same activity for as many other leads with the
journey and hand-off receivers switched off (scoring still on), in alternating blocks (on, off,
off, on, …) so drift in the machine's speed cancels out. A non-qualifying page view is timed
both ways too: what the journey costs every other activity.
"""

from __future__ import annotations

import time
from collections import Counter
from io import StringIO
from typing import Any

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kakehashi.accounts.models import Function, Team, User
from kakehashi.bench import percentiles
from kakehashi.handoff import actions as handoff_actions
from kakehashi.handoff.models import Handoff, HandoffPolicy
from kakehashi.journey import actions as journey_actions
from kakehashi.journey import engine
from kakehashi.leads.models import Lead
from kakehashi.scoring import engine as scoring_engine
from kakehashi.scoring.models import EngagementRule, Score
from kakehashi.timeline.actions import record
from kakehashi.timeline.models import Activity

BLOCK = 50
REPS = 5


def reset() -> None:
    """Remove what an earlier run left in a reused bench database (PostgreSQL keeps one)."""
    from kakehashi.handoff.models import HandoffPolicy
    from kakehashi.journey.models import Journey

    Handoff.objects.all().delete()
    HandoffPolicy.objects.all().delete()
    Journey.objects.all().delete()
    Score.objects.filter(name="bench").delete()
    Lead.objects.filter(email__endswith="@bench.example").delete()
    User.objects.filter(email__endswith="@bench.example").delete()
    Team.objects.filter(name="IS bench").delete()


def setup(leads: int) -> tuple[list[Lead], list[Lead]]:
    call_command("migrate", interactive=False, verbosity=0, stdout=StringIO())
    reset()
    score = Score.objects.create(name="bench", half_life_days=30, mql_threshold=50)
    EngagementRule.objects.create(
        score=score, name="Contact", kind="form.submitted", points=60,
        conditions=[{"key": "form", "op": "equals", "value": "お問い合わせ"}],
    )  # fmt: skip
    EngagementRule.objects.create(score=score, name="Page", kind="page.viewed", points=1)
    team = Team.objects.create(name="IS bench", function=Function.INSIDE_SALES)
    for i in range(REPS):
        User.objects.create_user(f"rep{i}@bench.example", team=team, name=f"Rep {i}")
    now = timezone.now()
    journey = journey_actions.create_from_blueprint(key="btob", actor=None, now=now)
    handoff_actions.create_default_policy(
        stage=journey.stages.get(key="mql"), team=team, actor=None, now=now
    )
    Lead.objects.bulk_create(
        [Lead(last_name=f"Bench{i}", email=f"b{i}@bench.example", sort_name=f"b{i:06}",
              created_at=now, updated_at=now) for i in range(2 * leads)],
        batch_size=1000,
    )  # fmt: skip
    journey_actions.enroll_leads(journey=journey, now=now)
    engine.invalidate()
    scoring_engine.invalidate()
    everyone = list(Lead.objects.filter(email__endswith="@bench.example").order_by("pk"))
    return everyone[0::2], everyone[1::2]


def _qualify(lead: Lead) -> float:
    started = time.perf_counter()
    record(kind="form.submitted", lead=lead, data={"form": "お問い合わせ", "url": "/contact"})
    return (time.perf_counter() - started) * 1000


def _view(lead: Lead) -> float:
    started = time.perf_counter()
    record(kind="page.viewed", lead=lead, data={"url": "/blog/ma"})
    return (time.perf_counter() - started) * 1000


def timed(fn: Any, on: list[Lead], off: list[Lead]) -> dict[bool, list[float]]:
    samples: dict[bool, list[float]] = {True: [], False: []}
    queues = {True: list(on), False: list(off)}
    order = [True, False, False, True]
    step = 0
    while queues[True] or queues[False]:
        enabled = order[step % 4]
        step += 1
        block, queues[enabled] = queues[enabled][:BLOCK], queues[enabled][BLOCK:]
        engine.ENABLED = enabled
        try:
            samples[enabled] += [fn(lead) for lead in block]
        finally:
            engine.ENABLED = True
    return samples


def run(*, leads: int) -> dict[str, Any]:
    on, off = setup(leads)
    # Warm the caches (rules, holidays) outside the timings.
    engine.snapshot()
    scoring_engine.snapshot()
    handoff_actions.calendar_of(HandoffPolicy.objects.get()).add(timezone.now(), 1)
    views = timed(_view, on[:200], off[:200])
    with CaptureQueriesContext(connection) as ctx:
        _qualify(on[0])
    qualify = timed(_qualify, on[1:], off[1:])
    assigned = Counter(
        Activity.objects.filter(kind="handoff.assigned").values_list("lead_id", flat=True)
    )
    handoffs = Handoff.objects.filter(owner__isnull=False)
    on_ms, off_ms = percentiles(qualify[True]), percentiles(qualify[False])
    return {
        "database": connection.vendor,
        "leads": leads,
        "assigned": handoffs.count(),
        "assigned_twice": sum(1 for n in assigned.values() if n > 1),
        "per_rep": sorted(Counter(handoffs.values_list("owner_id", flat=True)).values()),
        "record_to_assigned_ms": on_ms,
        "baseline_record_without_journey_ms": off_ms,
        "x_baseline_p50": round(on_ms["p50_ms"] / off_ms["p50_ms"], 2),
        "queries_for_one_qualifying_activity": len(ctx.captured_queries),
        "other_activity_ms": percentiles(views[True]),
        "other_activity_baseline_ms": percentiles(views[False]),
    }
