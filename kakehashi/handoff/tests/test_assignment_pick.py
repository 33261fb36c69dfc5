"""Round robin, weighted, away and capacity: who gets the next lead (pure, no database)."""

from __future__ import annotations

from collections import Counter

from django.test import SimpleTestCase

from kakehashi.handoff.assignment import Candidate, pick, rule_matches


def team(*weights, **extra):
    return [
        Candidate(member_id=i + 1, user_id=100 + i, weight=w, **extra)
        for i, w in enumerate(weights)
    ]


class PickTests(SimpleTestCase):
    def draw(self, members, n, weighted):
        return [pick(members, weighted=weighted).user_id for _ in range(n)]

    def test_round_robin_takes_turns_whatever_the_weights(self):
        self.assertEqual(self.draw(team(3, 1, 1), 6, False), [100, 101, 102, 100, 101, 102])

    def test_weighted_spreads_three_to_one_evenly(self):
        got = self.draw(team(3, 1), 8, True)
        self.assertEqual(Counter(got), {100: 6, 101: 2})
        self.assertNotEqual(got[:3], [100, 100, 100], "smooth: not three in a row first")

    def test_away_people_are_skipped_and_rejoin_the_rotation_without_a_backlog(self):
        members = team(1, 1, 1)
        members[1].away = True
        self.assertEqual(self.draw(members, 4, False), [100, 102, 100, 102])
        members[1].away = False
        self.assertEqual(sorted(self.draw(members, 3, False)), [100, 101, 102])

    def test_people_at_capacity_are_skipped(self):
        members = team(1, 1)
        members[0].capacity, members[0].open_count = 2, 2
        self.assertEqual(self.draw(members, 2, False), [101, 101])

    def test_nobody_available_gives_none(self):
        members = team(1, 1, away=True)
        self.assertIsNone(pick(members, weighted=False))

    def test_territory_industry_and_size_must_all_match_when_set(self):
        rule = {"prefectures": [13, 14], "industries": ["it"], "employee_bands": []}
        self.assertTrue(
            rule_matches(rule, {"prefecture": 13, "industry": "it", "employee_band": "1-9"})
        )
        self.assertFalse(rule_matches(rule, {"prefecture": 27, "industry": "it"}))
        self.assertFalse(rule_matches(rule, {"prefecture": 13, "industry": "retail"}))
        self.assertTrue(rule_matches({}, {"prefecture": None}))
