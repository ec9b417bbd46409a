"""The incident area's panel on a unit's page: this year's incidents of the unit and everything
under it, and their damage cost, within what the reader may see (area.py)."""

import datetime

from django.db.models import Count, Sum
from django.utils import timezone

from .models import Incident


def unit_panel(request, unit) -> dict:
    year = timezone.localdate().year
    start = timezone.make_aware(datetime.datetime(year, 1, 1))
    totals = (
        Incident.objects.visible_to(request.user)
        .filter(unit__path__startswith=unit.path, occurred_at__gte=start)
        .aggregate(n=Count("pk"), cost=Sum("cost"))
    )
    return {"template": "incidents/_unit_panel.html", "year": year, "n": totals["n"], "cost": totals["cost"] or 0}
