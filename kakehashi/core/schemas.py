from __future__ import annotations

from typing import Any

from ninja import Schema


class Error(Schema):
    """Every API error: a human-readable reason (or, for 422, the list of invalid fields)."""

    detail: Any


ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 422: Error}
READ_ERRORS = {401: Error, 403: Error, 404: Error, 422: Error}


class Page(Schema):
    count: int
    page: int
    page_size: int
