"""The risk area's panel on a unit's page: the active risks of the unit and everything under it,
by zone, and its open and overdue measures, within what the reader may see (area.py)."""

from django.db.models import Count, Q
from django.utils import timezone

from .models import Measure, Risk, matrix_for


def unit_panel(request, unit) -> dict:
    matrix = matrix_for(unit.group)
    below = {"unit__path__startswith": unit.path}
    # One query for the zones and the risks not assessed yet, one for the measures.
    by_zone = (
        Risk.objects.restrict(request.user)
        .active()
        .filter(**below)
        .aggregate(
            unassessed=Count("pk", filter=Q(likelihood__isnull=True)),
            **{f"zone_{key}": Count("pk", filter=Q(zone=key)) for key in matrix.zones},
        )
    )
    counts = (
        Measure.objects.restrict(request.user)
        .filter(**below)
        .open()
        .aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=timezone.localdate())))
    )
    return {
        "template": "risks/_unit_panel.html",
        "zones": [(zone, by_zone[f"zone_{zone.key}"]) for zone in reversed(matrix.ordered_zones())],
        "unassessed": by_zone["unassessed"],
        "measures": counts,
    }
