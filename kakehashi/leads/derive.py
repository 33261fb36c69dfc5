"""Derived lead columns (pure): the folded search text and the kana-first sort key."""

from __future__ import annotations

from kakehashi.lib import normalize


def search_text(*parts: str) -> str:
    fold = normalize.fold
    return " ".join([fold(p) for p in parts if p])


def sort_name(last_name: str, first_name: str, last_kana: str, first_kana: str) -> str:
    # Sort by reading: kana when known (Japanese order), else the Latin name.
    reading = (last_kana + first_kana) or (last_name + " " + first_name)
    return normalize.fold(reading)[:200] or "\uffff"


def lead_columns(lead: dict[str, str], company_name: str) -> tuple[str, str]:
    """(search_text, sort_name) for a lead given as a dict of its normalized fields."""
    return (
        search_text(
            lead.get("last_name", ""), lead.get("first_name", ""),
            lead.get("last_name_kana", ""), lead.get("first_name_kana", ""),
            lead.get("email", ""), lead.get("phone", ""), company_name,
        ),
        sort_name(
            lead.get("last_name", ""), lead.get("first_name", ""),
            lead.get("last_name_kana", ""), lead.get("first_name_kana", ""),
        ),
    )  # fmt: skip
