"""Drop the PostgreSQL trigram indexes of 0002.

Measured on this project's 2-core machines: maintaining them doubled the cost of writing a lead
(about half of every bulk import), while the lead search they speed up already answers in tens
of milliseconds at 100k leads with a plain scan of the folded `search_text`. Worth adding back,
with a large `gin_pending_list_limit`, for installations with millions of leads.
"""

from django.db import migrations


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS lead_search_trgm")
    schema_editor.execute("DROP INDEX IF EXISTS company_search_trgm")


class Migration(migrations.Migration):
    dependencies = [("leads", "0004_companyredirect_leadredirect_duplicatecandidate")]
    operations = [migrations.RunPython(drop, migrations.RunPython.noop)]
