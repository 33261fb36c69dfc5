"""Two workers never assign the same lead twice: threads with their own database connections
run the waiting-lead assigner at once (PostgreSQL, SELECT … FOR UPDATE SKIP LOCKED).

Skipped on SQLite: its writers are serialized by BEGIN IMMEDIATE, so threads there never run a
transaction at the same moment and the test would prove nothing."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import close_old_connections, connection
from django.test import TransactionTestCase
from django.utils import timezone

from kakehashi.accounts.models import Function, Team
from kakehashi.handoff import actions
from kakehashi.handoff.models import Handoff
from kakehashi.journey import engine
from kakehashi.leads.models import Lead
from kakehashi.testing import make_user
from kakehashi.timeline.models import Activity

from .factories import btob, policy, stage

WORKERS = 4
LEADS = 40


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs concurrent writers (PostgreSQL)"
)
class ConcurrentAssignmentTests(TransactionTestCase):
    def test_four_workers_assign_forty_waiting_leads_exactly_once_each(self):
        team = Team.objects.create(name="IS", function=Function.INSIDE_SALES)
        reps = [make_user(f"rep{i}@example.jp", f"Rep {i}", team) for i in range(3)]
        journey = btob()
        pol = policy(journey, team, account_based=False)
        mql = stage(journey, "mql")
        now = timezone.now()
        for rep in reps:
            rep.is_away = True
            rep.save()
        for i in range(LEADS):
            lead = Lead.objects.create(last_name=f"L{i}")
            actions.start_handoff(lead=lead, stage_id=mql.pk, now=now)
        self.assertEqual(Handoff.objects.filter(owner__isnull=True).count(), LEADS)
        type(reps[0]).objects.filter(team=team).update(is_away=False)

        barrier = threading.Barrier(WORKERS)
        done = []
        errors = []

        def work():
            try:
                barrier.wait()
                done.append(actions.assign_waiting(now=now, batch=LEADS))
            except BaseException as exc:  # reported below
                errors.append(exc)
            finally:
                close_old_connections()
                connection.close()

        threads = [threading.Thread(target=work) for _ in range(WORKERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        engine.invalidate()

        self.assertEqual(errors, [])
        self.assertEqual(sum(done), LEADS)
        self.assertFalse(Handoff.objects.filter(owner__isnull=True).exists())
        assigned = Counter(
            Activity.objects.filter(kind="handoff.assigned").values_list("lead_id", flat=True)
        )
        self.assertEqual(len(assigned), LEADS)
        self.assertEqual(set(assigned.values()), {1}, "every lead assigned exactly once")
        per_rep = Counter(Handoff.objects.values_list("owner_id", flat=True))
        self.assertLessEqual(max(per_rep.values()) - min(per_rep.values()), 1, "round robin held")
        self.assertEqual(pol.rules.get().members.count(), 3)
