from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from ninja.errors import HttpError


def paginate(qs: QuerySet[Any], page: int, page_size: int) -> dict[str, Any]:
    """One API page: {count, page, page_size, results}; a 400 for out-of-range paging."""
    if page < 1 or not 1 <= page_size <= settings.API_MAX_PAGE_SIZE:
        raise HttpError(400, f"page must be ≥ 1 and page_size 1–{settings.API_MAX_PAGE_SIZE}")
    start = (page - 1) * page_size
    return {
        "count": qs.count(),
        "page": page,
        "page_size": page_size,
        "results": list(qs[start : start + page_size]),
    }


class DeferredJoinPaginator(Paginator):
    """Pages a queryset by first taking one page of ids from the index, then loading only those
    rows with their joins and prefetches: a deep page (OFFSET 50,000) walks an index of ids
    instead of 50,000 joined rows."""

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        queryset = cast(QuerySet[Any], self.object_list)
        ids = list(queryset.values_list("pk", flat=True)[bottom:top])
        rows = {row.pk: row for row in queryset.filter(pk__in=ids)}
        return Page([rows[i] for i in ids if i in rows], number, self)
