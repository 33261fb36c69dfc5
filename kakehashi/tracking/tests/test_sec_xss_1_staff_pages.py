"""SEC-XSS-1: a payload corpus sent through every public endpoint is escaped on every staff
page that shows it (debugger, visitors, the lead's timeline, lists)."""

from __future__ import annotations

from django.urls import reverse

from kakehashi.leads.models import Lead
from kakehashi.tracking import pixel

from .base import TrackingTestCase

CORPUS = [
    "<script>alert('xss-1')</script>",
    '"><img src=x onerror=alert("xss-2")>',
    "'><svg onload=alert('xss-3')>",
    "<iframe src=javascript:alert('xss-4')></iframe>",
    "</textarea><body onload=alert('xss-5')>",
]
DANGEROUS = [
    "<script>alert(",
    "<img src=x onerror",
    "<svg onload",
    "<iframe src=javascript",
    "<body onload",
]


class XssCorpusTests(TrackingTestCase):
    def test_sec_xss_1_public_values_are_escaped_on_every_staff_page(self):
        anon = "browser-x"
        for n, evil in enumerate(CORPUS):
            url = f"https://www.example.co.jp/?utm_source={evil}&utm_campaign={evil}&q={evil}"
            context = {"userAgent": evil, "page": {"referrer": f"https://ref.example/{evil}"}}
            calls = {
                "page": {"anonymousId": anon, "name": evil, "properties": {"url": url, "title": evil, "referrer": f"https://ref.example/{evil}"}, "context": context},
                "screen": {"anonymousId": anon, "name": evil, "properties": {evil: evil}},
                "track": {"anonymousId": anon, "event": evil, "properties": {evil: evil, "url": url}},
                "group": {"anonymousId": anon, "groupId": evil, "traits": {"name": evil}},
                "alias": {"userId": f"u{n}", "previousId": anon},
            }  # fmt: skip
            for kind, body in calls.items():
                self.assertIn(
                    self.send(f"/v1/{kind}", {**body, "messageId": f"{kind}-{n}"}).status_code,
                    (200, 400),
                )
            self.send(
                "/v1/batch",
                {
                    "batch": [
                        {
                            "type": "track",
                            "anonymousId": evil[:100],
                            "event": evil,
                            "messageId": f"b-{n}",
                        }
                    ]
                },
            )
            with self.captureOnCommitCallbacks(execute=True):
                self.public.get("/t.gif", {"d": pixel.sign(source_id=self.source.pk, type="track", name=evil)}, HTTP_REFERER=url, HTTP_USER_AGENT=evil)  # fmt: skip
        # The visitor identifies with a hostile name: a lead is created from public traits.
        self.send("/v1/identify", {"anonymousId": anon, "messageId": "id-1", "traits": {"email": "victim@example.jp", "lastName": CORPUS[0], "firstName": CORPUS[1], "company": CORPUS[2], "title": CORPUS[3]}})  # fmt: skip
        lead = Lead.objects.get(email="victim@example.jp")

        pages = [
            reverse("tracking:sources"),
            reverse("tracking:source", args=[self.source.pk]),
            reverse("tracking:debugger", args=[self.source.pk]),
            reverse("tracking:debugger_events", args=[self.source.pk]),
            reverse("tracking:visitors", args=[self.source.pk]),
            reverse("leads:detail", args=[lead.pk]),
            reverse("leads:timeline", args=[lead.pk]),
            reverse("leads:list"),
            reverse("core:home"),
        ]
        self.client.force_login(self.mori)
        for url in pages:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                html = response.content.decode()
                for marker in DANGEROUS:
                    self.assertNotIn(marker, html)
        timeline = self.client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
        self.assertIn("&lt;script&gt;alert(", timeline)  # shown, as text
        debugger = self.client.get(
            reverse("tracking:debugger_events", args=[self.source.pk])
        ).content.decode()
        self.assertIn("&lt;svg onload", debugger)
