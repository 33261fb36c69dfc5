"""In Chromium: drag a deal to another column of the kanban board; the move persists."""

from __future__ import annotations

import pytest
from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from django.utils import timezone

from kakehashi.browser_testing import OUTPUT, BrowserTestMixin
from kakehashi.deals import actions
from kakehashi.deals.models import Deal, Stage
from kakehashi.testing import make_user

PASSWORD = "board-test-password-2026"


@pytest.mark.browser
class KanbanDragTest(BrowserTestMixin, StaticLiveServerTestCase):
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
        self.log_in(page, "sato@example.jp", PASSWORD)
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
        page.screenshot(path=str(OUTPUT / "deal-board.png"), full_page=True)
        page.reload()
        page.wait_for_selector(
            f".deal-column[data-stage='{proposal.pk}'] .deal-card[data-deal='{deal.pk}']"
        )
        deal.refresh_from_db()
        self.assertEqual(deal.stage, proposal)
        self.assertEqual(Deal.objects.get().stage.name_ja, "提案")
