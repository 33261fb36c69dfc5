"""The feedback loop: acceptance and rejection reasons by source, campaign and week; SLA
compliance and time to first touch by person and team; opportunity loss, each a list."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse

from kakehashi.handoff import actions
from kakehashi.handoff.models import RejectReason
from kakehashi.testing import PersonaTestCase
from kakehashi.timeline.actions import record

from .factories import MONDAY_10, setup, stage

PERIOD = {"since": "2026-11-01", "until": "2026-12-31"}


class FeedbackLoopPageTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        setup(cls)
        mql = stage(cls.journey, "mql")
        cls.handoffs = []
        for i, (source, campaign) in enumerate(
            [
                ("trade_show", "展示会2026"),
                ("trade_show", "展示会2026"),
                ("web", "google / 春"),
                ("web", "google / 春"),
            ]
        ):
            lead = cls.make_lead(last_name=f"L{i}", source=source, first_touch=campaign)
            cls.handoffs.append(actions.start_handoff(lead=lead, stage_id=mql.pk, now=MONDAY_10))
        ken_first, yuki_first, ken_second, _yuki_untouched = cls.handoffs
        record(
            kind="call.logged",
            lead=ken_first.lead,
            actor=cls.ken,
            occurred_at=MONDAY_10 + timedelta(hours=1),
        )
        actions.reject(handoff=ken_first, actor=cls.ken, reason=RejectReason.objects.get(code="competitor"),
                       comment="他社導入済み", now=MONDAY_10 + timedelta(hours=2))  # fmt: skip
        actions.accept(handoff=yuki_first, actor=cls.yuki, now=MONDAY_10 + timedelta(hours=3))
        record(
            kind="call.logged",
            lead=ken_second.lead,
            actor=cls.ken,
            occurred_at=MONDAY_10 + timedelta(days=1),
        )

    def setUp(self):
        self.client.force_login(self.aiko)

    def test_acceptance_by_source_and_campaign(self):
        page = self.client.get(reverse("handoff:feedback"), PERIOD)
        by_source = {r.key: r for r in page.context["by_source"]}
        self.assertEqual(
            (by_source["trade_show"].accepted, by_source["trade_show"].rejected), (1, 1)
        )
        self.assertEqual(by_source["trade_show"].rate, 0.5)
        self.assertIsNone(by_source["web"].rate)
        self.assertEqual(
            {r.key for r in page.context["by_campaign"]}, {"展示会2026", "google / 春"}
        )
        self.assertEqual(sum(r.handed for r in page.context["by_week"]), 4)

    def test_rejection_reasons_show_with_their_source(self):
        page = self.client.get(reverse("handoff:feedback"), PERIOD)
        self.assertContains(page, "Competitor")
        self.assertEqual(page.context["reasons"][0]["sources"], [("trade_show", 1)])

    def test_filtering_by_campaign_narrows_the_whole_page(self):
        page = self.client.get(reverse("handoff:feedback"), {**PERIOD, "campaign": "google / 春"})
        self.assertEqual(sum(r.handed for r in page.context["by_source"]), 2)
        self.assertEqual(page.context["reasons"], [])

    def test_sla_compliance_and_median_time_to_first_touch_by_person(self):
        page = self.client.get(reverse("handoff:feedback"), PERIOD)
        people = {c.label: c for c in page.context["people"]}
        ken, yuki = people["伊藤 健"], people["山本 由紀"]
        self.assertEqual((ken.in_time, ken.missed), (1, 1))  # 1 hour; the next day
        self.assertEqual(ken.rate, 0.5)
        self.assertEqual(sorted(ken.touch_hours), [1.0, 9.0])  # Monday 10–18 and Tuesday 9–10
        self.assertEqual(ken.median_hours, 5.0)
        self.assertEqual((yuki.in_time, yuki.missed), (1, 1))  # accepted in 3 h; one untouched
        self.assertEqual([t.label for t in page.context["teams"]], ["インサイドセールス部"])

    def test_opportunity_loss_lists_are_clickable(self):
        page = self.client.get(reverse("handoff:feedback"), PERIOD)
        self.assertEqual(page.context["loss"]["untouched"], 2)
        self.assertContains(page, reverse("handoff:loss", args=["untouched"]))
        listing = self.client.get(reverse("handoff:loss", args=["untouched"]), PERIOD)
        self.assertEqual({h.lead.last_name for h in listing.context["handoffs"]}, {"L2", "L3"})
        self.assertContains(listing, reverse("leads:detail", args=[self.handoffs[3].lead_id]))
        cold = self.client.get(reverse("handoff:loss", args=["cold"]), PERIOD)
        self.assertIn(self.handoffs[3].lead_id, [h.lead_id for h in cold.context["handoffs"]])
        self.assertEqual(self.client.get(reverse("handoff:loss", args=["nope"])).status_code, 404)

    def test_an_outsider_is_refused(self):
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get(reverse("handoff:feedback")).status_code, 403)
