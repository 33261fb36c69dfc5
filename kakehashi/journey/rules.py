"""Journeys as plain data: which entry rules an activity fires and where a lead may move. No ORM.

A rule moves a lead forward only: into a stage further along than the one it is in, or out of a
nurturing stage into any other (a recycled lead comes back on new engagement). A rule that lists
"only from" stages moves leads in those stages only. When several rules fire at once the lead
goes to the furthest stage. Score and grade rules are checked on activities that earned
engagement points ("new engagement") and, for grades, on changes to who the lead is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kakehashi.scoring.rules import Condition, engagement_digit, kind_matches

SCORE, GRADE, ACTIVITY, INACTIVITY = "score", "grade", "activity", "inactivity"
# Kinds after which who the lead is may have changed: grade rules look again.
FIT_KINDS = frozenset({"lead.created", "lead.updated"})


@dataclass(frozen=True)
class StageSpec:
    id: int
    journey_id: int
    key: str
    position: int
    owner_function: str = "marketing"
    is_handoff: bool = False
    is_nurture: bool = False
    name_ja: str = ""
    name_en: str = ""


@dataclass(frozen=True)
class RuleSpec:
    id: int
    stage_id: int
    kind: str
    score_id: int | None = None
    threshold: float | None = None
    grade: str = ""
    activity_kind: str = ""
    conditions: tuple[Condition, ...] = ()
    days: int | None = None
    from_stage_ids: frozenset[int] = frozenset()

    def fired_by(self, kind: str, data: Mapping[str, Any], engaged: set[int], fit: bool) -> bool:
        """Could this activity move a lead under this rule (before looking at its score)?"""
        if self.kind == ACTIVITY:
            return kind_matches(self.activity_kind, kind) and all(
                c.holds(data) for c in self.conditions
            )
        if self.kind == SCORE:
            return self.score_id in engaged
        if self.kind == GRADE:
            return self.score_id in engaged or fit
        return False

    @property
    def reads_score(self) -> bool:
        return self.kind in (SCORE, GRADE)


@dataclass(frozen=True)
class JourneySpec:
    id: int
    stages: tuple[StageSpec, ...]
    rules: tuple[RuleSpec, ...] = ()
    by_id: dict[int, StageSpec] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        self.by_id.update({s.id: s for s in self.stages})

    @property
    def entry(self) -> StageSpec | None:
        """Where new leads start: the first stage that is not a nurturing stage."""
        ordered = sorted(self.stages, key=lambda s: (s.position, s.id))
        return next((s for s in ordered if not s.is_nurture), ordered[0] if ordered else None)

    def fired(
        self, kind: str, data: Mapping[str, Any], engaged: set[int], fit: bool
    ) -> list[RuleSpec]:
        return [r for r in self.rules if r.fired_by(kind, data, engaged, fit)]


def may_move(current: StageSpec | None, target: StageSpec, rule: RuleSpec) -> bool:
    if current is not None and current.id == target.id:
        return False
    if rule.from_stage_ids:
        return current is not None and current.id in rule.from_stage_ids
    if current is None:
        return True
    if current.is_nurture:
        return not target.is_nurture
    return target.position > current.position and not target.is_nurture


@dataclass(frozen=True)
class ScoreState:
    engagement: float
    fit_letter: str
    thresholds: tuple[float, float, float]


def holds(rule: RuleSpec, state: ScoreState | None) -> bool:
    """Score and grade conditions on the lead's current state; other kinds hold once fired."""
    if rule.kind == SCORE:
        return (
            state is not None
            and rule.threshold is not None
            and (state.engagement >= rule.threshold)
        )
    if rule.kind == GRADE:
        return state is not None and grade_at_least(state, rule.grade)
    return rule.kind == ACTIVITY


def grade_at_least(state: ScoreState, wanted: str) -> bool:
    """ "B2" holds for A1, A2, B1, B2: fit at least B and engagement digit at most 2."""
    if len(wanted) != 2:
        return False
    digit = engagement_digit(state.engagement, state.thresholds)
    return state.fit_letter <= wanted[0] and digit <= int(wanted[1])


def choose(
    journey: JourneySpec,
    current: StageSpec | None,
    rules: Iterable[RuleSpec],
    states: Mapping[int, ScoreState],
) -> tuple[StageSpec, RuleSpec] | None:
    """The furthest stage a fired rule allows from ``current``, with the rule that moves it."""
    best: tuple[StageSpec, RuleSpec] | None = None
    for rule in rules:
        target = journey.by_id.get(rule.stage_id)
        if target is None or not may_move(current, target, rule):
            continue
        if not holds(rule, states.get(rule.score_id) if rule.score_id else None):
            continue
        if best is None or (target.position, -rule.id) > (best[0].position, -best[1].id):
            best = (target, rule)
    return best


def conversion(entered: int, moved_on: int) -> float | None:
    return moved_on / entered if entered else None


def median(values: Sequence[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
