"""Searching documents by title, record number and content.

On PostgreSQL: full-text search with Swedish stemming ("riktlinjerna" finds "riktlinje"),
served by the expression index of migration 0002. On SQLite: every word as a substring.
"""

from django.contrib.postgres.search import SearchQuery, SearchVectorField
from django.db import connection
from django.db.models import Func, Q


class SwedishVector(Func):
    # Exactly the expression of the index: Django's SearchVector adds a COALESCE the index lacks.
    template = "to_tsvector('swedish'::regconfig, %(expressions)s)"
    output_field = SearchVectorField()


def search(queryset, text: str):
    text = text.strip()
    if not text:
        return queryset
    if connection.vendor == "postgresql":
        # alias, not annotate: the vector is only needed in WHERE, not computed again for each row shown.
        return queryset.alias(_search=SwedishVector("search_text")).filter(
            _search=SearchQuery(text, config="swedish", search_type="websearch")
        )
    for word in text.split():
        queryset = queryset.filter(Q(search_text__icontains=word))
    return queryset
