"""Inactivity is the one entry rule that needs a clock: a periodic sweep whose conditional
UPDATE claim means two workers never move the same lead twice."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from kakehashi.journey import actions, engine
from kakehashi.journey.models import LeadStage, StageChange
from kakehashi.leads.models import Lead
from kakehashi.testing import PersonaTestCase
from kakehashi.timeline.actions import record

from .factories import btob, score, stage_key


class InactivitySweepTests(PersonaTestCase):
    def setUp(self):
        score()
        self.journey = btob()
        self.now = timezone.now()
        self.quiet = self.make_lead(last_name="静か")
        self.busy = self.make_lead(last_name="活発")
        long_ago = self.now - timedelta(days=120)
        for lead in (self.quiet, self.busy):
            record(kind="form.submitted", lead=lead, occurred_at=long_ago)
        Lead.objects.filter(pk=self.quiet.pk).update(last_activity_at=long_ago)
        record(kind="page.viewed", lead=self.busy, occurred_at=self.now - timedelta(days=2))

    def test_a_lead_quiet_for_ninety_days_is_recycled_to_nurturing(self):
        self.assertEqual(actions.sweep_inactive(now=self.now), 1)
        self.assertEqual(stage_key(self.quiet, self.journey), "nurture")
        self.assertEqual(stage_key(self.busy, self.journey), "consideration")
        self.assertEqual(actions.sweep_inactive(now=self.now), 0)

    def test_a_second_worker_holding_the_same_row_moves_nothing(self):
        row = LeadStage.objects.get(lead=self.quiet)
        spec = engine.snapshot().journeys[0]
        stale = engine.Position(row.pk, spec.by_id[row.stage_id], row.entered_at)
        target = next(s for s in spec.stages if s.key == "nurture")
        first = engine.enter_stage(
            lead=self.quiet, journey=spec, target=target, current=stale, at=self.now
        )
        second = engine.enter_stage(
            lead=self.quiet, journey=spec, target=target, current=stale, at=self.now
        )
        self.assertEqual((first, second), (True, False))
        self.assertEqual(
            StageChange.objects.filter(lead=self.quiet, to_stage__key="nurture").count(), 1
        )

    def test_imported_leads_are_placed_by_the_sweep(self):
        Lead.objects.bulk_create([Lead(last_name="取込", sort_name="x")])
        self.assertEqual(actions.enroll_all(now=self.now), 1)
        self.assertEqual(actions.enroll_all(now=self.now), 0)
