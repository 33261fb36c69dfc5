"""The ingestion hot path in SQL, and the expansion of the journal into events behind it.

The front door validates a request, then writes it to the `Intake` journal as received, in one
single-row statement: committed when it returns, so a 2xx means committed (REL-ING-1), and as
cheap as a write can be whatever the batch size. The processor validates each journal entry
again (deterministically: same received_at, same server-assigned ids), expands it into `Event`
rows with INSERT … ON CONFLICT (source_id, message_id) DO NOTHING, so a retried message is
stored once (REL-ING-2), and deletes the entry in the same transaction.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from django.db import connection, transaction

from kakehashi.lib import pgcursor

from . import spec
from .models import Event, Intake, Source, Status

INTAKE = Intake._meta.db_table
EVENT = Event._meta.db_table
COLUMNS = (
    "source_id", "message_id", "type", "received_at", "occurred_at", "anonymous_id", "user_id",
    "name", "ip", "user_agent", "payload", "status", "drop_reason",
)  # fmt: skip
_JOURNAL = (
    f"INSERT INTO {INTAKE} (source_id, received_at, kind, ip, user_agent, body) "
    "VALUES (%s, %s, %s, %s, %s, %s)"
)
_EXPAND_POSTGRES = f"""
INSERT INTO {EVENT} ({", ".join(COLUMNS)})
SELECT s, m, t, r, o, a, u, n, i, ua, p, '{Status.PENDING}', ''
FROM json_to_recordset(%s::json) AS x(s bigint, m text, t text, r timestamptz, o timestamptz,
                                      a text, u text, n text, i inet, ua text, p json)
ON CONFLICT (source_id, message_id) DO NOTHING
"""
_INSERT_SQLITE = (
    f"INSERT INTO {EVENT} ({', '.join(COLUMNS)}) VALUES ({', '.join(['%s'] * len(COLUMNS))}) "
    "ON CONFLICT (source_id, message_id) DO NOTHING"
)
# PostgreSQL refuses NUL characters (JSON's \u0000) in text; drop the escape unless its
# backslash is itself escaped (an even run of backslashes before it).
_NUL_ESCAPE = re.compile(r"(?<!\\)((?:\\\\)*)\\u0000")


def journal(
    *,
    source_id: int,
    body: bytes,
    kind: str | None,
    received_at: datetime,
    ip: str | None,
    user_agent: str,
) -> None:
    """Commit one validated request to the journal. One statement: atomic by itself and
    committed when it returns (in autocommit mode), so no BEGIN/COMMIT round trips."""
    params: list[Any] = [source_id, received_at, kind or "", ip, user_agent[:300], body]
    if connection.vendor == "postgresql":
        # The body goes as a binary parameter; Django's cursor would quote it client-side.
        with pgcursor.server_bound() as raw:
            raw.execute(_JOURNAL, params)
        return
    params[1] = _sqlite_time(received_at)
    with connection.cursor() as cursor:
        cursor.execute(_JOURNAL, params)


@transaction.atomic
def expand(*, limit: int) -> int:
    """Turn up to ``limit`` journal entries, oldest first, into events; returns how many.

    Claimed with FOR UPDATE SKIP LOCKED, so workers in parallel never expand one twice.
    """
    entries = list(Intake.objects.order_by("id").select_for_update(skip_locked=True)[:limit])
    if not entries:
        return 0
    # The journal has no foreign-key constraint (see Intake.source): a request that raced a
    # source's deletion left an entry that nothing may expand.
    live = set(
        Source.objects.filter(pk__in={e.source_id for e in entries}).values_list("pk", flat=True)
    )
    rows = [row for entry in entries if entry.source_id in live for row in _rows(entry)]
    if rows:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                document = json.dumps(rows, ensure_ascii=False)
                if "\\u0000" in document:
                    document = _NUL_ESCAPE.sub(r"\1", document)
                cursor.execute(_EXPAND_POSTGRES, [document])
            else:
                cursor.executemany(_INSERT_SQLITE, [_sqlite_row(r) for r in rows])
    Intake.objects.filter(id__in=[e.pk for e in entries]).delete()
    return len(entries)


def _rows(entry: Intake) -> Iterator[dict[str, Any]]:
    body = bytes(entry.body)
    parsed = spec.parse(
        spec.load_json(body),
        path_type=entry.kind or None,
        body_size=len(body),
        received_at=entry.received_at,
        id_seed=f"intake:{entry.pk}",
    )
    received = entry.received_at.isoformat()
    for e in parsed.events:
        yield {
            "s": entry.source_id, "m": e.message_id, "t": e.type, "r": received,
            "o": e.occurred_at.isoformat(), "a": e.anonymous_id, "u": e.user_id, "n": e.name,
            "i": e.ip or entry.ip, "ua": e.user_agent or entry.user_agent, "p": e.payload,
        }  # fmt: skip


def _sqlite_row(r: dict[str, Any]) -> Sequence[Any]:
    return (
        r["s"], r["m"], r["t"], _sqlite_time(datetime.fromisoformat(r["r"])),
        _sqlite_time(datetime.fromisoformat(r["o"])), r["a"], r["u"], r["n"], r["i"], r["ua"],
        json.dumps(r["p"], ensure_ascii=False), Status.PENDING, "",
    )  # fmt: skip


def _sqlite_time(value: datetime) -> str:
    # Django's SQLite format: naive UTC with a space separator.
    return str(value.astimezone(UTC).replace(tzinfo=None))
