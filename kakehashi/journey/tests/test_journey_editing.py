"""Marketing edits the journey: stages (ja/en names, owning team) and their entry rules."""

from __future__ import annotations

from django.urls import reverse

from kakehashi.journey.models import EntryRule, Stage
from kakehashi.testing import PersonaTestCase

from .factories import btob, score, stage


class JourneyEditingTests(PersonaTestCase):
    def setUp(self):
        score()
        self.journey = btob()
        self.client.force_login(self.aiko)

    def test_aiko_renames_a_stage_and_gives_it_to_inside_sales(self):
        sal = stage(self.journey, "sal")
        response = self.client.post(reverse("journey:stage_edit", args=[self.journey.pk, sal.pk]), {
            "name_ja": "SAL（受入）", "name_en": "Sales accepted", "key": "sal", "position": "50",
            "owner_function": "inside_sales", "description": "",
        })  # fmt: skip
        self.assertRedirects(response, reverse("journey:edit", args=[self.journey.pk]))
        self.assertEqual(Stage.objects.get(pk=sal.pk).name_en, "Sales accepted")

    def test_aiko_adds_an_entry_rule_with_conditions(self):
        mql = stage(self.journey, "mql")
        response = self.client.post(reverse("journey:rule_create", args=[self.journey.pk, mql.pk]), {
            "kind": "activity", "activity_kind": "form.submitted",
            "conditions_text": "form equals お問い合わせ", "active": "on",
        })  # fmt: skip
        self.assertRedirects(response, reverse("journey:edit", args=[self.journey.pk]))
        rule = EntryRule.objects.filter(stage=mql, kind="activity").get()
        self.assertEqual(
            rule.conditions, [{"key": "form", "op": "equals", "value": "お問い合わせ"}]
        )
        page = self.client.get(reverse("journey:edit", args=[self.journey.pk]))
        self.assertContains(page, "form equals お問い合わせ")

    def test_a_score_rule_needs_a_threshold(self):
        mql = stage(self.journey, "mql")
        response = self.client.post(reverse("journey:rule_create", args=[self.journey.pk, mql.pk]),
                                    {"kind": "score", "active": "on"})  # fmt: skip
        self.assertContains(response, "A score rule needs a threshold.")

    def test_a_stage_with_leads_cannot_be_deleted(self):
        self.make_lead()
        self.client.post(
            reverse(
                "journey:stage_delete", args=[self.journey.pk, stage(self.journey, "awareness").pk]
            )
        )
        self.assertTrue(Stage.objects.filter(journey=self.journey, key="awareness").exists())

    def test_ken_cannot_edit_the_journey(self):
        self.client.force_login(self.ken)
        self.assertEqual(
            self.client.get(reverse("journey:edit", args=[self.journey.pk])).status_code, 403
        )
