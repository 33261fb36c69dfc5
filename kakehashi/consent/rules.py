"""Effective consent from the ledger (pure, no ORM).

Consent belongs to an address: only the events recorded for the lead's current e-mail address
count (the caller filters). The newest event decides, with one exception: a refusal or withdrawal can only be overturned by
the person's own explicit consent, never by an exemption (business card, existing customer) or a
grant someone else recorded for them (LEG-JP-2: a refusal overrides every exemption).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

GRANT, WITHDRAW, REFUSE = "grant", "withdraw", "refuse"
# Bases under which the person themselves said yes.
EXPLICIT_BASES = frozenset({"consent"})
# The order used when two records merge: the more restrictive state wins.
RESTRICTIVENESS = {"refused": 3, "withdrawn": 2, "unknown": 1, "granted": 0}


@dataclass(frozen=True)
class Event:
    action: str
    basis: str
    occurred_at: datetime
    order: int = 0  # insertion order (the row id) breaks ties between events at one instant


def effective_state(events: Iterable[Event]) -> str:
    """'granted', 'withdrawn', 'refused' or 'unknown' for one lead, channel and purpose."""
    state = "unknown"
    for event in sorted(events, key=lambda e: (e.occurred_at, e.order)):
        if event.action == REFUSE:
            state = "refused"
        elif event.action == WITHDRAW:
            state = "withdrawn"
        elif event.action == GRANT:
            if state in ("refused", "withdrawn") and event.basis not in EXPLICIT_BASES:
                continue
            state = "granted"
    return state


def refusal(*states: str) -> str | None:
    """The strongest refusal among these states ('refused' over 'withdrawn'), if any."""
    found = [s for s in states if s in ("refused", "withdrawn")]
    return max(found, key=lambda s: RESTRICTIVENESS[s]) if found else None


def most_restrictive(*states: str) -> str:
    return max(states, key=lambda s: RESTRICTIVENESS.get(s, 1))
