"""The journal's bodies compressed with LZ4 and kept in the row, on PostgreSQL with LZ4.

Request bodies are JSON of 1–500 KB. 0003 stored them uncompressed (pglz cost the hot path more
than it saved), which still splits a 20 KB body into ten TOAST chunks, each a row and an index
entry. LZ4 compresses such a body about eightfold for little CPU, and `STORAGE MAIN` keeps the
result in the journal row itself when it fits: measured on the same bodies, half the database
CPU per request of either earlier choice. Servers built without LZ4 keep 0003's setting.
"""

from typing import Any

from django.db import migrations

TABLE = "tracking_intake"


def _lz4_available(cursor: Any) -> bool:
    cursor.execute(
        "SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' "
        "AND 'lz4' = ANY(enumvals)"
    )
    return cursor.fetchone() is not None


def use_lz4(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        if _lz4_available(cursor):
            schema_editor.execute(
                f"ALTER TABLE {TABLE} ALTER COLUMN body SET STORAGE MAIN, "
                "ALTER COLUMN body SET COMPRESSION lz4"
            )


def use_default(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        schema_editor.execute(
            f"ALTER TABLE {TABLE} ALTER COLUMN body SET STORAGE EXTERNAL, "
            "ALTER COLUMN body SET COMPRESSION DEFAULT"
        )


class Migration(migrations.Migration):
    dependencies = [("tracking", "0003_intake_journal")]

    operations = [migrations.RunPython(use_lz4, use_default, elidable=False)]
