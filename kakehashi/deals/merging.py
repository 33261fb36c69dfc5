from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.db import models


def move_deal_leads(rows: models.QuerySet[Any], survivor: Any, loser: Any) -> None:
    """A deal lists each lead once: drop the loser's link where the survivor is already on it."""
    have = set(rows.model.objects.filter(lead=survivor).values_list("deal_id", flat=True))
    rows.filter(deal_id__in=have).delete()
    rows.update(lead=survivor)


def deal_outcomes(lead_ids: Iterable[int] | None = None) -> Iterator[tuple[int, bool]]:
    """(lead id, won) for leads with a closed deal: any won deal makes the lead a win."""
    from .models import Deal, DealLead

    links = DealLead.objects.filter(deal__status__in=[Deal.Status.WON, Deal.Status.LOST])
    if lead_ids is not None:
        links = links.filter(lead_id__in=list(lead_ids))
    result: dict[int, bool] = {}
    for lead_id, status in links.values_list("lead_id", "deal__status"):
        result[lead_id] = result.get(lead_id, False) or status == Deal.Status.WON
    yield from result.items()
