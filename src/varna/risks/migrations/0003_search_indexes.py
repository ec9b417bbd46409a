"""Indexes for the lists at municipal scale (bench/RESULTS.md): the measures list's order, an
analysis's risks in priority order, and trigram indexes for searching risks and measures by a
word in the title or description, on PostgreSQL only (the list's `icontains` is
`UPPER(col::text) LIKE UPPER('%word%')`; these indexes match it). Without them the search reads
the whole table twice, for the count and for the page. SQLite keeps the plain scan.
"""

from django.db import migrations, models

TRIGRAM = [
    ("risk_title_trgm", "risks_risk", "title"),
    ("risk_description_trgm", "risks_risk", "description"),
    ("measure_title_trgm", "risks_measure", "title"),
    ("measure_description_trgm", "risks_measure", "description"),
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in TRIGRAM:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (UPPER("{column}"::text) gin_trgm_ops)'
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in TRIGRAM:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0002_search_index"),
        ("organisation", "0002_person_search_indexes"),
        ("risks", "0002_vital_functions"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="measure",
            index=models.Index(fields=["group", "due_date", "title", "id"], name="measure_list_order"),
        ),
        migrations.AddIndex(
            model_name="risk",
            index=models.Index(
                fields=["analysis", "-flagged", "-life_health", "-zone_rank", "-level", "title", "id"],
                name="risk_analysis_priority_order",
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
