"""The ingestion hot path in SQL: insert a batch of events, skipping messageIds already stored.

One statement per batch, no model objects: on PostgreSQL an INSERT … SELECT FROM
json_to_recordset() of the whole batch as one parameter (one short statement to parse and
plan, whatever the batch size), on SQLite an executemany. Both end in ON CONFLICT DO NOTHING on (source, message_id) (REL-ING-2).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import UTC, datetime

from django.db import connection, transaction

from .models import Event, Status
from .spec import Incoming

COLUMNS = (
    "source_id", "message_id", "type", "received_at", "occurred_at", "anonymous_id", "user_id",
    "name", "ip", "user_agent", "payload", "status", "drop_reason",
)  # fmt: skip
TABLE = Event._meta.db_table

_POSTGRES = f"""
INSERT INTO {TABLE} ({", ".join(COLUMNS)})
SELECT %s, m, t, %s, o, a, u, n, i, ua, p, '{Status.PENDING}', ''
FROM json_to_recordset(%s::json)
     AS x(m text, t text, o timestamptz, a text, u text, n text, i inet, ua text, p json)
ON CONFLICT (source_id, message_id) DO NOTHING
"""
_SQLITE = (
    f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) VALUES ({', '.join(['%s'] * len(COLUMNS))}) "
    "ON CONFLICT (source_id, message_id) DO NOTHING"
)


# PostgreSQL refuses NUL characters (JSON's \u0000) in text; drop the escape unless its
# backslash is itself escaped (an even run of backslashes before it).
_NUL_ESCAPE = re.compile(r"(?<!\\)((?:\\\\)*)\\u0000")


def _sqlite_time(value: datetime) -> str:
    # Django's SQLite format: naive UTC with a space separator.
    return str(value.astimezone(UTC).replace(tzinfo=None))


def insert_events(
    *,
    source_id: int,
    events: Sequence[Incoming],
    received_at: datetime,
    ip: str | None,
    user_agent: str,
) -> None:
    """Insert ``events``; ``ip``/``user_agent`` fill in for events whose context had none."""
    user_agent = user_agent[:300]
    if connection.vendor == "postgresql":
        import psycopg

        rows = [
            {"m": e.message_id, "t": e.type, "o": e.occurred_at.isoformat(), "a": e.anonymous_id,
             "u": e.user_id, "n": e.name, "i": e.ip or ip, "ua": e.user_agent or user_agent,
             "p": e.payload}
            for e in events
        ]  # fmt: skip
        # The whole batch travels as one JSON parameter: one json.dumps in C here, one parse
        # in the server. A plain psycopg cursor on Django's connection (same transaction)
        # binds it server-side; Django's cursor would quote it client-side.
        document = json.dumps(rows, ensure_ascii=False)
        if "\\u0000" in document:
            document = _NUL_ESCAPE.sub(r"\1", document)
        connection.ensure_connection()
        with psycopg.Cursor(connection.connection) as raw:
            raw.execute(_POSTGRES, [source_id, received_at, document])
        return
    payloads = [json.dumps(e.payload, ensure_ascii=False) for e in events]
    # SQLite takes one statement per row: a transaction makes the batch all-or-nothing.
    with transaction.atomic(), connection.cursor() as cursor:
        received = _sqlite_time(received_at)
        cursor.executemany(
            _SQLITE,
            [
                (source_id, e.message_id, e.type, received, _sqlite_time(e.occurred_at),
                 e.anonymous_id, e.user_id, e.name, e.ip or ip, e.user_agent or user_agent,
                 payload, Status.PENDING, "")
                for e, payload in zip(events, payloads, strict=True)
            ],
        )  # fmt: skip
