"""On PostgreSQL, a trigram index makes the lead search's `LIKE '%…%'` an index scan.

SQLite scans `search_text` instead (about 100k rows in tens of milliseconds), so nothing is
created there.
"""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS lead_search_trgm ON leads_lead "
        "USING gin (search_text gin_trgm_ops)"
    )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS company_search_trgm ON leads_company "
        "USING gin (search_text gin_trgm_ops)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS lead_search_trgm")
    schema_editor.execute("DROP INDEX IF EXISTS company_search_trgm")


class Migration(migrations.Migration):
    dependencies = [("leads", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
