"""Marketing edits scores and rules in the UI; a change rescores every lead."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from kakehashi.scoring.models import EngagementRule, LeadScore, Score
from kakehashi.testing import PersonaTestCase
from kakehashi.timeline.actions import record
from kakehashi.timeline.models import Activity

from .factories import make_score


class RuleEditingTests(PersonaTestCase):
    def test_aiko_starts_from_typical_rules(self):
        self.client.force_login(self.aiko)
        response = self.client.post(reverse("scoring:starter"), follow=True)
        score = Score.objects.get()
        self.assertContains(response, "料金ページ閲覧")
        self.assertTrue(score.fit_rules.exists())
        self.assertTrue(Activity.objects.filter(kind="scoring.rules_changed").exists())

    def test_aiko_adds_a_rule_and_existing_leads_are_rescored(self):
        score = make_score()
        lead = self.make_lead(owner=self.sato)
        record(
            kind="form.submitted", lead=lead, data={"form": "資料請求"}, occurred_at=timezone.now()
        )
        self.assertFalse(LeadScore.objects.filter(lead=lead, score=score, g__gt=0).exists())
        self.client.force_login(self.aiko)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                reverse("scoring:rule_create", args=[score.pk]),
                {"name": "資料請求", "kind": "form.submitted", "conditions": "form equals 資料請求",
                 "points": "25", "active": "on"},
            )  # fmt: skip
        self.assertRedirects(response, reverse("scoring:detail", args=[score.pk]))
        state = LeadScore.objects.select_related("score").get(lead=lead, score=score)
        self.assertAlmostEqual(state.engagement, 25, places=3)
        score.refresh_from_db()
        self.assertFalse(score.recomputing)

    def test_a_condition_that_cannot_be_read_is_explained(self):
        score = make_score()
        self.client.force_login(self.aiko)
        response = self.client.post(
            reverse("scoring:rule_create", args=[score.pk]),
            {"name": "x", "kind": "page.viewed", "conditions": "url resembles /pricing",
             "points": "5"},
        )  # fmt: skip
        self.assertContains(response, "is not a comparison; use equals, contains or starts_with")
        self.assertFalse(EngagementRule.objects.exists())

    def test_notes_and_record_changes_cannot_score(self):
        score = make_score()
        self.client.force_login(self.aiko)
        response = self.client.post(
            reverse("scoring:rule_create", args=[score.pk]),
            {"name": "x", "kind": "note.added", "points": "5"},
        )
        self.assertContains(response, "Record changes, notes and settings do not score")

    def test_zero_points_and_inverted_thresholds_are_refused(self):
        score = make_score()
        self.client.force_login(self.aiko)
        response = self.client.post(
            reverse("scoring:rule_create", args=[score.pk]),
            {"name": "x", "kind": "page.viewed", "points": "0"},
        )
        self.assertContains(response, "A rule gives or takes at least one point.")
        response = self.client.post(
            reverse("scoring:edit", args=[score.pk]),
            {"name": "Default", "half_life_days": "7", "position": "0", "fit_a": "5",
             "fit_b": "15", "fit_c": "1", "engagement_1": "50", "engagement_2": "25",
             "engagement_3": "10"},
        )  # fmt: skip
        self.assertContains(response, "Fit thresholds must go down from A to C.")

    def test_fit_rule_on_a_custom_attribute_needs_its_name(self):
        score = make_score()
        self.client.force_login(self.mori)
        response = self.client.post(
            reverse("scoring:fit_create", args=[score.pk]),
            {"name": "予算", "field": "custom", "op": "equals", "value": "あり", "points": "5"},
        )
        self.assertContains(response, "Name the custom attribute this rule looks at.")

    def test_ken_reads_scores_but_cannot_change_them(self):
        score = make_score()
        self.client.force_login(self.ken)
        self.assertEqual(
            self.client.get(reverse("scoring:detail", args=[score.pk])).status_code, 200
        )
        self.assertEqual(self.client.get(reverse("scoring:create")).status_code, 403)
        response = self.client.post(
            reverse("scoring:rule_create", args=[score.pk]),
            {"name": "x", "kind": "page.viewed", "points": "5"},
        )
        self.assertEqual(response.status_code, 403)

    def test_outsider_is_refused(self):
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get(reverse("scoring:list")).status_code, 403)
        self.assertEqual(self.client.get(reverse("scoring:hot")).status_code, 403)

    def test_deleting_a_score_switches_it_off_then_removes_it(self):
        score = make_score()
        self.client.force_login(self.aiko)
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(reverse("scoring:delete", args=[score.pk]))
        self.assertFalse(Score.objects.filter(pk=score.pk).exists())
