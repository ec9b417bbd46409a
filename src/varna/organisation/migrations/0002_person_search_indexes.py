"""Trigram indexes for searching people by part of a name or e-mail, on PostgreSQL only.

`icontains` becomes `UPPER(col::text) LIKE UPPER('%word%')` on PostgreSQL; these indexes match
that expression exactly. Every arm of the search's OR needs an index, or PostgreSQL scans the
whole table anyway (bench/RESULTS.md). SQLite has no trigram indexes and keeps the plain scan.
Creating the pg_trgm extension needs a role allowed to (it is trusted since PostgreSQL 13).
"""

from django.db import migrations

TRIGRAM = [
    ("person_first_name_trgm", "first_name"),
    ("person_last_name_trgm", "last_name"),
    ("person_email_trgm", "email"),
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in TRIGRAM:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS {name} ON organisation_person USING gin (UPPER("{column}"::text) gin_trgm_ops)'
        )
    schema_editor.execute(
        'CREATE INDEX IF NOT EXISTS person_employee_number_upper ON organisation_person (UPPER("employee_number"::text))'
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in [n for n, _ in TRIGRAM] + ["person_employee_number_upper"]:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("organisation", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
