"""In a real browser: an anonymous visitor browses two tracked pages of the company's site,
follows a link to the hosted form, fills it in Japanese and gets the thank-you page; staff then
see the new lead with the page views, the answers and the consent on one timeline.

The company's site is served locally on another port (another origin), as in production; the
form lives on kakehashi's own origin. Drives the Debian Chromium through Playwright.
"""

from __future__ import annotations

import time
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from django.db import OperationalError
from django.utils import timezone

from kakehashi.browser_testing import OUTPUT, BrowserTestMixin
from kakehashi.consent.models import ConsentEvent
from kakehashi.leads.models import Lead
from kakehashi.timeline.models import Activity
from kakehashi.tracking import actions as tracking_actions
from kakehashi.tracking import sources
from kakehashi.tracking.models import Event
from kakehashi.webforms import actions, tokens
from kakehashi.webforms.models import FieldKind, Status

from ...tracking.tests.test_browser_snippet import DESKTOP_UA
from .base import CONSENT_EN, CONSENT_JA, PURPOSE_EN, PURPOSE_JA, options

PAGE = """<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>{title}</title>
<script async src="{server}/t.js" data-write-key="{key}"></script>
<script async src="{server}/f/embed.js"></script></head>
<body><h1>{title}</h1>{body}</body></html>"""


