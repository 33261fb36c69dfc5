"""Forward decay, caps and negative points, proved on random activity sequences (no database).

The incremental state (g += points·2^((t − t0)/h), caps used in recording order) must equal a
brute-force recomputation (Σ points·2^(−(now − t)/h)) at any time, and the explanation must sum
to the score.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from kakehashi.scoring import decay, rules

T0 = decay.DEFAULT_EPOCH.timestamp()
RULES = (
    rules.EngagementRuleSpec(
        1, "page.viewed", 10, (rules.Condition("url", "contains", "/pricing"),), cap_per_day=15
    ),
    rules.EngagementRuleSpec(
        2, "page.viewed", -5, (rules.Condition("url", "contains", "/careers"),), cap_total=10
    ),
    rules.EngagementRuleSpec(3, "email", 3, cap_per_day=7, cap_total=20),
    rules.EngagementRuleSpec(
        4, "form.submitted", 25, (rules.Condition("form", "equals", "資料請求"),)
    ),
)
KINDS = [
    ("page.viewed", {"url": "https://example.jp/PRICING"}),
    ("page.viewed", {"url": "https://example.jp/careers"}),
    ("page.viewed", {"url": "https://example.jp/"}),
    ("email.clicked", {"url": "x"}),
    ("email.opened", {}),
    ("form.submitted", {"form": "資料請求"}),
    ("form.submitted", {"form": "お問い合わせ"}),
]

activity = st.tuples(
    st.sampled_from(range(len(KINDS))),
    st.floats(min_value=0, max_value=400 * 86400, allow_nan=False),
)


def day_of(at: float) -> date:
    return datetime.fromtimestamp(at, tz=UTC).date()


def incremental(sequence, half_life):
    """What the engine does: one O(1) update per activity, caps from what was given before."""
    g, usage, events = 0.0, rules.CapUsage(), []
    for index, offset in sequence:
        kind, data = KINDS[index]
        at = T0 + offset
        for rule in rules.matching(RULES, kind, data):
            points = usage.give(rule, day_of(at)) if rule.capped else rule.points
            if points:
                g += decay.contribution(points, at, T0, half_life)
                events.append((rule.id, points, at))
    return g, events


def brute_force(sequence, half_life, now):
    """Replay everything from scratch, counting cap usage by hand."""
    given_day: dict[tuple[int, date], int] = {}
    given_total: dict[int, int] = {}
    total = 0.0
    for index, offset in sequence:
        kind, data = KINDS[index]
        at = T0 + offset
        for rule in RULES:
            if not rule.matches(kind, data):
                continue
            room = abs(rule.points)
            if rule.cap_per_day:
                room = min(room, rule.cap_per_day - given_day.get((rule.id, day_of(at)), 0))
            if rule.cap_total:
                room = min(room, rule.cap_total - given_total.get(rule.id, 0))
            room = max(room, 0)
            given_day[(rule.id, day_of(at))] = given_day.get((rule.id, day_of(at)), 0) + room
            given_total[rule.id] = given_total.get(rule.id, 0) + room
            points = room if rule.points > 0 else -room
            total += points * 2.0 ** (-(now - at) / half_life)
    return total


@settings(max_examples=300, deadline=None)
@given(
    sequence=st.lists(activity, max_size=60),
    half_life_days=st.floats(min_value=1, max_value=365),
    later=st.floats(min_value=0, max_value=200 * 86400),
)
def test_incremental_score_equals_brute_force_recomputation(sequence, half_life_days, later):
    h = half_life_days * decay.DAY
    now = T0 + max((o for _, o in sequence), default=0.0) + later
    g, _ = incremental(sequence, h)
    expected = brute_force(sequence, h, now)
    assert math.isclose(decay.current(g, now, T0, h), expected, rel_tol=1e-9, abs_tol=1e-9)


@settings(max_examples=200, deadline=None)
@given(
    sequence=st.lists(activity, max_size=60), half_life_days=st.floats(min_value=1, max_value=90)
)
def test_explanation_sums_to_the_score(sequence, half_life_days):
    h = half_life_days * decay.DAY
    g, events = incremental(sequence, h)
    now = T0 + 401 * 86400
    explained = sum(decay.decayed(points, at, now, h) for _, points, at in events)
    assert math.isclose(explained, decay.current(g, now, T0, h), rel_tol=1e-9, abs_tol=1e-9)


@given(sequence=st.lists(activity, max_size=80))
def test_caps_are_never_exceeded_and_negative_points_stay_negative(sequence):
    _, events = incremental(sequence, 7 * decay.DAY)
    per_day: dict[tuple[int, date], int] = {}
    per_rule: dict[int, int] = {}
    for rule_id, points, at in events:
        rule = next(r for r in RULES if r.id == rule_id)
        assert (points > 0) == (rule.points > 0)
        per_day[(rule_id, day_of(at))] = per_day.get((rule_id, day_of(at)), 0) + abs(points)
        per_rule[rule_id] = per_rule.get(rule_id, 0) + abs(points)
    for (rule_id, _), used in per_day.items():
        cap = next(r for r in RULES if r.id == rule_id).cap_per_day
        assert cap is None or used <= cap
    for rule_id, used in per_rule.items():
        cap = next(r for r in RULES if r.id == rule_id).cap_total
        assert cap is None or used <= cap


def test_score_at_least_threshold_is_a_comparison_on_g():
    h = 7 * decay.DAY
    g = decay.contribution(10, T0 + 86400, T0, h)
    now = T0 + 8 * 86400  # one half-life after the activity: worth 5
    assert g >= decay.g_threshold(5 - 1e-9, now, T0, h)
    assert g < decay.g_threshold(5 + 1e-9, now, T0, h)


def test_far_future_activities_are_refused_not_overflowed():
    h = decay.DAY
    assert not decay.in_horizon(T0 + 2000 * h, T0, h)
    try:
        decay.weight(T0 + 2000 * h, T0, h)
    except decay.BeyondHorizon:
        pass
    else:  # pragma: no cover
        raise AssertionError("expected BeyondHorizon")


def test_a_fresh_epoch_is_recent_and_round():
    now = datetime(2031, 5, 17, 13, 45, tzinfo=UTC)
    epoch = decay.fresh_epoch(now)
    assert epoch == datetime(2031, 4, 17, tzinfo=UTC)
    assert not decay.needs_new_epoch(now.timestamp(), epoch.timestamp(), decay.DAY)
    assert decay.needs_new_epoch(
        (now + timedelta(days=600)).timestamp(), epoch.timestamp(), decay.DAY
    )


def test_grade_combines_fit_letter_and_engagement_digit():
    assert rules.grade(35, 60, (30, 15, 5), (50, 25, 10)) == "A1"
    assert rules.grade(16, 11, (30, 15, 5), (50, 25, 10)) == "B3"
    assert rules.grade(0, 0, (30, 15, 5), (50, 25, 10)) == "D4"


def test_conditions_ignore_ascii_case_and_read_nested_keys():
    condition = rules.Condition("answers.導入時期", "equals", "3か月以内")
    assert condition.holds({"answers": {"導入時期": "3か月以内"}})
    assert not condition.holds({"answers": {}})
    assert rules.Condition("url", "contains", "/pricing").holds({"url": "/PRICING/plan"})
    assert not rules.Condition("url", "contains", "/pricing").holds({"url": 3})
