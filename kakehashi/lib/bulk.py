"""Fast bulk inserts for generated or imported rows, below the ORM's per-object cost.

COPY on PostgreSQL, executemany on SQLite: the two fastest paths each database offers.
Callers pass plain tuples in column order; datetimes must be timezone-aware. A JSON column's
value is serialized here, unless the caller already did it and says so with `RawJSON`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from django.db import connection


class RawJSON(str):
    """A JSON column value that is already its JSON text (built once, reused for many rows)."""

    __slots__ = ()


def _json_text(value: Any) -> str:
    return value if isinstance(value, RawJSON) else json.dumps(value, ensure_ascii=False)


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        # Django's SQLite format: naive UTC with a space separator.
        return str(value.astimezone(UTC).replace(tzinfo=None))
    if isinstance(value, dict | list | RawJSON):
        return _json_text(value)
    return value


def _typed_columns(table: str, columns: Sequence[str]) -> tuple[list[int], list[int]]:
    """Positions of the JSON and of the datetime columns among ``columns``: SQLite needs both
    converted to Django's storage format; PostgreSQL's COPY takes JSON as its text and
    datetimes formatted once each (psycopg's own adaptation is slow)."""
    from django.apps import apps
    from django.db import models

    for model in apps.get_models(include_auto_created=True):
        if model._meta.db_table == table:
            fields = {f.column: f for f in model._meta.concrete_fields}
            kinds = [fields.get(name) for name in columns]
            return (
                [i for i, f in enumerate(kinds) if isinstance(f, models.JSONField)],
                [i for i, f in enumerate(kinds) if isinstance(f, models.DateTimeField)],
            )
    raise LookupError(f"no model uses the table {table}")


class _IsoTimes(dict[datetime, str]):
    """PostgreSQL COPY: an aware datetime as ISO 8601 text with its offset, which the server
    reads back exactly. psycopg's own adaptation costs several times a short string's; bulk
    rows mostly share a few timestamps (the import's "now"), each formatted once here."""

    def __missing__(self, value: datetime) -> str:
        text = self[value] = value.isoformat()
        return text


def insert_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert ``rows`` into ``table`` (trusted names only: never pass user input here)."""
    quote = connection.ops.quote_name
    cols = ", ".join(quote(c) for c in columns)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            json_columns, time_columns = _typed_columns(table, columns)
            times = _IsoTimes()
            with raw.copy(f"COPY {quote(table)} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    if json_columns or time_columns:
                        row = list(row)
                        for i in json_columns:
                            row[i] = _json_text(row[i])
                        for i in time_columns:
                            if isinstance(row[i], datetime):
                                row[i] = times[row[i]]
                    copy.write_row(row)
                    count += 1
            return count
        placeholders = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {quote(table)} ({cols}) VALUES ({placeholders})"
        batch: list[Any] = []
        # Only datetime and JSON columns need converting; the others pass as they are.
        json_columns, time_columns = _typed_columns(table, columns)
        convert = json_columns + time_columns
        for row in rows:
            if convert:
                row = list(row)
                for i in convert:
                    row[i] = _sqlite_value(row[i])
            batch.append(row)
            if len(batch) >= 5000:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


# --- Rows already written as COPY text (PostgreSQL) ------------------------------------------
# Hot bulk paths format most of a row once, often in another process, and join the few values
# only known at write time (ids) with an f-string: cheaper than formatting every value per row.

COPY_NULL = "\\N"
_COPY_SPECIAL = re.compile(r"[\\\t\n\r]")
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(value: Any) -> str:
    """One value as a field of PostgreSQL's COPY text format."""
    if value is None:
        return COPY_NULL
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    text = str(value)
    return text.translate(_COPY_ESCAPES) if _COPY_SPECIAL.search(text) else text


def copy_strings(values: list[str]) -> str:
    """Strings as tab-separated COPY fields: one search for the rare character to escape."""
    if _COPY_SPECIAL.search("".join(values)):
        return "\t".join(map(copy_text, values))
    return "\t".join(values)


def copy_line(values: Iterable[Any]) -> str:
    """A row as one line of COPY text, its line break included."""
    return "\t".join(map(copy_text, values)) + "\n"


def copy_lines(table: str, columns: Sequence[str], lines: list[str]) -> int:
    """COPY lines made by `copy_line` (or to its format) into ``table`` (PostgreSQL only)."""
    if not lines:
        return 0
    quote = connection.ops.quote_name
    cols = ", ".join(quote(c) for c in columns)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {quote(table)} ({cols}) FROM STDIN") as copy,
    ):
        copy.write("".join(lines))
    return len(lines)
