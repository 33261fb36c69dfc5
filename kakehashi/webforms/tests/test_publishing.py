"""Publishing: the hosted page frames into the company's site, the embed script, the QR code
for print, and a staff preview of drafts."""

from __future__ import annotations

from django.utils import timezone

from kakehashi.tracking import actions as tracking_actions
from kakehashi.webforms import actions

from .base import WebformTestCase


class PublishingTests(WebformTestCase):
    def test_the_hosted_page_may_be_framed_by_the_forms_own_site(self):
        self.assertEqual(
            self.visitor.get("/f/shiryo/")["Content-Security-Policy"], "frame-ancestors *"
        )
        source = tracking_actions.create_source(name="Site", actor=self.aiko, now=timezone.now(),
                                                allowed_origins="https://www.example.co.jp")  # fmt: skip
        self.form.tracking_source = source
        self.form.save()
        response = self.visitor.get("/f/shiryo/?embed=1")
        self.assertEqual(response["Content-Security-Policy"],
                         "frame-ancestors 'self' https://www.example.co.jp")  # fmt: skip
        self.assertContains(response, 'name="embed" value="1"')

    def test_the_embed_script_is_public_and_cacheable(self):
        response = self.visitor.get("/f/embed.js")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Access-Control-Allow-Origin"], "*")
        self.assertIn(b"kk_aid", response.content)

    def test_staff_get_the_embed_code_and_a_qr_code_that_says_it_came_from_print(self):
        self.client.force_login(self.ken)
        page = self.client.get(f"/forms/{self.form.pk}/")
        self.assertContains(page, "data-kakehashi-form=&quot;shiryo&quot;")
        self.assertContains(page, "utm_source=qr&amp;utm_medium=print&amp;utm_campaign=expo-2026")
        svg = self.client.get(f"/forms/{self.form.pk}/qr.svg")
        self.assertEqual(svg["Content-Type"], "image/svg+xml")
        self.assertTrue(svg.content.startswith(b"<svg"))
        png = self.client.get(f"/forms/{self.form.pk}/qr.png?download=1")
        self.assertEqual(png.content[:8], b"\x89PNG\r\n\x1a\n")
        self.assertIn("attachment", png["Content-Disposition"])

    def test_a_draft_is_a_preview_for_staff_and_missing_for_the_public(self):
        actions.set_status(form=self.form, actor=self.aiko, status="draft", now=timezone.now())
        self.assertEqual(self.visitor.get("/f/shiryo/").status_code, 404)
        self.client.force_login(self.aiko)
        self.assertContains(self.client.get("/f/shiryo/"), "Preview: this form is a draft")

    def test_a_brochure_is_offered_after_sending(self):
        from django.core.files.base import ContentFile

        self.form.download.save("catalog.pdf", ContentFile(b"%PDF-1.4 brochure"), save=True)
        try:
            thanks = self.visitor.get(self.post(self.valid(), language="en")["Location"])
            self.assertContains(thanks, "Download the document")
            url = thanks.content.decode().split('id="download" href="')[1].split('"')[0]
            response = self.visitor.get(url)
            self.assertEqual(b"".join(response.streaming_content), b"%PDF-1.4 brochure")
            self.assertIn("attachment", response["Content-Disposition"])
            self.assertEqual(
                self.visitor.get(url.replace("/download/", "/download/x")).status_code, 404
            )
        finally:
            self.form.download.delete(save=False)
