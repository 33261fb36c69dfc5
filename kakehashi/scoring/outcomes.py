"""Which leads closed and which did not: the labels the likelihood model learns from.

Today the outcome is read from the lead itself: a tag or the ``outcome`` custom attribute saying
customer/won versus lost/disqualified (imports bring history this way). Deals and hand-off will
add their own sources: add a function to ``SOURCES`` that yields (lead id, won) pairs; later
sources override earlier ones for the same lead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from django.db.models import Q

WON = frozenset({"customer", "won", "受注", "成約", "顧客"})
LOST = frozenset({"lost", "disqualified", "失注", "対象外"})


def label_of(values: Iterable[str]) -> bool | None:
    """True for a win, False for a loss, None when nothing says (a win beats a loss)."""
    folded = {str(v).strip().lower() for v in values if v}
    if folded & WON:
        return True
    if folded & LOST:
        return False
    return None


def from_lead_records(lead_ids: Iterable[int] | None = None) -> Iterator[tuple[int, bool]]:
    from kakehashi.leads.models import Lead

    words = sorted(WON | LOST)
    leads = Lead.objects.filter(Q(tags__name__in=words) | Q(custom_attributes__has_key="outcome"))
    if lead_ids is not None:
        leads = leads.filter(pk__in=list(lead_ids))
    tags: dict[int, list[str]] = {}
    attributes: dict[int, str] = {}
    for pk, tag, outcome in leads.values_list("pk", "tags__name", "custom_attributes__outcome"):
        tags.setdefault(pk, [])
        if tag:
            tags[pk].append(tag)
        if isinstance(outcome, str):
            attributes[pk] = outcome
    for pk, names in tags.items():
        label = label_of([*names, attributes.get(pk, "")])
        if label is not None:
            yield pk, label


SOURCES: list[Callable[..., Iterable[tuple[int, bool]]]] = [from_lead_records]


def labels(lead_ids: Iterable[int] | None = None) -> dict[int, bool]:
    """Lead id → won (True) or lost (False), for every lead with a known outcome."""
    ids = None if lead_ids is None else list(lead_ids)
    result: dict[int, bool] = {}
    for source in SOURCES:
        result.update(source(ids))
    return result
