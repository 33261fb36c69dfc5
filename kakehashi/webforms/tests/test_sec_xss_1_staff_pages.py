"""SEC-XSS-1: whatever the public types reaches staff pages escaped — the lead page and its
timeline, the submissions list and the survey results."""

from __future__ import annotations

from django.utils import timezone

from kakehashi.webforms import actions
from kakehashi.webforms.models import FieldKind, Submission

from .base import WebformTestCase

CORPUS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(2)>',
    "'><svg onload=alert(3)>",
    "</textarea><script>alert(4)</script>",
    '<a href="javascript:alert(5)">x</a>',
    "<iframe srcdoc='<script>alert(6)</script>'>",
]


class XssTests(WebformTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        actions.add_field(form=cls.form, actor=cls.aiko, now=timezone.now(),
                          values={"key": "部署", "kind": FieldKind.TEXT, "label_ja": "部署",
                                  "maps_to": "custom:部署"})  # fmt: skip

    def test_sec_xss_1_payloads_from_every_public_field_are_escaped_on_staff_pages(self):
        for i, payload in enumerate(CORPUS):
            data = self.valid(email=f"x{i}@example.jp", 姓=payload, 名=payload, 会社名=payload,
                              ご質問=payload, 部署=payload)  # fmt: skip
            data.update({"ref": payload, "utm_source": payload, "utm_campaign": payload,
                         f"f{self.f['utm_campaign'].pk}": payload})  # fmt: skip
            response = self.post(data, HTTP_USER_AGENT=payload, HTTP_REFERER=payload)
            self.assertEqual(response.status_code, 303, payload)
        self.assertEqual(Submission.objects.count(), len(CORPUS))
        self.client.force_login(self.mori)
        pages = [f"/forms/{self.form.pk}/submissions/", f"/forms/{self.form.pk}/results/",
                 f"/forms/{self.form.pk}/", "/forms/"]  # fmt: skip
        pages += [f"/leads/{s.lead_id}/" for s in Submission.objects.all()]
        pages += ["/leads/", "/companies/"]
        for url in pages:
            html = self.client.get(url).content.decode()
            for payload in CORPUS:
                self.assertNotIn(payload, html, f"{url} shows {payload!r} unescaped")
        lead_page = self.client.get(
            f"/leads/{Submission.objects.first().lead_id}/"
        ).content.decode()
        self.assertIn("&lt;", lead_page, "the payload is shown, escaped")

    def test_sec_xss_1_a_broken_public_page_shows_answers_escaped_too(self):
        response = self.post(self.valid(email=None, 姓=CORPUS[0]))
        self.assertEqual(response.status_code, 400)
        self.assertNotIn(CORPUS[0], response.content.decode())
