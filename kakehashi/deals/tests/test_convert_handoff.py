"""From the work queue: Ken accepts a hand-off and books the first meeting for field sales in one
step (the hand-off's convert action)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from kakehashi.deals.models import Deal, Task
from kakehashi.handoff.models import Handoff
from kakehashi.handoff.tests import factories
from kakehashi.testing import PersonaTestCase
from kakehashi.timeline.actions import record


class ConvertHandoffTests(PersonaTestCase):
    def setUp(self):
        super().setUp()
        factories.setup(self)

    def test_ken_converts_an_mql_into_a_deal_with_a_meeting_for_sato(self):
        lead = self.make_lead(owner=None, last_name="木村", email="kimura@example.co.jp")
        at = timezone.now() - timedelta(minutes=10)
        with self.captureOnCommitCallbacks(execute=True):
            record(kind="form.submitted", lead=lead, occurred_at=at, data={"form": "資料請求"})
            record(kind="event.attended", lead=lead, occurred_at=at + timedelta(minutes=1))
            for minutes in (2, 3):
                record(kind="page.viewed", lead=lead, occurred_at=at + timedelta(minutes=minutes),
                       data={"url": "https://example.jp/pricing"})  # fmt: skip
        handoff = Handoff.objects.get(lead=lead)
        owner = handoff.owner
        self.client.force_login(owner)
        queue = self.client.get("/queue/")
        self.assertContains(queue, f"/deals/appointment/{lead.pk}/?handoff={handoff.pk}")
        starts = (timezone.localtime() + timedelta(days=2)).replace(
            hour=15, minute=0, second=0, microsecond=0
        )
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                f"/deals/appointment/{lead.pk}/?handoff={handoff.pk}",
                {"owner": self.sato.pk, "starts_at": starts.strftime("%Y-%m-%dT%H:%M"), "minutes": 60,
                 "handoff": handoff.pk},
            )  # fmt: skip
        deal = Deal.objects.get()
        self.assertRedirects(response, f"/deals/{deal.pk}/")
        handoff.refresh_from_db()
        self.assertEqual(handoff.status, "accepted")
        self.assertEqual((deal.owner, deal.source), (self.sato, f"handoff:{handoff.pk}"))
        self.assertTrue(Task.objects.filter(kind="meeting", owner=self.sato, deal=deal).exists())
        self.assertEqual(factories.stage_key(lead, self.journey), "opportunity")

    def test_someone_else_cannot_convert_another_reps_handoff(self):
        lead = self.make_lead(owner=None, last_name="佐々木", email="sasaki@example.co.jp")
        at = timezone.now() - timedelta(minutes=10)
        record(kind="form.submitted", lead=lead, occurred_at=at, data={"form": "資料請求"})
        record(kind="event.attended", lead=lead, occurred_at=at + timedelta(minutes=1))
        for minutes in (2, 3):
            record(kind="page.viewed", lead=lead, occurred_at=at + timedelta(minutes=minutes),
                   data={"url": "https://example.jp/pricing"})  # fmt: skip
        handoff = Handoff.objects.get(lead=lead)
        self.client.force_login(self.haruka)
        response = self.client.get(f"/deals/appointment/{lead.pk}/?handoff={handoff.pk}")
        self.assertEqual(response.status_code, 403)
