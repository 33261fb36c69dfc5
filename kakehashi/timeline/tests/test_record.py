"""timeline.record: the one writer of activities."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from kakehashi.testing import PersonaTestCase
from kakehashi.timeline import actions
from kakehashi.timeline.models import Activity
from kakehashi.timeline.signals import activity_recorded


class RecordTests(PersonaTestCase):
    def test_an_idempotency_key_makes_a_repeat_harmless(self):
        lead = self.make_lead()
        first = actions.record(
            kind="page.viewed", lead=lead, idempotency_key="src:msg-1", data={"url": "/a"}
        )
        again = actions.record(
            kind="page.viewed", lead=lead, idempotency_key="src:msg-1", data={"url": "/b"}
        )
        self.assertEqual(first.pk, again.pk)
        self.assertEqual(Activity.objects.filter(kind="page.viewed").count(), 1)
        self.assertEqual(Activity.objects.get(kind="page.viewed").data, {"url": "/a"})

    def test_kinds_must_be_dotted_lowercase(self):
        for bad in ("pageview", "Page.Viewed", "page..viewed", "", "page.viewed; drop"):
            with self.subTest(kind=bad), self.assertRaises(actions.InvalidKind):
                actions.record(kind=bad)

    def test_department_comes_from_the_actor_then_the_kind(self):
        lead = self.make_lead()
        self.assertEqual(
            actions.record(kind="call.logged", lead=lead, actor=self.sato).department, "field_sales"
        )
        self.assertEqual(actions.record(kind="call.logged", lead=lead).department, "inside_sales")
        self.assertEqual(actions.record(kind="page.viewed", lead=lead).department, "marketing")
        self.assertEqual(actions.record(kind="custom.thing", lead=lead).department, "system")

    def test_last_activity_only_moves_forward_and_ignores_audit_kinds(self):
        lead = self.make_lead()
        now = timezone.now()
        actions.record(kind="call.logged", lead=lead, occurred_at=now + timedelta(hours=1))
        actions.record(kind="page.viewed", lead=lead, occurred_at=now - timedelta(days=3))
        actions.record(kind="lead.updated", lead=lead, occurred_at=now + timedelta(days=1))
        lead.refresh_from_db()
        self.assertEqual(lead.last_activity_at, now + timedelta(hours=1))

    def test_lead_activities_carry_the_company_for_the_company_timeline(self):
        lead = self.make_lead(company_name="東洋商事")
        activity = actions.record(kind="email.opened", lead=lead)
        self.assertEqual(activity.company_id, lead.company_id)

    def test_listeners_see_each_activity_inside_the_transaction(self):
        seen = []

        def listener(sender, activity, **kwargs):
            seen.append(activity.kind)

        activity_recorded.connect(listener)
        try:
            actions.record(kind="form.submitted", lead=self.make_lead())
        finally:
            activity_recorded.disconnect(listener)
        self.assertIn("form.submitted", seen)

    def test_an_empty_note_is_refused(self):
        with self.assertRaises(actions.EmptyNote):
            actions.add_note(
                author=self.aiko, body="   ", lead=self.make_lead(), now=timezone.now()
            )
