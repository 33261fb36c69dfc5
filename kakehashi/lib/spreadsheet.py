"""Writing CSV and XLSX that Japanese Excel opens correctly and that cannot run formulas."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value: Any) -> Any:
    """Cells starting with = + - @ tab or CR get a leading ' so Excel shows text (SEC-CSV-1)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_bytes(
    header: Sequence[str], rows: Iterable[Sequence[Any]], *, encoding: str = "utf-8-sig"
) -> bytes:
    """CSV for Excel: UTF-8 with a BOM (default) or CP932 for older setups."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow([escape_cell(h) for h in header])
    for row in rows:
        writer.writerow(["" if v is None else escape_cell(v) for v in row])
    # Characters CP932 lacks (emoji, rare kanji) become '?': say so where this is offered.
    return buffer.getvalue().encode(encoding, errors="replace")


def xlsx_bytes(
    header: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str = "leads"
) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.append([escape_cell(h) for h in header])
    for row in rows:
        sheet.append(["" if v is None else escape_cell(v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
