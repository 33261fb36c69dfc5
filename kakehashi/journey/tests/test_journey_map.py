"""The journey map: stages in swimlanes by team with live counts, conversion, median time in
stage and drop-off for a period, and the Sankey of the actual flows; templates to start from."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from kakehashi.journey import actions
from kakehashi.journey.models import Journey, Stage
from kakehashi.testing import PersonaTestCase
from kakehashi.timeline.actions import record

from .factories import btob, score, stage


class JourneyMapTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.score = score()
        cls.journey = btob()
        now = timezone.now()
        for i in range(4):
            lead = cls.make_lead(last_name=f"L{i}")
            record(kind="form.submitted", lead=lead, occurred_at=now - timedelta(days=3))
            if i < 2:
                record(kind="deal.created", lead=lead, occurred_at=now - timedelta(days=1))
            if i == 0:
                actions.move_lead(lead=lead, stage=stage(cls.journey, "nurture"), actor=cls.mori,
                                  reason="予算凍結", now=now)  # fmt: skip

    def setUp(self):
        self.client.force_login(self.ken)

    def figure(self, page, key):
        return next(f for f in page.context["figures"] if f.stage.key == key)

    def test_everyone_inside_sees_the_map_with_live_counts_and_lanes(self):
        with self.assertNumQueries(12):
            page = self.client.get(reverse("journey:map", args=[self.journey.pk]))
        self.assertEqual(self.figure(page, "consideration").count, 2)
        self.assertEqual(self.figure(page, "opportunity").count, 1)
        self.assertEqual(self.figure(page, "nurture").count, 1)
        self.assertEqual([label for _i, _f, label in page.context["lanes"]],
                         ["Marketing", "Inside sales", "Field sales", "Customer success"])  # fmt: skip
        self.assertContains(page, "Consideration")
        self.assertContains(page, 'id="journey-map"')

    def test_conversion_time_in_stage_and_drop_off(self):
        page = self.client.get(reverse("journey:map", args=[self.journey.pk]))
        consideration = self.figure(page, "consideration")
        self.assertEqual((consideration.entered, consideration.moved_on), (4, 2))
        self.assertAlmostEqual(consideration.conversion, 0.5)
        self.assertAlmostEqual(consideration.median_days, 2.0, places=2)
        opportunity = self.figure(page, "opportunity")
        self.assertEqual((opportunity.entered, opportunity.dropped), (2, 1))
        self.assertContains(page, "50%")

    def test_the_sankey_draws_actual_flows_including_recycling_with_local_plotly(self):
        page = self.client.get(reverse("journey:map", args=[self.journey.pk]))
        figure = page.context["sankey"]["data"][0]
        labels = figure["node"]["label"]
        flows = {(labels[s], labels[t]): v for s, t, v in
                 zip(figure["link"]["source"], figure["link"]["target"], figure["link"]["value"], strict=True)}  # fmt: skip
        self.assertEqual(flows[("Awareness", "Consideration")], 4)
        self.assertEqual(flows[("Opportunity", "Nurturing")], 1)
        self.assertContains(page, "/static/plotly/plotly.min.js")
        self.assertContains(page, 'id="journey-sankey-data"')
        js = self.client.get("/static/plotly/plotly.min.js")
        self.assertEqual(js.status_code, 200)

    def test_a_period_without_moves_shows_counts_but_no_flows(self):
        page = self.client.get(reverse("journey:map", args=[self.journey.pk]),
                               {"since": "2020-01-01", "until": "2020-01-31"})  # fmt: skip
        self.assertEqual(self.figure(page, "consideration").entered, 0)
        self.assertEqual(self.figure(page, "consideration").count, 2)
        self.assertContains(page, "No lead moved in this period.")

    def test_japanese_names_in_japanese(self):
        page = self.client.get(
            reverse("journey:map", args=[self.journey.pk]), HTTP_ACCEPT_LANGUAGE="ja"
        )
        self.assertContains(page, "ナーチャリング")

    def test_counts_link_to_the_leads_in_the_stage(self):
        page = self.client.get(
            reverse("journey:stage_leads", args=[stage(self.journey, "consideration").pk])
        )
        self.assertEqual(len(page.context["page_obj"]), 2)

    def test_marketing_starts_a_btoc_journey_from_the_template_and_ken_may_not(self):
        self.client.force_login(self.ken)
        self.assertEqual(
            self.client.post(reverse("journey:from_blueprint", args=["btoc"])).status_code, 403
        )
        self.client.force_login(self.aiko)
        response = self.client.post(reverse("journey:from_blueprint", args=["btoc"]))
        journey = Journey.objects.get(kind="btoc")
        self.assertRedirects(response, reverse("journey:map", args=[journey.pk]))
        self.assertEqual(
            list(Stage.objects.filter(journey=journey).values_list("name_ja", flat=True)),
            [
                "認知",
                "興味・関心",
                "比較・検討",
                "購入",
                "継続・リピート",
                "ファン化・推奨",
                "休眠",
            ],
        )
        # Every lead already in the database starts in the new journey's first stage.
        page = self.client.get(reverse("journey:map", args=[journey.pk]))
        self.assertEqual(self.figure(page, "awareness").count, 4)

    def test_an_outsider_is_refused(self):
        self.client.force_login(self.outsider)
        self.assertEqual(
            self.client.get(reverse("journey:map", args=[self.journey.pk])).status_code, 403
        )
