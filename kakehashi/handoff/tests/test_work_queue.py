"""Ken's work queue: his leads by priority with an SLA countdown, one-click logging, accept
and reject from the list; other people are refused."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from kakehashi.handoff.models import Handoff, RejectReason
from kakehashi.testing import PersonaTestCase
from kakehashi.timeline.actions import record
from kakehashi.timeline.models import Activity

from .factories import setup, stage_key


class WorkQueueTests(PersonaTestCase):
    def setUp(self):
        setup(self)
        self.now = timezone.now()
        self.leads = [self.mql(f"lead{i}", extra=i) for i in range(3)]
        self.mine = list(Handoff.objects.filter(owner=self.ken))
        self.client.force_login(self.ken)

    def mql(self, name, extra=0):
        lead = self.make_lead(last_name=name, email=f"{name}@example.co.jp")
        record(kind="form.submitted", lead=lead, occurred_at=self.now)
        record(kind="event.attended", lead=lead, occurred_at=self.now)
        for _ in range(2 + extra):
            record(kind="page.viewed", lead=lead, occurred_at=self.now, data={"url": "/pricing"})
        return lead

    def test_ken_sees_his_leads_hottest_first_with_an_sla_countdown(self):
        with self.assertNumQueries(10):  # whatever the number of rows
            page = self.client.get(reverse("handoff:queue"))
        rows = page.context["rows"]
        self.assertEqual({r.handoff.owner_id for r in rows}, {self.ken.pk})
        self.assertEqual(len(rows), 2)  # round robin: ken, yuki, ken
        self.assertGreaterEqual(rows[0].hot, rows[1].hot)
        self.assertContains(page, 'data-sla="')
        self.assertRegex(page.content.decode(), r"\d+h \d\dm (left|)|Overdue by")
        self.assertContains(page, reverse("leads:detail", args=[rows[0].lead.pk]))

    def test_one_click_call_logging_counts_as_the_first_touch(self):
        handoff = self.mine[0]
        response = self.client.post(
            reverse("handoff:touch", args=[handoff.pk]), {"channel": "call", "outcome": "connected"}
        )
        self.assertRedirects(response, reverse("handoff:queue"))
        call = Activity.objects.get(lead=handoff.lead, kind="call.logged")
        self.assertEqual((call.actor, call.data["outcome"]), (self.ken, "connected"))
        handoff.refresh_from_db()
        self.assertIsNotNone(handoff.first_touch_at)

    def test_ken_cannot_reject_without_a_reason(self):
        handoff = self.mine[0]
        self.client.post(reverse("handoff:reject", args=[handoff.pk]), {"comment": "微妙"})
        handoff.refresh_from_db()
        self.assertEqual(handoff.status, "open")
        self.assertEqual(stage_key(handoff.lead, self.journey), "mql")

    def test_ken_rejects_with_a_reason_from_the_queue(self):
        handoff = self.mine[0]
        reason = RejectReason.objects.get(code="wrong_contact")
        self.client.post(
            reverse("handoff:reject", args=[handoff.pk]),
            {"reason": reason.pk, "comment": "総務の方でした"},
            HTTP_HX_REQUEST="true",
        )
        handoff.refresh_from_db()
        self.assertEqual(
            (handoff.status, handoff.reason, handoff.comment),
            ("rejected", reason, "総務の方でした"),
        )
        self.assertEqual(stage_key(handoff.lead, self.journey), "nurture")

    def test_ken_accepts_straight_to_sql(self):
        handoff = self.mine[0]
        sql = self.journey.stages.get(key="sql")
        self.client.post(reverse("handoff:accept", args=[handoff.pk]), {"stage": sql.pk})
        self.assertEqual(stage_key(handoff.lead, self.journey), "sql")

    def test_a_field_sales_rep_cannot_act_on_kens_leads(self):
        self.client.force_login(self.sato)
        handoff = self.mine[0]
        response = self.client.post(reverse("handoff:accept", args=[handoff.pk]))
        self.assertEqual(response.status_code, 403)
        response = self.client.post(reverse("handoff:reject", args=[handoff.pk]), {"reason": 1})
        self.assertEqual(response.status_code, 403)

    def test_an_outsider_is_refused_the_queue(self):
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get(reverse("handoff:queue")).status_code, 403)

    def test_a_decided_handoff_cannot_be_decided_again(self):
        handoff = self.mine[0]
        self.client.post(reverse("handoff:accept", args=[handoff.pk]))
        self.client.post(
            reverse("handoff:reject", args=[handoff.pk]),
            {"reason": RejectReason.objects.first().pk},
        )
        handoff.refresh_from_db()
        self.assertEqual(handoff.status, "accepted")

    def test_overdue_handoffs_say_so(self):
        Handoff.objects.filter(pk=self.mine[0].pk).update(due_at=self.now - timedelta(days=3))
        page = self.client.get(reverse("handoff:queue"))
        self.assertContains(page, "Overdue by")
