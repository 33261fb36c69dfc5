"""Score rules as plain data: matching activities and leads, caps, grades. No ORM.

The engine (``engine.py``) and the batch recompute (``recompute.py``) both follow these
definitions; the SQL the recompute runs is tested against them.

- An engagement rule matches an activity when the kind matches (exactly, or a family such as
  ``email`` for every ``email.*``) and every condition holds on the activity's JSON data.
  Conditions compare text, ignoring the case of ASCII letters (so SQLite's LIKE and PostgreSQL
  agree): ``url contains /pricing``, ``form equals 資料請求``, ``answers.導入時期 equals 3か月以内``.
- Points may be negative (an unsubscribe, the careers page). Caps bound the points' magnitude
  per lead: per day (the activity's day in the site's time zone) and in total. Activities use
  up a cap in the order they were recorded, so the incremental score and a recompute agree.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

OPERATORS = ("equals", "contains", "starts_with")
FIT_OPERATORS = ("equals", "contains", "one_of")
# Lead facts a fit rule can look at; "custom" reads the lead's custom attributes by key.
FIT_FIELDS = (
    "industry",
    "employee_band",
    "prefecture",
    "title",
    "department",
    "source",
    "custom",
    "company_custom",
)
KEY_RE = re.compile(r"^[^\s.]+(\.[^\s.]+)*$")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def fold(text: str) -> str:
    """Lowercase ASCII letters only: what SQLite's LIKE ignores, and nothing more."""
    return text.translate(_ASCII_LOWER)


def lookup(data: Mapping[str, Any], key: str) -> Any:
    """``answers.導入時期`` reads ``data["answers"]["導入時期"]``; None when absent."""
    value: Any = data
    for part in key.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def compare(op: str, actual: str, expected: str) -> bool:
    a, e = fold(actual), fold(expected)
    if op == "equals":
        return a == e
    if op == "contains":
        return e in a
    if op == "starts_with":
        return a.startswith(e)
    if op == "one_of":
        return a in {fold(v.strip()) for v in expected.split(",") if v.strip()}
    raise ValueError(op)


@dataclass(frozen=True)
class Condition:
    key: str
    op: str
    value: str

    def holds(self, data: Mapping[str, Any]) -> bool:
        actual = lookup(data, self.key)
        return isinstance(actual, str) and compare(self.op, actual, self.value)


def kind_matches(rule_kind: str, kind: str) -> bool:
    return kind == rule_kind or ("." not in rule_kind and kind.startswith(rule_kind + "."))


@dataclass(frozen=True)
class EngagementRuleSpec:
    id: int
    kind: str
    points: int
    conditions: tuple[Condition, ...] = ()
    cap_per_day: int | None = None
    cap_total: int | None = None
    name: str = ""

    def matches(self, kind: str, data: Mapping[str, Any]) -> bool:
        return kind_matches(self.kind, kind) and all(c.holds(data) for c in self.conditions)

    @property
    def capped(self) -> bool:
        return self.cap_per_day is not None or self.cap_total is not None


def award(rule: EngagementRuleSpec, used_today: int, used_total: int) -> int:
    """Points this rule gives now, after ``used_*`` (magnitudes) were given before."""
    room = abs(rule.points)
    if rule.cap_per_day is not None:
        room = min(room, rule.cap_per_day - used_today)
    if rule.cap_total is not None:
        room = min(room, rule.cap_total - used_total)
    room = max(room, 0)
    return room if rule.points > 0 else -room


@dataclass
class CapUsage:
    """Magnitudes a lead has used per (rule, day) and per rule."""

    by_day: dict[tuple[int, date], int] = field(default_factory=dict)
    total: dict[int, int] = field(default_factory=dict)

    def give(self, rule: EngagementRuleSpec, day: date) -> int:
        points = award(rule, self.by_day.get((rule.id, day), 0), self.total.get(rule.id, 0))
        if points:
            self.by_day[(rule.id, day)] = self.by_day.get((rule.id, day), 0) + abs(points)
            self.total[rule.id] = self.total.get(rule.id, 0) + abs(points)
        return points


def matching(
    rules: Iterable[EngagementRuleSpec], kind: str, data: Mapping[str, Any]
) -> list[EngagementRuleSpec]:
    return [rule for rule in rules if rule.matches(kind, data)]


# --- fit -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FitRuleSpec:
    id: int
    field: str
    op: str
    value: str
    points: int
    key: str = ""
    name: str = ""

    def holds(self, profile: Mapping[str, Any]) -> bool:
        if self.field in ("custom", "company_custom"):
            actual = lookup(profile.get(self.field) or {}, self.key)
            actual = str(actual) if isinstance(actual, str | int | float) else None
        else:
            actual = profile.get(self.field)
        return bool(actual) and compare(self.op, str(actual), self.value)


def fit(rules: Iterable[FitRuleSpec], profile: Mapping[str, Any]) -> list[tuple[FitRuleSpec, int]]:
    """The fit rules that hold for this lead, with their points."""
    return [(rule, rule.points) for rule in rules if rule.holds(profile)]


def fit_points(rules: Iterable[FitRuleSpec], profile: Mapping[str, Any]) -> int:
    return sum(points for _, points in fit(rules, profile))


# --- grade -----------------------------------------------------------------------------------

LETTERS = "ABCD"


def fit_letter(points: float, thresholds: Sequence[float]) -> str:
    """A when fit ≥ thresholds[0], B when ≥ thresholds[1], C when ≥ thresholds[2], else D."""
    for letter, threshold in zip(LETTERS, thresholds, strict=False):
        if points >= threshold:
            return letter
    return "D"


def engagement_digit(score: float, thresholds: Sequence[float]) -> int:
    """1 when engagement ≥ thresholds[0] (hottest), … 4 below thresholds[2]."""
    for digit, threshold in enumerate(thresholds, start=1):
        if score >= threshold:
            return digit
    return 4


def grade(fit: float, engagement: float, fit_at: Sequence[float], eng_at: Sequence[float]) -> str:
    return f"{fit_letter(fit, fit_at)}{engagement_digit(engagement, eng_at)}"
