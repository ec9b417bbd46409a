"""The document area's panel on a unit's page: the governing documents of the unit and everything
under it whose review is overdue or due within 90 days, within what the reader may see (area.py)."""

import datetime

from django.db.models import Count, Q
from django.utils import timezone

from .models import Document, Status


def unit_panel(request, unit) -> dict:
    today = timezone.localdate()
    soon = today + datetime.timedelta(days=90)
    counts = (
        Document.objects.restrict(request.user)
        .filter(unit__path__startswith=unit.path, status__in=(Status.IN_FORCE, Status.UNDER_REVIEW))
        .aggregate(
            overdue=Count("pk", filter=Q(next_review__lt=today)),
            soon=Count("pk", filter=Q(next_review__gte=today, next_review__lte=soon)),
            applying=Count("pk"),
        )
    )
    return {"template": "documents/_unit_panel.html", **counts}
