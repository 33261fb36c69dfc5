"""Double opt-in: consent counts only once the visitor confirms from the e-mail; the link's GET
only shows a button (LEG-MBX-2), the POST confirms, once."""

from __future__ import annotations

import re

from django.core import mail

from kakehashi.consent.models import ConsentEvent
from kakehashi.timeline.models import Activity
from kakehashi.webforms.models import Form, Submission

from .base import WebformTestCase


class DoubleOptInTests(WebformTestCase):
    def setUp(self):
        super().setUp()
        Form.objects.filter(pk=self.form.pk).update(double_opt_in=True)

    def link(self):
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].to, ["hanako@yamada-shoji.co.jp"])
        return re.search(r"https?://\S+/f/confirm/\S+/", mail.outbox[0].body).group(0)

    def test_leg_mbx_2_consent_waits_for_the_button_not_the_link(self):
        response = self.post(self.valid(), language="en")
        thanks = self.visitor.get(response["Location"])
        self.assertContains(thanks, "We have sent you an e-mail.")
        submission = Submission.objects.get()
        self.assertEqual(submission.status, "pending")
        self.assertFalse(ConsentEvent.objects.exists())
        self.assertEqual(submission.lead.email_consent, "unknown")
        self.assertIn("Please confirm", mail.outbox[0].subject)

        path = self.link().split("://", 1)[1].split("/", 1)[1]
        page = self.visitor.get(f"/{path}")
        self.assertContains(page, "Confirm my e-mail address")
        self.assertEqual(Submission.objects.get().status, "pending", "a GET changes nothing")
        self.assertFalse(ConsentEvent.objects.exists())

        done = self.visitor.post(f"/{path}")  # no CSRF token, no cookie: the signed link suffices
        self.assertContains(done, "Your e-mail address is confirmed.")
        submission.refresh_from_db()
        self.assertEqual(submission.status, "confirmed")
        consent = ConsentEvent.objects.get()
        self.assertEqual((consent.action, consent.text_version),
                         ("grant", f"purpose-v{self.purpose.version}"))  # fmt: skip
        self.assertEqual(submission.lead.consent_events.count(), 1)
        self.assertTrue(
            Activity.objects.filter(kind="form.confirmed", lead=submission.lead).exists()
        )

        self.visitor.post(f"/{path}")
        self.assertEqual(ConsentEvent.objects.count(), 1, "confirming twice records one grant")

    def test_a_tampered_link_does_nothing(self):
        self.post(self.valid())
        path = self.link().split("://", 1)[1].split("/", 1)[1]
        response = self.visitor.post(f"/{path[:-3]}x/")
        self.assertEqual(response.status_code, 404)
        self.assertEqual(Submission.objects.get().status, "pending")
