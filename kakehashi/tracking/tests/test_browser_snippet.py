"""In a real browser: a visitor browses a site with the snippet, identifies through a form,
and the page views from before join the new lead's timeline. The consent option sends
nothing and sets no cookie until the visitor agrees (LEG-APPI-5).

The customer's site is served locally on another port (another origin), as in production.
Drives the Debian Chromium through Playwright (no browser download).
"""

from __future__ import annotations

import time

import pytest
from django.db import OperationalError
from django.test import LiveServerTestCase
from django.utils import timezone

from kakehashi.browser_testing import OUTPUT, BrowserTestMixin
from kakehashi.leads.models import Lead
from kakehashi.timeline.models import Activity
from kakehashi.tracking import actions, sources
from kakehashi.tracking.models import Event

# Headless Chromium says "HeadlessChrome", which the bot step rightly drops.
DESKTOP_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"

PAGE = """<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>{title}</title>
<script async src="{server}/t.js" data-write-key="{key}"{extra}></script></head>
<body><h1>{title}</h1>{body}</body></html>"""
FORM = """<form id="brochure" onsubmit="event.preventDefault();
  kakehashi.identify(this.email.value, {lastName: '山田', firstName: '花子'});
  kakehashi.track('Requested Brochure', {file: 'catalog.pdf'});
  document.getElementById('done').hidden = false;">
  <input name="email" type="email"><button type="submit">資料請求</button></form>
<p id="done" hidden>送信しました</p>"""
CONSENT = """<button id="accept" onclick="kakehashi.consent(true)">同意する</button>"""


@pytest.mark.browser
class SnippetInTheBrowserTest(BrowserTestMixin, LiveServerTestCase):
    serve_site = True

    def setUp(self):
        sources.forget()
        self.source = actions.create_source(
            name="Corporate site", actor=None, now=timezone.now(), allowed_origins=self.site_url
        )

    def write_page(self, name, title, body="", extra=""):
        html = PAGE.format(
            title=title,
            server=self.live_server_url,
            key=self.source.write_key,
            extra=extra,
            body=body,
        )
        (self.site_dir / name).write_text(html, encoding="utf-8")

    def wait_for(self, check, what):
        """Poll until the server has processed what the browser sent. SQLite's shared
        in-memory test database locks whole tables while the server thread writes."""
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if check():
                    return
            except OperationalError:
                pass
            time.sleep(0.2)
        self.fail(f"gave up waiting for {what}")

    def test_earlier_page_views_join_the_lead_when_the_visitor_identifies(self):
        self.write_page("index.html", "ホーム", '<a id="next" href="product.html">製品紹介へ</a>')
        self.write_page("product.html", "製品紹介", FORM)
        context = self.browser.new_context(locale="ja-JP", user_agent=DESKTOP_UA)
        page = context.new_page()
        page.goto(f"{self.site_url}/index.html?utm_source=expo&utm_campaign=booth2026")
        page.wait_for_function("window.kakehashi && window.kakehashi.version")
        page.click("#next")
        page.wait_for_function("window.kakehashi && window.kakehashi.version")
        processed = Event.objects.filter(type="page").exclude(status="pending")
        self.wait_for(lambda: processed.count() == 2, "two page views")
        self.assertFalse(Lead.objects.exists(), "nobody is known yet")

        page.fill("input[name=email]", "hanako@yamada-shoji.co.jp")
        page.click("button[type=submit]")
        page.locator("#done").wait_for()
        lead_activities = lambda: Activity.objects.filter(lead__email="hanako@yamada-shoji.co.jp")  # noqa: E731
        self.wait_for(
            lambda: lead_activities().filter(kind="track.requested_brochure").exists(),
            "the brochure request",
        )
        lead = Lead.objects.get(email="hanako@yamada-shoji.co.jp")
        self.assertEqual((lead.last_name, lead.first_name), ("山田", "花子"))
        titles = sorted(
            lead_activities().filter(kind="page.viewed").values_list("data__title", flat=True)
        )
        self.assertEqual(titles, ["ホーム", "製品紹介"])
        landing = lead_activities().get(kind="page.viewed", data__title="ホーム")
        self.assertEqual(landing.data["utm"], {"source": "expo", "campaign": "booth2026"})
        self.assertEqual(lead.first_touch, "expo / booth2026")
        cookie = {c["name"]: c["value"] for c in context.cookies()}
        self.assertEqual(Event.objects.filter(anonymous_id=cookie["kk_aid"]).count(), 4)
        context.close()

        # Staff see it on the lead page.
        from kakehashi.testing import make_user

        admin = make_user("admin@example.jp", "Admin", None, "admin")
        admin.set_password("browser-test-password-2026")
        admin.save()
        staff = self.browser.new_context(locale="ja-JP")
        page = staff.new_page()
        self.log_in(page, "admin@example.jp", "browser-test-password-2026")
        page.goto(f"{self.live_server_url}/leads/{lead.pk}/")
        page.locator("#timeline li.item", has_text="製品紹介").wait_for()
        page.screenshot(path=str(OUTPUT / "tracking-stitched-timeline.png"), full_page=True)
        staff.close()

    def test_leg_appi_5_nothing_is_sent_or_stored_before_consent(self):
        self.write_page("consent.html", "同意", CONSENT, extra=' data-consent="required"')
        context = self.browser.new_context(locale="ja-JP", user_agent=DESKTOP_UA)
        page = context.new_page()
        sent = []
        page.on(
            "request", lambda request: sent.append(request.url) if "/v1/" in request.url else None
        )
        page.goto(f"{self.site_url}/consent.html")
        page.wait_for_function("window.kakehashi && window.kakehashi.version")
        page.evaluate("kakehashi.track('Scrolled'); kakehashi.flush()")
        page.wait_for_timeout(1500)  # longer than the snippet's batching interval
        self.assertEqual(sent, [])
        self.assertEqual([c["name"] for c in context.cookies()], [])
        self.assertFalse(Event.objects.exists())

        page.click("#accept")
        self.wait_for(
            lambda: Event.objects.exclude(status="pending").count() == 2,
            "the queued page view and event",
        )
        self.assertEqual(sorted(Event.objects.values_list("type", flat=True)), ["page", "track"])
        self.assertIn("kk_aid", [c["name"] for c in context.cookies()])
        context.close()
