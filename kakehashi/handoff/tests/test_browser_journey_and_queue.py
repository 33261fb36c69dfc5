"""In a real browser: the journey map shows live counts and the Sankey; Ken's work queue shows
the SLA countdown on the lead marketing just handed off. Drives the Debian Chromium through
Playwright (no browser download)."""

from __future__ import annotations

import pytest
from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from django.utils import timezone

from kakehashi.accounts.models import User
from kakehashi.browser_testing import OUTPUT, BrowserTestMixin
from kakehashi.demo import generate
from kakehashi.handoff.models import AssignmentMember, Handoff
from kakehashi.journey import engine
from kakehashi.leads.models import Lead
from kakehashi.scoring import engine as scoring_engine
from kakehashi.timeline.actions import record

from .factories import btob, policy, score

PASSWORD = "browser-test-password-2026"


@pytest.mark.browser
class JourneyMapAndQueueInTheBrowserTest(BrowserTestMixin, StaticLiveServerTestCase):
    def setUp(self):
        engine.invalidate()
        scoring_engine.invalidate()
        generate.generate(leads=12, activities_per_lead=2, password=PASSWORD)
        score()
        self.journey = btob()
        ken = User.objects.get(email=f"ken@{generate.DEMO_DOMAIN}")
        pol = policy(self.journey, ken.team, account_based=False)
        AssignmentMember.objects.filter(rule__policy=pol).exclude(user=ken).delete()
        self.lead = (
            Lead.objects.filter(owner__isnull=True).order_by("pk").first() or Lead.objects.first()
        )
        Lead.objects.filter(pk=self.lead.pk).update(owner=None)
        self.lead.refresh_from_db()
        now = timezone.now()
        record(kind="form.submitted", lead=self.lead, occurred_at=now, data={"form": "資料請求"})
        record(kind="event.attended", lead=self.lead, occurred_at=now)
        for _ in range(2):
            record(kind="page.viewed", lead=self.lead, occurred_at=now, data={"url": "/pricing"})
        self.handoff = Handoff.objects.get(lead=self.lead)
        assert self.handoff.owner == ken

    def tearDown(self):
        engine.invalidate()
        scoring_engine.invalidate()

    def test_the_map_shows_counts_and_the_queue_shows_the_sla_countdown(self):
        context = self.browser.new_context(locale="ja-JP")
        page = context.new_page()
        self.log_in(page, f"ken@{generate.DEMO_DOMAIN}", PASSWORD)
        page.goto(f"{self.live_server_url}/journey/{self.journey.pk}/")
        mql = page.locator(".stage[data-stage=mql]")
        mql.wait_for()
        self.assertIn("MQL", mql.inner_text())
        self.assertEqual(mql.locator(".count").inner_text().strip(), "1")
        awareness = page.locator(".stage[data-stage=awareness] .count").inner_text().strip()
        self.assertEqual(int(awareness), Lead.objects.count() - 1)
        page.locator("#journey-sankey svg").first.wait_for()
        self.assertGreater(page.locator("#journey-sankey .sankey-node").count(), 1)
        page.screenshot(path=str(OUTPUT / "journey-map.png"), full_page=True)

        page.click("nav.sidebar a[href='/queue/']")
        row = page.locator(f"tr[data-handoff='{self.handoff.pk}']")
        row.wait_for()
        countdown = row.locator("td.sla").inner_text()
        self.assertRegex(countdown, r"\d+h \d\dm|期限超過|Overdue")
        self.assertIn(self.lead.display_name, row.inner_text())
        page.screenshot(path=str(OUTPUT / "work-queue.png"), full_page=True)
        # One click logs the call; the row then shows the first touch instead of a countdown.
        row.locator("button:has-text('☎')").click()
        page.locator(f"tr[data-handoff='{self.handoff.pk}'] td.sla .sla-touched").wait_for()
        context.close()
        self.handoff.refresh_from_db()
        self.assertIsNotNone(self.handoff.first_touch_at)
        self.assertTrue((OUTPUT / "journey-map.png").stat().st_size > 10_000)
