"""LEG-APPI-1: the purpose-of-use text is versioned; each consent references the version the
visitor saw, and a version that consents reference never changes."""

from __future__ import annotations

from django.utils import timezone

from kakehashi.consent.models import ConsentEvent
from kakehashi.webforms import actions
from kakehashi.webforms.models import PurposeText, PurposeTextInUse

from .base import PURPOSE_JA, WebformTestCase


class PurposeTextTests(WebformTestCase):
    def test_leg_appi_1_consent_records_the_version_shown_even_after_a_new_one(self):
        token = self.token(self.form)  # the page showed the current version
        actions.publish_purpose_text(
            actor=self.aiko, text_ja="新しい利用目的", text_en="", now=timezone.now()
        )
        self.post(self.valid(), token=token)
        consent = ConsentEvent.objects.get()
        self.assertEqual(consent.text_version, f"purpose-v{self.purpose.version}")
        self.assertIn(PURPOSE_JA, consent.text)
        self.assertNotIn("新しい利用目的", consent.text)
        self.assertContains(self.visitor.get("/f/shiryo/"), "新しい利用目的")

    def test_leg_appi_1_a_used_version_cannot_be_edited_or_deleted(self):
        self.post(self.valid())
        purpose = PurposeText.objects.get(pk=self.purpose.pk)
        purpose.text_ja = "書き換え"
        with self.assertRaises(PurposeTextInUse):
            purpose.save()
        with self.assertRaises(PurposeTextInUse):
            purpose.delete()
        self.assertEqual(PurposeText.objects.get(pk=self.purpose.pk).text_ja, PURPOSE_JA)

    def test_leg_appi_1_marketing_publishes_a_new_version_from_the_staff_page(self):
        self.client.force_login(self.aiko)
        response = self.client.post(
            "/forms/purpose/", {"text_ja": "第2版の利用目的", "text_en": "v2"}
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(actions.current_purpose().version, self.purpose.version + 1)
        self.assertEqual(PurposeText.objects.get(pk=self.purpose.pk).text_ja, PURPOSE_JA)
        page = self.client.get("/forms/purpose/")
        self.assertContains(page, f"purpose-v{self.purpose.version + 1}")

    def test_sales_reads_the_versions_but_cannot_publish(self):
        self.client.force_login(self.ken)
        self.assertContains(self.client.get("/forms/purpose/"), PURPOSE_JA)
        self.assertEqual(self.client.post("/forms/purpose/", {"text_ja": "x"}).status_code, 403)
