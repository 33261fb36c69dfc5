"""The score moves the moment an activity is recorded, and a recompute agrees with it."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import F
from django.utils import timezone

from kakehashi.scoring import contributions, engine, queries
from kakehashi.scoring.models import EngagementRule, LeadScore, Score, ScoreEvent
from kakehashi.testing import PersonaTestCase
from kakehashi.timeline.actions import record

from .factories import contributed, engagement, make_score, recompute, standard_score


class IncrementalScoreTests(PersonaTestCase):
    def setUp(self):
        self.score = standard_score()
        self.now = timezone.now()
        self.lead = self.make_lead(
            owner=self.sato, title="情報システム部長", company_name="東洋工業"
        )

    def view(self, path, days_ago, **extra):
        return record(
            kind="page.viewed", lead=self.lead,
            occurred_at=self.now - timedelta(days=days_ago),
            data={"url": f"https://example.jp{path}", **extra},
        )  # fmt: skip

    def state(self):
        return LeadScore.objects.select_related("score").get(lead=self.lead, score=self.score)

    def test_a_pricing_view_adds_ten_points_decayed_by_age(self):
        self.view("/pricing", days_ago=7)  # one half-life ago
        self.assertAlmostEqual(self.state().engagement_at(self.now), 5.0, places=6)

    def test_fit_is_set_when_the_lead_is_created(self):
        state = self.state()
        self.assertEqual(state.fit_points, 10)  # 部長; the company has no industry yet

    def test_daily_cap_stops_at_fifteen_points_a_day(self):
        for _ in range(3):
            self.view("/pricing", days_ago=0)
        self.assertEqual([p for _a, _r, p in contributed(self.score)], [10, 5])
        self.assertAlmostEqual(self.state().engagement_at(self.now), 15.0, places=6)

    def test_negative_points_with_a_total_cap(self):
        self.view("/pricing", days_ago=0)
        for _ in range(4):
            self.view("/careers", days_ago=0)
        self.assertAlmostEqual(self.state().engagement_at(self.now), 0.0, places=6)
        self.assertEqual(sorted(p for _a, _r, p in contributed(self.score)), [-5, -5, 10])

    def test_only_capped_rules_keep_events_and_the_others_are_computed_from_the_timeline(self):
        self.view("/pricing", days_ago=0)
        record(kind="email.clicked", lead=self.lead, occurred_at=self.now, data={"url": "x"})
        self.assertEqual(
            list(ScoreEvent.objects.values_list("rule__name", "points")), [("Pricing", 10)]
        )
        self.assertEqual(sorted(p for _a, _r, p in contributed(self.score)), [3, 10])
        spec = engine.load_specs([self.score.pk])[0]
        g = contributions.decayed_sums(spec, lead_id=self.lead.pk)[self.lead.pk]
        self.assertAlmostEqual(g / LeadScore.objects.get(lead=self.lead).g, 1.0, places=9)

    def test_an_activity_two_uncapped_rules_match_counts_for_both_in_a_recompute(self):
        score = make_score("Docs")
        engagement(score, "page", 1, name="Any page")
        engagement(score, "page.viewed", 4, "url contains /docs", name="Docs")
        for days_ago in (0, 2):
            self.view("/docs/start", days_ago=days_ago)
        self.view("/about", days_ago=1)
        state = LeadScore.objects.select_related("score").get(lead=self.lead, score=score)
        before = state.engagement_at(self.now)
        self.assertEqual(sorted(p for _a, _r, p in contributed(score)), [1, 1, 1, 4, 4])
        LeadScore.objects.filter(score=score).update(g=0)
        recompute(score)
        state = LeadScore.objects.select_related("score").get(lead=self.lead, score=score)
        self.assertAlmostEqual(state.engagement_at(self.now), before, places=6)
        self.assertAlmostEqual(before, 5 + 0.5 ** (1 / 7) + 5 * 0.5 ** (2 / 7), places=4)
        hot = queries.velocity(score, self.now, days=1.5)
        self.assertEqual(hot, [{"lead_id": self.lead.pk, "gained": 6}])

    def test_a_lead_without_a_score_row_gets_one_from_its_first_activity(self):
        LeadScore.objects.filter(lead=self.lead).delete()
        record(kind="email.clicked", lead=self.lead, occurred_at=self.now, data={"url": "x"})
        self.assertAlmostEqual(self.state().engagement_at(self.now), 3.0, places=6)
        self.assertEqual(self.state().fit_points, 10)

    def test_an_activity_scored_with_outdated_rules_is_scored_again_with_the_new_ones(self):
        engine.snapshot()  # this process holds the rules as they are now
        # Another process edits a rule and its recompute runs; this process's rules are older.
        EngagementRule.objects.filter(score=self.score, name="Any e-mail").update(points=7)
        Score.objects.filter(pk=self.score.pk).update(rules_version=F("rules_version") + 1)
        recompute(self.score)
        self.assertEqual(self.state().rules_version, self.score.rules_version + 1)
        record(kind="email.clicked", lead=self.lead, occurred_at=self.now, data={"url": "x"})
        self.assertAlmostEqual(self.state().engagement_at(self.now), 7.0, places=6)

    def test_unmatched_activities_cost_no_query(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as with_scoring:
            record(kind="call.logged", lead=self.lead, occurred_at=self.now, data={})
        engine.ENABLED = False
        try:
            with CaptureQueriesContext(connection) as without:
                record(kind="call.logged", lead=self.lead, occurred_at=self.now, data={})
        finally:
            engine.ENABLED = True
        self.assertEqual(len(with_scoring), len(without))

    def test_recompute_rebuilds_the_same_state(self):
        self.view("/pricing", days_ago=3)
        self.view("/pricing", days_ago=3)
        self.view("/pricing", days_ago=1)
        self.view("/careers", days_ago=2)
        record(kind="email.clicked", lead=self.lead, occurred_at=self.now, data={"url": "x"})
        record(
            kind="form.submitted", lead=self.lead, occurred_at=self.now, data={"form": "資料請求"}
        )
        before = self.state().engagement_at(self.now)
        events_before = contributed(self.score)
        self.assertEqual(len(events_before), 6)  # pricing 10+5 and 10, careers, e-mail, form
        LeadScore.objects.update(g=0)
        ScoreEvent.objects.all().delete()
        recompute(self.score)
        self.assertAlmostEqual(self.state().engagement_at(self.now), before, places=6)
        self.assertEqual(contributed(self.score), events_before)
        self.assertEqual(self.state().fit_points, 10)


class PreparedScoreUpdateTests(PersonaTestCase):
    """On PostgreSQL the score update is a prepared statement after its first few uses (it
    was planned anew for every activity, which cost more than running it)."""

    def setUp(self):
        from django.db import connection

        if connection.vendor != "postgresql":
            self.skipTest("prepared statements are PostgreSQL's")
        self.score = make_score()
        engagement(self.score, "page.viewed", 4, "url contains /case-studies", name="Cases")
        self.now = timezone.now()
        self.lead = self.make_lead(owner=self.sato, company_name="東洋工業")

    def test_repeated_updates_use_one_prepared_statement_and_keep_every_point(self):
        from django.db import connection

        for days_ago in range(8):
            record(
                kind="page.viewed", lead=self.lead, occurred_at=self.now - timedelta(days=days_ago),
                data={"url": "https://example.jp/case-studies/1"},
            )  # fmt: skip
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_prepared_statements"
                " WHERE statement LIKE '%%UPDATE leads_lead SET last_activity_at%%'"
                " AND statement LIKE '%%SET g = g + %%'"
            )
            # The lead's update and the score's travel as one statement, prepared once.
            self.assertEqual(cursor.fetchone()[0], 1)
        spec = engine.load_specs([self.score.pk])[0]
        events = contributions.rows(spec, lead_id=self.lead.pk)
        self.assertEqual(len(events), 8)
        state = LeadScore.objects.get(lead=self.lead, score=self.score)
        expected = sum(e.points * 0.5 ** ((self.now - e.occurred_at).total_seconds() / (7 * 86400))
                       for e in events)  # fmt: skip
        self.assertAlmostEqual(state.engagement_at(self.now), expected, places=6)
