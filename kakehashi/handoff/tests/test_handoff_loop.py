"""The loop the issue is done by, walked by the personas with time passed in (never slept):
marketing's lead crosses the threshold → assigned round robin with an SLA → inside sales
rejects with a reason → the lead is in nurturing and marketing's report shows the reason; a
second lead is accepted → SAL; an untouched lead breaches its SLA and is escalated."""

from __future__ import annotations

from datetime import timedelta

from django.core import mail
from django.test import override_settings
from django.urls import reverse

from kakehashi.handoff import actions
from kakehashi.handoff.models import Handoff, Notification, RejectReason
from kakehashi.testing import PersonaTestCase
from kakehashi.timeline.actions import record
from kakehashi.timeline.models import Activity

from .factories import MONDAY_10, setup, stage_key


@override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
class HandoffLoopTests(PersonaTestCase):
    def setUp(self):
        setup(self)

    def qualify(self, name, at):
        lead = self.make_lead(
            owner=None, last_name=name, email=f"{name}@example.co.jp", source="trade_show",
            first_touch="展示会2026",
        )  # fmt: skip
        record(kind="form.submitted", lead=lead, occurred_at=at, data={"form": "資料請求"})
        record(kind="event.attended", lead=lead, occurred_at=at + timedelta(minutes=1))
        for minutes in (2, 3):  # 25 + 15 + 10 + 10, a little decayed: over 50 on the second
            record(kind="page.viewed", lead=lead, occurred_at=at + timedelta(minutes=minutes),
                   data={"url": "https://example.jp/pricing"})  # fmt: skip
        lead.refresh_from_db()
        return lead

    def test_the_whole_loop(self):
        # Marketing's leads cross the MQL threshold: assigned round robin, each with an SLA.
        with self.captureOnCommitCallbacks(execute=True):
            first = self.qualify("kimura", MONDAY_10)
        self.assertEqual(stage_key(first, self.journey), "mql")
        h1 = Handoff.objects.get(lead=first)
        self.assertEqual(h1.owner, self.ken)
        self.assertEqual(first.owner, self.ken)
        # Four business hours from 10:02 on a Monday.
        self.assertEqual(h1.due_at, MONDAY_10 + timedelta(hours=4, minutes=3))
        second = self.qualify("sasaki", MONDAY_10 + timedelta(minutes=10))
        third = self.qualify("hayashi", MONDAY_10 + timedelta(minutes=20))
        owners = [Handoff.objects.get(lead=lead).owner for lead in (first, second, third)]
        self.assertEqual(owners, [self.ken, self.yuki, self.ken])
        # The owner is told at once, in the app and by e-mail.
        self.assertTrue(
            Notification.objects.filter(user=self.ken, lead=first, kind="assigned").exists()
        )
        self.assertEqual([m.to for m in mail.outbox], [["ken@example.jp"]])
        self.assertIn("kimura", mail.outbox[0].body)

        # Ken rejects the first with a coded reason and a comment: back to nurturing.
        actions.reject(
            handoff=h1, actor=self.ken, reason=RejectReason.objects.get(code="no_budget"),
            comment="来期予算で再検討とのこと", now=MONDAY_10 + timedelta(hours=1),
        )  # fmt: skip
        self.assertEqual(stage_key(first, self.journey), "nurture")
        rejected = Activity.objects.get(lead=first, kind="handoff.rejected")
        self.assertEqual(rejected.data["reason"], "no_budget")
        self.assertEqual(rejected.data["comment"], "来期予算で再検討とのこと")
        first.refresh_from_db()
        self.assertIsNone(first.owner)

        # Marketing sees the reason on the lead's shared timeline and in the feedback report.
        self.client.force_login(self.aiko)
        timeline = self.client.get(reverse("leads:detail", args=[first.pk]))
        self.assertContains(timeline, "Rejected by sales")
        self.assertContains(timeline, "来期予算で再検討とのこと")
        page = self.client.get(
            reverse("handoff:feedback"), {"since": "2026-11-01", "until": "2026-12-31"}
        )
        self.assertContains(page, "No budget")
        self.assertContains(page, "trade_show: 1")

        # Yuki accepts the second: it moves to SAL.
        actions.accept(
            handoff=Handoff.objects.get(lead=second), actor=self.yuki,
            now=MONDAY_10 + timedelta(hours=1),
        )  # fmt: skip
        self.assertEqual(stage_key(second, self.journey), "sal")
        self.assertEqual(Handoff.objects.get(lead=second).status, "accepted")

        # Nobody touches the third: when its SLA runs out it is escalated to a manager.
        h3 = Handoff.objects.get(lead=third)
        self.assertEqual(actions.check_sla(now=h3.due_at - timedelta(minutes=1)), 0)
        self.assertEqual(actions.check_sla(now=h3.due_at + timedelta(minutes=1)), 1)
        self.assertTrue(
            Notification.objects.filter(user=self.mori, lead=third, kind="escalated").exists()
        )
        self.assertTrue(Activity.objects.filter(lead=third, kind="handoff.escalated").exists())
        # A second worker, or the next minute's run, does not escalate it again.
        self.assertEqual(actions.check_sla(now=h3.due_at + timedelta(minutes=2)), 0)

    def test_a_rejected_lead_comes_back_as_mql_only_on_new_engagement(self):
        lead = self.qualify("kimura", MONDAY_10)
        actions.reject(
            handoff=Handoff.objects.get(lead=lead), actor=self.ken,
            reason=RejectReason.objects.get(code="not_now"), comment="",
            now=MONDAY_10 + timedelta(hours=1),
        )  # fmt: skip
        later = MONDAY_10 + timedelta(hours=2)
        record(kind="note.added", lead=lead, actor=self.aiko, occurred_at=later, data={"body": "…"})
        record(kind="call.logged", lead=lead, actor=self.ken, occurred_at=later)
        self.assertEqual(stage_key(lead, self.journey), "nurture")

        record(kind="page.viewed", lead=lead, occurred_at=later + timedelta(minutes=5),
               data={"url": "https://example.jp/pricing"})  # fmt: skip
        self.assertEqual(stage_key(lead, self.journey), "mql")
        self.assertEqual(Handoff.objects.filter(lead=lead, status="open").count(), 1)
