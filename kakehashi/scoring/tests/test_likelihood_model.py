"""The likelihood-to-close model beats the rule score on data with a known signal, explains
itself in plain words, and falls back to the rule score while outcomes are few."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone, translation

from kakehashi.leads.models import Lead
from kakehashi.scoring import outcomes, predict, recompute, synthetic
from kakehashi.scoring.models import ModelVersion
from kakehashi.testing import PersonaTestCase


class LikelihoodModelTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        synthetic.generate(leads=1500, activities=24000, seed=3)
        cls.score = synthetic.bench_score()
        recompute.recompute_score(score_id=cls.score.pk, now=timezone.now())

    def test_model_beats_the_rule_score_on_newer_leads(self):
        _, report = predict.train(now=timezone.now())
        self.assertGreater(report["n_train"], report["n_test"])
        self.assertGreater(report["auc_model"], report["auc_rules"])
        self.assertLess(report["calibration_error"], 0.15)
        self.assertGreaterEqual(report["precision_at_top_10pct"], 0.5)

    def test_model_page_shows_the_report_and_version_in_use(self):
        self.client.force_login(self.aiko)
        self.client.post(reverse("scoring:train"))
        version = ModelVersion.objects.get(in_use=True)
        response = self.client.get(reverse("scoring:model"))
        self.assertContains(response, "Model in use: version 1")
        self.assertContains(response, f'data-key="auc_model">{version.metrics["auc_model"]}<')
        self.assertContains(response, f'data-key="auc_rules">{version.metrics["auc_rules"]}<')

    def test_lead_page_gives_a_probability_and_reasons_in_plain_words(self):
        predict.train_and_store(now=timezone.now())
        lead = Lead.objects.filter(company__industry="manufacturing").order_by("-pk").first()
        with translation.override("en"):  # the test client browses in English
            result = predict.likelihood(lead.pk, now=timezone.now())
        self.assertTrue(0 <= result.probability <= 1)
        self.assertTrue(result.factors)
        self.client.force_login(self.sato)
        response = self.client.get(reverse("scoring:lead_panel", args=[lead.pk]))
        self.assertContains(response, "Likelihood to close")
        self.assertContains(response, result.factors[0][0])

    def test_a_tampered_model_is_never_loaded(self):
        version = predict.train_and_store(now=timezone.now())
        ModelVersion.objects.filter(pk=version.pk).update(signature="0" * 64)
        predict._cache.clear()
        with self.assertRaises(predict.TamperedModel):
            predict.model_in_use()

    def test_mql_suggestion_comes_from_leads_with_known_outcomes(self):
        suggestion = predict_suggestion(self.score, 100)
        self.assertEqual(suggestion.capacity, 100)
        self.assertGreater(suggestion.wins_caught, 0)
        self.assertLessEqual(suggestion.wins_caught, 100)


def predict_suggestion(score, capacity):
    from kakehashi.scoring import queries

    return queries.suggest_mql(score, capacity, timezone.now())


def tagged_lead(name, tags=(), **fields):
    from kakehashi.leads import actions

    return actions.create_lead(
        actor=None, fields={"last_name": name, **fields}, tags=tags, now=timezone.now()
    )


class TooFewOutcomesTests(PersonaTestCase):
    def test_without_enough_outcomes_there_is_no_model_and_the_page_says_why(self):
        tagged_lead("勝", ["customer"])
        self.assertEqual(outcomes.labels().__len__(), 1)
        self.assertIsNone(predict.train_and_store(now=timezone.now()))
        self.client.force_login(self.aiko)
        response = self.client.get(reverse("scoring:model"))
        self.assertContains(response, "No model yet.")

    def test_outcomes_read_tags_and_the_outcome_attribute(self):
        won = tagged_lead("勝", ["受注"])
        lost = tagged_lead("負", custom_attributes={"outcome": "Disqualified"})
        tagged_lead("未定", ["VIP"])
        self.assertEqual(outcomes.labels(), {won.pk: True, lost.pk: False})
