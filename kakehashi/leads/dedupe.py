"""Finding leads that are probably one person (pure, no ORM)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from kakehashi.lib import normalize

# A phone shared by more leads than this is a switchboard (代表電話), not a person.
SWITCHBOARD = 5


@dataclass(frozen=True)
class Person:
    id: int
    phone: str
    last_name: str
    first_name: str
    last_name_kana: str
    first_name_kana: str
    company_id: int | None


@dataclass(frozen=True)
class Candidate:
    lead_a: int
    lead_b: int
    reason: str
    confidence: int


def find(people: Iterable[Person]) -> list[Candidate]:
    """Pairs (lower id first) with the strongest reason each: phone, name or reading at a company."""
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for p in people:
        if p.phone:
            groups[("phone", p.phone)].append(p.id)
        if p.company_id:
            name = normalize.fold(p.last_name + p.first_name)
            if name:
                groups[("name_company", f"{p.company_id}:{name}")].append(p.id)
            kana = normalize.fold(p.last_name_kana + p.first_name_kana)
            if kana:
                groups[("kana_company", f"{p.company_id}:{kana}")].append(p.id)
    confidence = {"phone": 80, "name_company": 75, "kana_company": 60}
    best: dict[tuple[int, int], Candidate] = {}
    for (reason, _key), ids in groups.items():
        if len(ids) < 2 or (reason == "phone" and len(ids) > SWITCHBOARD):
            continue
        ordered = sorted(set(ids))
        for i, a in enumerate(ordered):
            for b in ordered[i + 1 :]:
                candidate = Candidate(a, b, reason, confidence[reason])
                if (a, b) not in best or best[(a, b)].confidence < candidate.confidence:
                    best[(a, b)] = candidate
    return sorted(best.values(), key=lambda c: (-c.confidence, c.lead_a, c.lead_b))
