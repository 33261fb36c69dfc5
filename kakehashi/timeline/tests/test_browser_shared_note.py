"""In a real browser: marketing writes a note on a demo lead; field sales reads it on the same
timeline. Drives the Debian Chromium through Playwright (no browser download)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from django.db.models import Count

from kakehashi.demo import generate
from kakehashi.leads.models import Lead

CHROMIUM = os.environ.get("KAKEHASHI_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
OUTPUT = Path(os.environ.get("KAKEHASHI_TEST_OUTPUT", "test-output")) / "browser"
PASSWORD = "browser-test-password-2026"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


@pytest.mark.browser
class SharedNoteInTheBrowserTest(StaticLiveServerTestCase):
    @classmethod
    def setUpClass(cls):
        if not os.path.exists(CHROMIUM):
            if os.environ.get("CI"):
                raise RuntimeError(f"CI needs Chromium at {CHROMIUM}")
            raise pytest.skip.Exception(f"no Chromium at {CHROMIUM}")
        # Playwright's sync API runs an event loop; the ORM calls here are all synchronous.
        cls._async_unsafe = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        super().setUpClass()
        from playwright.sync_api import sync_playwright

        cls.playwright = sync_playwright().start()
        cls.browser = cls.playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

    @classmethod
    def tearDownClass(cls):
        cls.browser.close()
        cls.playwright.stop()
        super().tearDownClass()
        if cls._async_unsafe is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = cls._async_unsafe

    def setUp(self):
        generate.generate(leads=30, activities_per_lead=6, password=PASSWORD)
        OUTPUT.mkdir(parents=True, exist_ok=True)

    def log_in(self, page, handle):
        page.goto(f"{self.live_server_url}/accounts/login/")
        page.fill("input[name=username]", f"{handle}@{generate.DEMO_DOMAIN}")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{self.live_server_url}/")

    def test_marketing_note_is_seen_by_field_sales_on_the_same_timeline(self):
        lead = (
            Lead.objects.filter(owner__email__startswith="sato@")
            .annotate(n=Count("activities"))
            .order_by("-n")
            .first()
        ) or Lead.objects.first()
        note = "展示会で名刺交換。MA連携に強い関心あり。来週フォローお願いします。"

        context = self.browser.new_context(locale="ja-JP")
        page = context.new_page()
        self.log_in(page, "aiko")
        page.fill("input[type=search]", lead.email)
        page.press("input[type=search]", "Enter")
        page.click(f"a[href='/leads/{lead.pk}/']")
        page.fill("textarea[name=body]", note)
        page.click("form.note-form button[type=submit]")
        page.locator("#timeline li.item", has_text=note).wait_for()
        first = page.locator("#timeline li.item").first
        self.assertIn(note, first.inner_text(), "the new note is at the top of the timeline")
        self.assertIn("マーケティング", first.inner_text())
        page.click("form[action='/accounts/logout/'] button")
        context.close()

        context = self.browser.new_context(locale="ja-JP")
        page = context.new_page()
        self.log_in(page, "sato")
        page.goto(f"{self.live_server_url}/leads/{lead.pk}/")
        item = page.locator("#timeline li.item", has_text=note)
        item.wait_for()
        self.assertIn("高橋 愛子", item.inner_text())
        self.assertIn("共有タイムライン", page.content())
        page.screenshot(path=str(OUTPUT / "shared-note.png"), full_page=True)
        # Filtering to marketing keeps the note; to field sales hides it.
        page.click("nav.tabs a:has-text('フィールドセールス')")
        page.wait_for_timeout(300)
        self.assertEqual(page.locator("#timeline li.item", has_text=note).count(), 0)
        context.close()
        self.assertTrue((OUTPUT / "shared-note.png").stat().st_size > 10_000)
