"""A PostgreSQL cursor that binds parameters on the server, for the few hot statements."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from django.db import connection


@contextlib.contextmanager
def server_bound() -> Iterator[Any]:
    """A plain psycopg cursor on Django's connection (same session and transaction).

    Django's cursor quotes parameters into the statement on the client; this one sends them
    as they are (bytes as a binary parameter) and, after a few uses, runs the statement
    prepared (settings: ``prepare_threshold``) instead of planning it again each time.
    PostgreSQL only.
    """
    import psycopg

    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        yield cursor
