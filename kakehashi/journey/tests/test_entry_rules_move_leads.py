"""Leads move the moment the triggering activity is recorded, after scoring has moved."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kakehashi.journey import engine
from kakehashi.journey.models import EntryRule, StageChange
from kakehashi.scoring import engine as scoring_engine
from kakehashi.testing import PersonaTestCase
from kakehashi.timeline.actions import record
from kakehashi.timeline.models import Activity
from kakehashi.timeline.signals import activity_recorded

from .factories import btob, score, stage, stage_key


class EntryRuleTests(PersonaTestCase):
    def setUp(self):
        self.score = score()
        self.journey = btob()
        self.lead = self.make_lead(owner=self.aiko, email="lead@example.co.jp")
        self.now = timezone.now()

    def test_a_new_lead_starts_in_the_first_stage(self):
        self.assertEqual(stage_key(self.lead, self.journey), "awareness")

    def test_a_form_moves_the_lead_to_consideration_with_history(self):
        record(
            kind="form.submitted", lead=self.lead, occurred_at=self.now, data={"form": "資料請求"}
        )
        self.assertEqual(stage_key(self.lead, self.journey), "consideration")
        change = StageChange.objects.filter(lead=self.lead).first()
        self.assertEqual(
            (change.from_stage.key, change.to_stage.key), ("awareness", "consideration")
        )
        activity = Activity.objects.get(lead=self.lead, kind="journey.stage_changed")
        self.assertEqual((activity.data["from"], activity.data["to"]), ("認知", "比較検討"))

    def test_crossing_the_score_threshold_makes_an_mql_in_the_same_transaction(self):
        record(kind="form.submitted", lead=self.lead, occurred_at=self.now)
        record(kind="event.attended", lead=self.lead, occurred_at=self.now)
        self.assertEqual(stage_key(self.lead, self.journey), "consideration")
        record(kind="page.viewed", lead=self.lead, occurred_at=self.now, data={"url": "/pricing"})
        record(kind="page.viewed", lead=self.lead, occurred_at=self.now, data={"url": "/pricing"})
        self.assertEqual(stage_key(self.lead, self.journey), "mql")

    def test_scoring_listens_before_the_journey(self):
        receivers = [r[0][0] for r in activity_recorded.receivers]
        self.assertLess(
            receivers.index("scoring.on_activity_recorded"),
            receivers.index("journey.on_activity_recorded"),
        )

    def test_rule_kinds_are_data_driven_deal_won_before_deals_exist(self):
        record(kind="deal.won", lead=self.lead, occurred_at=self.now, data={"amount": 1200000})
        self.assertEqual(stage_key(self.lead, self.journey), "won")

    def test_rules_with_conditions_and_only_from(self):
        rule = EntryRule.objects.create(
            stage=stage(self.journey, "sql"), kind="activity", activity_kind="track.demo_booked",
            conditions=[{"key": "plan", "op": "equals", "value": "enterprise"}],
        )  # fmt: skip
        rule.from_stages.set([stage(self.journey, "consideration")])
        engine.invalidate()
        record(
            kind="track.demo_booked",
            lead=self.lead,
            occurred_at=self.now,
            data={"plan": "enterprise"},
        )
        self.assertEqual(stage_key(self.lead, self.journey), "awareness", "only from consideration")
        record(kind="form.submitted", lead=self.lead, occurred_at=self.now)
        record(
            kind="track.demo_booked", lead=self.lead, occurred_at=self.now, data={"plan": "free"}
        )
        self.assertEqual(stage_key(self.lead, self.journey), "consideration")
        record(
            kind="track.demo_booked",
            lead=self.lead,
            occurred_at=self.now,
            data={"plan": "Enterprise"},
        )
        self.assertEqual(stage_key(self.lead, self.journey), "sql")

    def test_a_lead_never_moves_backwards_by_rule(self):
        record(kind="deal.won", lead=self.lead, occurred_at=self.now)
        record(kind="form.submitted", lead=self.lead, occurred_at=self.now + timedelta(minutes=1))
        self.assertEqual(stage_key(self.lead, self.journey), "won")

    def test_activities_no_rule_can_fire_on_cost_no_query(self):
        engine.snapshot()
        scoring_engine.snapshot()
        with CaptureQueriesContext(connection) as ctx:
            engine.evaluate(
                Activity(kind="note.added", lead=self.lead, occurred_at=self.now, data={})
            )
        self.assertEqual(len(ctx.captured_queries), 0)

    def test_an_imported_lead_without_a_place_is_moved_from_the_entry(self):
        from kakehashi.journey.models import LeadStage

        LeadStage.objects.filter(lead=self.lead).delete()
        record(kind="form.submitted", lead=self.lead, occurred_at=self.now)
        self.assertEqual(stage_key(self.lead, self.journey), "consideration")
