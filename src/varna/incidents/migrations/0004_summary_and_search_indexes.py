"""The incident area at municipal scale (bench/RESULTS.md, "Incidents and insurance"): the damage
figures added up ahead (IncidentSummary, see incidents/summary.py; filled here from the incidents
already registered), the list's order index with the columns its scope condition reads (an
index-only scan for a deep page's ids), an index of the incidents not closed, and trigram indexes for searching
incidents by a word in the place or the description, on PostgreSQL only (the list's `icontains`
is `UPPER(col::text) LIKE UPPER('%word%')`; these indexes match it). SQLite keeps the plain scan.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

TRIGRAM = [
    ("incident_place_trgm", "incidents_incident", "place"),
    ("incident_description_trgm", "incidents_incident", "description"),
]


def forwards(apps, schema_editor):
    from varna.incidents import summary

    if schema_editor.connection.vendor == "postgresql":
        # Room on each page: adding to a row leaves the new version on the same page (a HOT update,
        # no index entries), which makes a bulk import's upserts about a third cheaper.
        schema_editor.execute("ALTER TABLE incidents_incidentsummary SET (fillfactor = 70)")
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, table, column in TRIGRAM:
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (UPPER("{column}"::text) gin_trgm_ops)'
            )
    summary.rebuild(model_pair=(apps.get_model("incidents", "Incident"), apps.get_model("incidents", "IncidentSummary")))


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in TRIGRAM:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ('incidents', '0003_retention_and_public_reports'),
        ('insurance', '0001_initial'),
        ('organisation', '0002_person_search_indexes'),
        ('risks', '0003_search_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='IncidentSummary',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('grain', models.CharField(choices=[('year', 'Year'), ('category', 'Category'), ('month', 'Month'), ('place', 'Place')], max_length=8)),
                ('year', models.PositiveSmallIntegerField()),
                ('month', models.PositiveSmallIntegerField(default=0)),
                ('category', models.CharField(blank=True, max_length=20)),
                ('place', models.CharField(blank=True, max_length=300)),
                ('classified', models.BooleanField(default=False)),
                ('n', models.IntegerField(default=0)),
                ('cost', models.DecimalField(decimal_places=0, default=0, max_digits=18)),
                ('insurer_paid', models.DecimalField(decimal_places=0, default=0, max_digits=18)),
                ('retained_insured', models.DecimalField(decimal_places=0, default=0, max_digits=18)),
                ('retained_uninsured', models.DecimalField(decimal_places=0, default=0, max_digits=18)),
                ('vandalism_n', models.IntegerField(default=0)),
                ('vandalism_cost', models.DecimalField(decimal_places=0, default=0, max_digits=18)),
                ('vandalism_paid', models.DecimalField(decimal_places=0, default=0, max_digits=18)),
                ('fires_n', models.IntegerField(default=0)),
                ('fires_cost', models.DecimalField(decimal_places=0, default=0, max_digits=18)),
                ('fires_deliberate', models.IntegerField(default=0)),
                ('fires_alarm', models.IntegerField(default=0)),
            ],
        ),
        migrations.RemoveIndex(
            model_name='incident',
            name='incident_list_order',
        ),
        migrations.AddIndex(
            model_name='incident',
            index=models.Index(fields=['group', '-occurred_at', '-id', 'unit', 'classification', 'reported_by'], name='incident_list_order'),
        ),
        migrations.AddIndex(
            model_name='incident',
            index=models.Index(condition=models.Q(('status', 'closed'), _negated=True), fields=['group', 'unit', 'classification', 'reported_by'], name='incident_open'),
        ),
        migrations.AddField(
            model_name='incidentsummary',
            name='group',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='organisation.municipalgroup'),
        ),
        migrations.AddField(
            model_name='incidentsummary',
            name='unit',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='organisation.orgunit'),
        ),
        migrations.AddIndex(
            model_name='incidentsummary',
            index=models.Index(fields=['group', 'grain', 'category', 'year'], name='incident_summary_category'),
        ),
        migrations.AddConstraint(
            model_name='incidentsummary',
            constraint=models.UniqueConstraint(fields=('group', 'grain', 'year', 'unit', 'month', 'category', 'place', 'classified'), name='one_incident_summary_row'),
        ),
        migrations.RunPython(forwards, backwards),
    ]
