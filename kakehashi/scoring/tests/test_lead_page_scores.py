"""The lead list shows a grade; the lead page explains every point, and it adds up."""

from __future__ import annotations

import re
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kakehashi.scoring import queries
from kakehashi.scoring.models import LeadScore
from kakehashi.testing import PersonaTestCase
from kakehashi.timeline.actions import record

from .factories import recompute, standard_score


class LeadPageScoresTests(PersonaTestCase):
    def setUp(self):
        self.score = standard_score()
        self.now = timezone.now()
        self.lead = self.make_lead(owner=self.sato, title="営業部長")
        for days in (0, 0, 0, 3, 10):
            record(kind="page.viewed", lead=self.lead, occurred_at=self.now - timedelta(days=days),
                   data={"url": "https://example.jp/pricing"})  # fmt: skip
        record(kind="page.viewed", lead=self.lead, occurred_at=self.now - timedelta(days=2),
               data={"url": "https://example.jp/careers"})  # fmt: skip
        record(kind="form.submitted", lead=self.lead, occurred_at=self.now - timedelta(days=20),
               data={"form": "資料請求"})  # fmt: skip

    def test_explanation_sums_to_the_score(self):
        explanation = queries.explain(self.lead.pk, self.score, self.now)
        state = LeadScore.objects.select_related("score").get(lead=self.lead, score=self.score)
        self.assertAlmostEqual(explanation.total_now, state.engagement_at(self.now), places=9)
        self.assertAlmostEqual(explanation.engagement, explanation.total_now, places=9)
        by_rule = {r.name: r for r in explanation.rules}
        self.assertEqual(by_rule["Pricing"].points, 15 + 10 + 10)  # capped at 15 today
        self.assertEqual(by_rule["Careers"].points, -5)
        self.assertEqual(explanation.gained_24h, 15)

    def test_lead_panel_shows_rules_points_and_matching_totals(self):
        self.client.force_login(self.ken)
        response = self.client.get(reverse("scoring:lead_panel", args=[self.lead.pk]))
        html = response.content.decode()
        self.assertContains(response, "Pricing")
        self.assertContains(response, "Brochure")
        shown = re.search(r'class="engagement-now">([\d.,-]+)<', html).group(1)
        total = re.search(r'class="num explanation-total">([\d.,-]+)<', html).group(1)
        self.assertEqual(shown, total)
        self.assertContains(response, "No likelihood model yet")

    def test_lead_page_loads_the_panel(self):
        self.client.force_login(self.ken)
        response = self.client.get(reverse("leads:detail", args=[self.lead.pk]))
        self.assertContains(response, reverse("scoring:lead_panel", args=[self.lead.pk]))

    def test_lead_list_shows_the_grade_without_extra_queries_per_lead(self):
        self.client.force_login(self.aiko)
        with CaptureQueriesContext(connection) as few:
            response = self.client.get(reverse("leads:list"))
        grade = LeadScore.objects.select_related("score").get(lead=self.lead).grade
        self.assertEqual(grade[0], "C")  # 部長: 10 fit points; C from 5, B from 15
        self.assertContains(response, f">{grade}</span>")
        for i in range(20):
            self.make_lead(owner=self.taro, last_name=f"追加{i}", title="部長")
        with CaptureQueriesContext(connection) as many:
            self.client.get(reverse("leads:list"))
        self.assertEqual(len(many), len(few))

    def test_hot_now_lists_the_lead_that_just_gained_points(self):
        quiet = self.make_lead(owner=self.sato, last_name="静か")
        self.client.force_login(self.ken)
        response = self.client.get(reverse("scoring:hot"))
        self.assertContains(response, self.lead.display_name)
        self.assertNotContains(response, quiet.display_name)

    def test_hot_now_reads_the_recomputed_state_and_leaves_out_old_gains(self):
        old = self.make_lead(owner=self.sato, last_name="過去")
        record(
            kind="page.viewed", lead=old, occurred_at=self.now - timedelta(days=10),
            data={"url": "https://example.jp/pricing"},
        )  # fmt: skip
        recompute(self.score)
        week = [row["lead_id"] for row in queries.velocity(self.score, self.now, days=7)]
        self.assertIn(self.lead.pk, week)
        self.assertNotIn(old.pk, week)
        fortnight = [row["lead_id"] for row in queries.velocity(self.score, self.now, days=14)]
        self.assertIn(old.pk, fortnight)

    def test_mqls_are_an_indexed_threshold_on_g(self):
        self.assertEqual(
            list(queries.at_least(self.score, 20, self.now).values_list("lead", flat=True)),
            [self.lead.pk],
        )
        self.assertFalse(queries.at_least(self.score, 500, self.now).exists())
