"""An owned lead whose engagement jumps alerts its owner (once a day), in the app and by
e-mail; hot leads nobody owns appear on the opportunity-loss list."""

from __future__ import annotations

from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from kakehashi.handoff.models import Notification
from kakehashi.testing import PersonaTestCase
from kakehashi.timeline.actions import record
from kakehashi.timeline.models import Activity

from .factories import setup


@override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
class HotLeadAlertTests(PersonaTestCase):
    def setUp(self):
        setup(self, hot_points=30)
        self.now = timezone.now()

    def test_the_owner_is_alerted_once_when_engagement_jumps(self):
        lead = self.make_lead(owner=self.sato, last_name="急上昇")
        record(kind="page.viewed", lead=lead, occurred_at=self.now, data={"url": "/pricing"})
        self.assertFalse(Notification.objects.filter(kind="hot").exists())
        with self.captureOnCommitCallbacks(execute=True):
            record(kind="form.submitted", lead=lead, occurred_at=self.now)  # 10 + 25 in a day
        record(kind="event.attended", lead=lead, occurred_at=self.now)
        alerts = Notification.objects.filter(kind="hot")
        self.assertEqual([(a.user, a.lead) for a in alerts], [(self.sato, lead)])
        self.assertEqual(mail.outbox[0].to, ["sato@example.jp"])
        self.assertEqual(Activity.objects.filter(lead=lead, kind="handoff.hot_lead").count(), 1)

    def test_hot_leads_without_an_owner_are_a_lost_chance(self):
        lead = self.make_lead(last_name="放置")
        record(kind="form.submitted", lead=lead, occurred_at=self.now)
        record(kind="page.viewed", lead=lead, occurred_at=self.now, data={"url": "/pricing"})
        self.assertFalse(Notification.objects.exists())
        self.client.force_login(self.aiko)
        page = self.client.get(reverse("handoff:loss", args=["hot_unowned"]))
        self.assertEqual([r["lead"] for r in page.context["hot_rows"]], [lead])
