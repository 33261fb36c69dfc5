from __future__ import annotations

from typing import Any

from django.conf import settings
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
