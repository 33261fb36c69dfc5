"""The SLA clock: a first touch in time stops it; a miss escalates to the manager, or
reassigns to the next person and tells the manager. Time is passed in, never slept."""

from __future__ import annotations

from datetime import timedelta

from kakehashi.accounts.models import Role
from kakehashi.handoff import actions
from kakehashi.handoff.models import Notification
from kakehashi.testing import PersonaTestCase, make_user
from kakehashi.timeline.actions import record
from kakehashi.timeline.models import Activity

from .factories import MONDAY_10, setup, stage


class SlaTests(PersonaTestCase):
    def setUp(self):
        setup(self)

    def hand_off(self, name="L"):
        lead = self.make_lead(last_name=name)
        return actions.start_handoff(
            lead=lead, stage_id=stage(self.journey, "mql").pk, now=MONDAY_10
        )

    def test_a_call_in_time_stops_the_clock(self):
        handoff = self.hand_off()
        record(
            kind="call.logged",
            lead=handoff.lead,
            actor=handoff.owner,
            occurred_at=MONDAY_10 + timedelta(hours=1),
        )
        self.assertEqual(actions.check_sla(now=MONDAY_10 + timedelta(days=2)), 0)
        handoff.refresh_from_db()
        self.assertTrue(handoff.within_sla)

    def test_a_marketing_email_sent_by_the_system_is_not_a_touch(self):
        handoff = self.hand_off()
        record(kind="email.sent", lead=handoff.lead, occurred_at=MONDAY_10 + timedelta(hours=1))
        handoff.refresh_from_db()
        self.assertIsNone(handoff.first_touch_at)

    def test_the_inside_sales_manager_is_told_first(self):
        boss = make_user("boss@example.jp", "上田 部長", self.inside_sales, Role.MANAGER)
        handoff = self.hand_off()
        actions.check_sla(now=handoff.due_at + timedelta(seconds=1))
        self.assertEqual(
            list(Notification.objects.filter(kind="escalated").values_list("user", flat=True)),
            [boss.pk],
        )

    def test_reassignment_gives_the_lead_to_the_next_person_with_a_new_sla(self):
        self.policy.on_breach = "reassign"
        self.policy.save()
        handoff = self.hand_off()
        first_owner = handoff.owner
        breach = handoff.due_at + timedelta(minutes=1)
        self.assertEqual(actions.check_sla(now=breach), 1)
        handoff.refresh_from_db()
        self.assertNotEqual(handoff.owner, first_owner)
        self.assertGreater(handoff.due_at, breach)
        self.assertIsNone(handoff.escalated_at, "the new owner's clock runs again")
        self.assertTrue(
            Activity.objects.filter(lead=handoff.lead, kind="handoff.reassigned").exists()
        )
        self.assertTrue(Notification.objects.filter(user=self.mori, kind="escalated").exists())
        handoff.lead.refresh_from_db()
        self.assertEqual(handoff.lead.owner, handoff.owner)
