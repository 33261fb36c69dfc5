"""Where a fired rule may move a lead: forward, out of nurturing, or only from named stages."""

from __future__ import annotations

from django.test import SimpleTestCase

from kakehashi.journey import rules

S = {k: rules.StageSpec(id=i, journey_id=1, key=k, position=i * 10, is_nurture=k == "nurture")
     for i, k in enumerate(["awareness", "interest", "mql", "sal", "nurture"], start=1)}  # fmt: skip
J = rules.JourneySpec(id=1, stages=tuple(S.values()))


def rule(stage, kind="activity", **kw):
    return rules.RuleSpec(id=S[stage].id * 100, stage_id=S[stage].id, kind=kind, **kw)


class MayMoveTests(SimpleTestCase):
    def test_forward_only(self):
        self.assertTrue(rules.may_move(S["awareness"], S["mql"], rule("mql")))
        self.assertFalse(rules.may_move(S["sal"], S["mql"], rule("mql")))
        self.assertFalse(rules.may_move(S["mql"], S["mql"], rule("mql")))

    def test_out_of_nurturing_on_any_rule(self):
        self.assertTrue(rules.may_move(S["nurture"], S["mql"], rule("mql")))

    def test_only_from_named_stages(self):
        r = rule("nurture", from_stage_ids=frozenset({S["interest"].id}))
        self.assertTrue(rules.may_move(S["interest"], S["nurture"], r))
        self.assertFalse(rules.may_move(S["awareness"], S["nurture"], r))


class ChooseTests(SimpleTestCase):
    def test_the_furthest_stage_wins(self):
        fired = [rule("interest"), rule("mql", kind="score", score_id=7, threshold=50)]
        state = {7: rules.ScoreState(engagement=60, fit_letter="B", thresholds=(50, 25, 10))}
        self.assertEqual(rules.choose(J, S["awareness"], fired, state)[0].key, "mql")
        low = {7: rules.ScoreState(engagement=40, fit_letter="B", thresholds=(50, 25, 10))}
        self.assertEqual(rules.choose(J, S["awareness"], fired, low)[0].key, "interest")

    def test_grade_at_least(self):
        state = rules.ScoreState(engagement=30, fit_letter="B", thresholds=(50, 25, 10))  # B2
        self.assertTrue(rules.grade_at_least(state, "B2"))
        self.assertTrue(rules.grade_at_least(state, "C3"))
        self.assertFalse(rules.grade_at_least(state, "A2"))
        self.assertFalse(rules.grade_at_least(state, "B1"))

    def test_activity_rules_match_kinds_families_and_conditions(self):
        r = rule("mql", activity_kind="deal", conditions=())
        self.assertTrue(r.fired_by("deal.won", {}, set(), False))
        self.assertFalse(r.fired_by("dealer.won", {}, set(), False))

    def test_median(self):
        self.assertEqual(rules.median([3, 1, 2]), 2)
        self.assertEqual(rules.median([4, 1, 2, 3]), 2.5)
        self.assertIsNone(rules.median([]))
