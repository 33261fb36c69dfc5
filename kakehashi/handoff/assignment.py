"""Choosing who gets a lead: rule matching and smooth weighted round robin. Pure, no ORM.

Smooth weighted round robin (as in nginx): every eligible member gains its weight in credit,
the one with the most credit is chosen and pays back the total. With equal weights this is a
strict rotation; with weights 3:1 the first person gets three leads in four, spread evenly.
Away people and people at capacity are skipped and keep their credit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass
class Candidate:
    member_id: int
    user_id: int
    weight: int = 1
    credit: int = 0
    open_count: int = 0
    capacity: int | None = None
    away: bool = False
    active: bool = True

    @property
    def eligible(self) -> bool:
        has_room = self.capacity is None or self.open_count < self.capacity
        return self.active and not self.away and has_room


def pick(candidates: Sequence[Candidate], *, weighted: bool) -> Candidate | None:
    """Choose one eligible candidate and update the credits in place; None when nobody can."""
    eligible = [c for c in candidates if c.eligible]
    if not eligible:
        return None
    total = 0
    for c in eligible:
        step = c.weight if weighted else 1
        c.credit += step
        total += step
    chosen = max(eligible, key=lambda c: (c.credit, -c.member_id))
    chosen.credit -= total
    return chosen


def rule_matches(rule: Mapping[str, Any], profile: Mapping[str, Any]) -> bool:
    """Territory (prefectures), industry and company size: each list, when set, must contain
    the lead's value."""
    for key, value_key in (
        ("prefectures", "prefecture"),
        ("industries", "industry"),
        ("employee_bands", "employee_band"),
    ):
        wanted = rule.get(key) or []
        if wanted and profile.get(value_key) not in wanted:
            return False
    return True
