"""`kakehashi score recompute` and `kakehashi score train` from the command line."""

from __future__ import annotations

import json
from io import StringIO

from django.core.management import CommandError, call_command
from django.utils import timezone

from kakehashi.scoring import synthetic
from kakehashi.scoring.models import LeadScore, ModelVersion
from kakehashi.testing import PersonaTestCase


class ScoreCommandTests(PersonaTestCase):
    def test_recompute_scores_every_lead(self):
        synthetic.generate(leads=50, activities=500, now=timezone.now())
        score = synthetic.bench_score()
        out = StringIO()
        call_command("score", "recompute", "--json", "--batch", "7", stdout=out)
        self.assertEqual(json.loads(out.getvalue())[0]["leads"], 50)
        self.assertEqual(LeadScore.objects.filter(score=score).count(), 50)

    def test_train_prints_the_report_as_json(self):
        synthetic.generate(leads=600, activities=9000, now=timezone.now())
        synthetic.bench_score()
        call_command("score", "recompute", "--json", stdout=StringIO())
        out = StringIO()
        call_command("score", "train", "--json", stdout=out)
        report = json.loads(out.getvalue())
        for key in ("n_train", "n_test", "auc_model", "auc_rules", "precision_at_top_10pct",
                    "calibration_error"):  # fmt: skip
            self.assertIn(key, report)
        self.assertTrue(
            ModelVersion.objects.filter(in_use=True, version=report["version"]).exists()
        )

    def test_train_without_outcomes_explains_the_fallback(self):
        with self.assertRaisesMessage(CommandError, "ranked by the rule score"):
            call_command("score", "train", stdout=StringIO())
