"""In a real browser: marketing writes a note on a demo lead; field sales reads it on the same
timeline. Drives the Debian Chromium through Playwright (no browser download)."""

from __future__ import annotations

import pytest
from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from django.db.models import Count

from kakehashi.browser_testing import OUTPUT, BrowserTestMixin
from kakehashi.demo import generate
from kakehashi.leads.models import Lead

PASSWORD = "browser-test-password-2026"


@pytest.mark.browser
class SharedNoteInTheBrowserTest(BrowserTestMixin, StaticLiveServerTestCase):
    def setUp(self):
        generate.generate(leads=30, activities_per_lead=6, password=PASSWORD)

    def log_in_as(self, page, handle):
        self.log_in(page, f"{handle}@{generate.DEMO_DOMAIN}", PASSWORD)

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
        self.log_in_as(page, "aiko")
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
        self.log_in_as(page, "sato")
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
