"""Derived lead columns (pure): the folded search text and the kana-first sort key."""

from __future__ import annotations

from typing import Any

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


def _joins_as_is(char: str) -> bool:
    """Whether text ending in anything, followed by ``char``, stays normalized (NFKC) as it
    is: a katakana letter or an ASCII letter or digit never combines with what precedes it."""
    return "\u30a1" <= char <= "\u30fa" or (char.isascii() and char.isalnum())


def normalized_lead_columns(lead: dict[str, Any], company_name: str) -> tuple[str, str]:
    """`lead_columns` of a lead as imports normalize it (every text clean, the e-mail without
    spaces and lowercase, the phone E.164): the same two columns, for less work. An ASCII
    e-mail and an E.164 phone are their own folded form, and the sort key is joined from the
    readings folded for the search text. Folding works character by character, so that is
    the fold of the joined readings, unless the second could combine with the first."""
    fold = normalize.fold
    last, first = lead["last_name"], lead["first_name"]
    last_kana, first_kana = lead["last_name_kana"], lead["first_name_kana"]
    email, phone = lead["email"], lead["phone"]
    folded_last = fold(last) if last else ""
    folded_first = fold(first) if first else ""
    folded_last_kana = fold(last_kana) if last_kana else ""
    folded_first_kana = fold(first_kana) if first_kana else ""
    parts = [folded_last] if last else []
    if first:
        parts.append(folded_first)
    if last_kana:
        parts.append(folded_last_kana)
    if first_kana:
        parts.append(folded_first_kana)
    if email:
        parts.append(email if email.isascii() else fold(email))
    if phone:
        parts.append(phone)
    if company_name:
        parts.append(fold(company_name))
    if last_kana and first_kana and not _joins_as_is(first_kana[0]):
        reading = fold(last_kana + first_kana)
    elif last_kana or first_kana:
        reading = folded_last_kana + folded_first_kana
    else:
        # "last first": the space keeps the two apart, and folding drops it.
        reading = folded_last + folded_first
    return " ".join(parts), reading[:200] or "\uffff"


def company_columns(name: str, name_kana: str, domain: str) -> tuple[str, str, str, str, str]:
    """A company's (name, name_kana, normalized_name, domain, search_text) from what was typed."""
    name = normalize.clean(name)
    name_kana = normalize.to_katakana(name_kana)
    domain = normalize.domain_of(domain) if domain else ""
    search_text = " ".join(normalize.fold(v) for v in (name, name_kana, domain) if v)
    return name, name_kana, normalize.normalize_company_name(name)[:200], domain, search_text
