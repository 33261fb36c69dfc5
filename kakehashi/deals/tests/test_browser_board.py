"""In Chromium: drag a deal to another column of the kanban board; the move persists."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from django.utils import timezone

from kakehashi.deals import actions
from kakehashi.deals.models import Deal, Stage
from kakehashi.testing import make_user
from kakehashi.timeline.tests.test_browser_shared_note import CHROMIUM, CHROMIUM_ARGS

OUTPUT = Path(os.environ.get("KAKEHASHI_TEST_OUTPUT", "test-output")) / "browser"
PASSWORD = "board-test-password-2026"


@pytest.mark.browser
class KanbanDragTest(StaticLiveServerTestCase):
    @classmethod
    def setUpClass(cls):
        if not os.path.exists(CHROMIUM):
            if os.environ.get("CI"):
                raise RuntimeError(f"CI needs Chromium at {CHROMIUM}")
            raise pytest.skip.Exception(f"no Chromium at {CHROMIUM}")
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

    def test_sato_drags_a_deal_from_first_meeting_to_proposal(self):
        from kakehashi.accounts.models import Function, Team

        team = Team.objects.create(name="営業第一部", function=Function.FIELD_SALES)
        sato = make_user("sato@example.jp", "佐藤 翔太", team)
        sato.set_password(PASSWORD)
        sato.save()
        actions.ensure_defaults()
        deal = actions.create_deal(
            name="ドラッグする商談", owner=sato, amount=1500000, actor=sato, now=timezone.now()
        )
        proposal = Stage.objects.get(name_ja="提案")

        page = self.browser.new_context(
            locale="ja-JP", viewport={"width": 1400, "height": 900}
        ).new_page()
        page.goto(f"{self.live_server_url}/accounts/login/")
        page.fill("input[name=username]", "sato@example.jp")
        page.fill("input[name=password]", PASSWORD)
        page.click("form:not([action]) button[type=submit], form[method=post] button.primary")
        page.wait_for_url(f"{self.live_server_url}/")
        page.goto(f"{self.live_server_url}/deals/")
        card = page.locator(f".deal-card[data-deal='{deal.pk}']")
        target = page.locator(f".deal-column[data-stage='{proposal.pk}']")
        with page.expect_response(lambda r: r.url.endswith(f"/deals/{deal.pk}/move/")) as moved:
            card.drag_to(target)
        self.assertEqual(moved.value.status, 200)
        page.wait_for_selector(
            f".deal-column[data-stage='{proposal.pk}'] .deal-card[data-deal='{deal.pk}']"
        )
        self.assertIn("¥1,500,000", target.inner_text())
        OUTPUT.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(OUTPUT / "deal-board.png"), full_page=True)
        page.reload()
        page.wait_for_selector(
            f".deal-column[data-stage='{proposal.pk}'] .deal-card[data-deal='{deal.pk}']"
        )
        deal.refresh_from_db()
        self.assertEqual(deal.stage, proposal)
        self.assertEqual(Deal.objects.get().stage.name_ja, "提案")