@pytest.mark.browser
class HostedFormInTheBrowserTest(BrowserTestMixin, StaticLiveServerTestCase):
    serve_site = True

    def setUp(self):
        sources.forget()
        now = timezone.now()
        self.source = tracking_actions.create_source(
            name="Corporate site", actor=None, now=now, allowed_origins=self.site_url
        )
        actions.publish_purpose_text(actor=None, text_ja=PURPOSE_JA, text_en=PURPOSE_EN, now=now)
        form = actions.create_form(
            actor=None,
            fields={"name": "資料請求", "slug": "shiryo", "title_ja": "資料請求フォーム",
                    "thank_you_ja": "資料請求ありがとうございました。担当者よりご連絡します。",
                    "tracking_source": self.source, "campaign": "web-2026"},
            now=now,
        )  # fmt: skip
        for spec in [
            {"key": "email", "kind": FieldKind.EMAIL, "label_ja": "メールアドレス", "required": True, "maps_to": "lead:email"},
            {"key": "姓", "kind": FieldKind.TEXT, "label_ja": "姓", "required": True, "maps_to": "lead:last_name"},
            {"key": "名", "kind": FieldKind.TEXT, "label_ja": "名", "maps_to": "lead:first_name"},
            {"key": "会社名", "kind": FieldKind.TEXT, "label_ja": "会社名", "maps_to": "company:name"},
            {"key": "導入時期", "kind": FieldKind.SELECT, "label_ja": "導入時期", "options": options("3か月以内", "半年以内")},
            {"key": "consent", "kind": FieldKind.CONSENT, "label_ja": CONSENT_JA, "label_en": CONSENT_EN, "required": True},
        ]:  # fmt: skip
            actions.add_field(form=form, actor=None, values=spec, now=now)
        actions.set_status(form=form, actor=None, status=Status.PUBLISHED, now=now)
        self.form = form

    def write_page(self, name, title, body=""):
        html = PAGE.format(
            title=title, server=self.live_server_url, key=self.source.write_key, body=body
        )
        (self.site_dir / name).write_text(html, encoding="utf-8")

    def wait_for(self, check, what):
        """Poll until the server has processed what the browser sent (SQLite's shared in-memory
        test database locks whole tables while the server thread writes)."""
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if check():
                    return
            except OperationalError:
                pass
            time.sleep(0.2)
        self.fail(f"gave up waiting for {what}")

    # The visitor fills the form faster than the bot check allows; people take longer.
    @mock.patch.object(tokens, "MIN_FILL_TIME", timedelta(0))
    def test_a_visitor_becomes_a_lead_and_staff_see_the_whole_story(self):
        self.write_page("index.html", "ホーム", '<a id="next" href="product.html">製品紹介へ</a>')
        form_url = f"{self.live_server_url}/f/shiryo/"
        self.write_page(
            "product.html", "製品紹介", f'<a id="form-link" href="{form_url}">資料請求はこちら</a>'
        )
        context = self.browser.new_context(locale="ja-JP", user_agent=DESKTOP_UA)
        page = context.new_page()
        page.goto(f"{self.site_url}/index.html?utm_source=newsletter&utm_campaign=june")
        page.wait_for_function("window.kakehashi && window.kakehashi.version")
        page.click("#next")
        page.wait_for_function("window.kakehashi && window.kakehashi.version")
        processed = Event.objects.filter(type="page").exclude(status="pending")
        self.wait_for(lambda: processed.count() == 2, "two page views")
        self.assertFalse(Lead.objects.exists(), "nobody is known yet")

        page.click("#form-link")
        page.wait_for_url(f"{form_url}?*")
        self.assertIn("aid=", page.url, "the link carried the anonymous id")
        self.assertIn(PURPOSE_JA, page.content())
        name = {f.key: f"[name=f{f.pk}]" for f in self.form.fields.all()}
        page.fill(
            name["email"], "ｈａｎａｋｏ＠yamada-shoji.co.jp"
        )  # full-width, as typed on a phone
        page.fill(name["姓"], "山田")
        page.fill(name["名"], "花子")
        page.fill(name["会社名"], "株式会社山田商事")
        page.select_option(name["導入時期"], "3か月以内")
        page.get_by_label(CONSENT_JA).check()
        page.screenshot(path=str(OUTPUT / "webforms-hosted-form.png"), full_page=True)
        page.click("button[type=submit]")
        page.locator("#thanks").wait_for()
        self.assertIn("資料請求ありがとうございました。", page.locator("#thanks").inner_text())
        context.close()

        lead = Lead.objects.get(email="hanako@yamada-shoji.co.jp")
        self.assertEqual((lead.last_name, lead.first_name, lead.company.name),
                         ("山田", "花子", "株式会社山田商事"))  # fmt: skip
        activities = Activity.objects.filter(lead=lead)
        titles = sorted(activities.filter(kind="page.viewed").values_list("data__title", flat=True))
        self.assertEqual(titles, ["ホーム", "製品紹介"])
        submitted = activities.get(kind="form.submitted")
        self.assertEqual(submitted.data["answers"]["導入時期"], "3か月以内")
        consent = ConsentEvent.objects.get(lead=lead)
        self.assertEqual(consent.source, f"{self.site_url}/product.html")
        self.assertIn(PURPOSE_JA, consent.text)

        from kakehashi.testing import make_user

        admin = make_user("admin@example.jp", "Admin", None, "admin")
        admin.set_password("browser-test-password-2026")
        admin.save()
        staff = self.browser.new_context(locale="ja-JP")
        page = staff.new_page()
        self.log_in(page, "admin@example.jp", "browser-test-password-2026")
        page.goto(f"{self.live_server_url}/leads/{lead.pk}/")
        timeline = page.locator("#timeline")
        timeline.locator("li.item", has_text="製品紹介").wait_for()
        self.assertIn(
            "3か月以内", timeline.locator("li.item", has_text="資料請求").first.inner_text()
        )
        self.assertIn(
            "web_form", timeline.locator("li.item", has_text="web_form").first.inner_text()
        )
        page.screenshot(path=str(OUTPUT / "webforms-lead-timeline.png"), full_page=True)
        staff.close()

    @mock.patch.object(tokens, "MIN_FILL_TIME", timedelta(0))
    def test_the_embedded_form_sizes_itself_and_learns_the_anonymous_id(self):
        tag = '<script async src="{server}/f/embed.js" data-kakehashi-form="shiryo"></script>'
        self.write_page("embed.html", "お問い合わせ", tag.format(server=self.live_server_url))
        context = self.browser.new_context(locale="ja-JP", user_agent=DESKTOP_UA)
        page = context.new_page()
        page.goto(f"{self.site_url}/embed.html?utm_source=ad", wait_until="domcontentloaded")
        frame_element = page.locator("iframe")
        frame_element.wait_for()
        frame = page.frame_locator("iframe")
        aid_input = frame.locator("input[name=aid]")
        aid_input.wait_for(state="attached")
        page.wait_for_function("document.cookie.indexOf('kk_aid=') !== -1")
        cookie = {c["name"]: c["value"] for c in context.cookies()}["kk_aid"]
        from playwright.sync_api import expect

        # The frame is another origin: embed.js hands the id over by postMessage.
        expect(aid_input).to_have_value(cookie, timeout=10_000)
        height = frame_element.evaluate("el => el.getBoundingClientRect().height")
        self.assertGreater(height, 600, "the frame grew to its content")
        self.assertIn("utm_source=ad", frame_element.get_attribute("src"))
        name = {f.key: f"[name=f{f.pk}]" for f in self.form.fields.all()}
        frame.locator(name["email"]).fill("taro@example.co.jp")
        frame.locator(name["姓"]).fill("鈴木")
        frame.get_by_label(CONSENT_JA).check()
        frame.locator("button[type=submit]").click()
        frame.locator("#thanks").wait_for()
        context.close()
        from kakehashi.webforms.models import Submission

        submission = Submission.objects.get(lead__email="taro@example.co.jp")
        self.assertEqual(submission.anonymous_id, cookie)
        self.assertEqual(submission.utm, {"source": "ad"})
        self.assertEqual(submission.page_url, f"{self.site_url}/embed.html?utm_source=ad")
