from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema


class ImportOut(Schema):
    id: int
    filename: str
    status: str
    dry_run: bool
    total_rows: int
    processed_rows: int
    created: int
    updated: int
    merged: int
    skipped: int
    duplicates_flagged: int
    errors: list[dict[str, Any]]
    created_at: datetime
    finished_at: datetime | None

    @staticmethod
    def resolve_errors(obj: Any) -> list[dict[str, Any]]:
        return [{"line": e["line"], "reason": e["reason"]} for e in obj.errors]
