"""Obligation checks for incidents and damage costs (HJ-12, KK-10, AL-5).

Each counts in the database over indexed columns and names at most EVIDENCE_SHOWN incidents."""

import datetime

from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from varna.core.formatting import amount, count
from varna.core.obligations import Evidence, Result, Status, registry

from .models import Category, Incident
from .statistics import damage_trend

EVIDENCE_SHOWN = 10


def _evidence(incidents) -> list[Evidence]:
    """Incidents with their unit: the page shows each only to readers who may read it."""
    return [
        Evidence.of(i, _("A classified incident") if i.is_classified else str(i)) for i in incidents[:EVIDENCE_SHOWN]
    ]


@registry.register("damage_costs_known", days=("int", False))
def damage_costs_known(group, profile, days=30):
    """Every incident of the last twelve months reported more than `days` ago has its damage
    cost recorded (cost items, or "no damage cost"): the damage costs are known (HJ-12)."""
    now = timezone.now()
    year_ago = now - datetime.timedelta(days=365)
    recent = Incident.objects.filter(group=group, occurred_at__gte=year_ago)
    total = recent.count()
    if not total:
        return Result(Status.NOT_CHECKABLE, _("No incidents were reported in the last twelve months."))
    unknown = recent.filter(reported_at__lt=now - datetime.timedelta(days=days), cost=0, no_damage_cost=False)
    missing = unknown.count()
    cost = recent.aggregate(total=Sum("cost", default=0))["total"]
    summary = _("Damage costs of the last twelve months: %(cost)s SEK in %(n)s incidents.") % {
        "cost": amount(cost),
        "n": count(total),
    }
    if not missing:
        return Result(Status.MET, summary)
    status = Status.PARTLY if missing * 10 <= total else Status.NOT_MET
    return Result(
        status,
        summary
        + " "
        + _("%(missing)s incidents reported more than %(days)s days ago have no cost recorded.")
        % {"missing": missing, "days": days},
        _evidence(unknown.select_related("unit").order_by("occurred_at")),
    )


@registry.register("damage_costs_falling", tolerance_percent=("int", False))
def damage_costs_falling(group, profile, tolerance_percent=10):
    """The damage cost of the last full year is at or below the mean of the (up to three) years
    before it: the damage costs are reduced (KK-10, HJ-12). Above it by no more than
    `tolerance_percent` is partly met."""
    year = timezone.localdate().year - 1
    trend = damage_trend(group, year)
    if trend is None or trend.baseline is None:
        return Result(
            Status.NOT_CHECKABLE,
            _("The damage costs of %(year)s cannot be compared: no incidents are recorded for the years before.")
            % {"year": year},
        )
    values = {
        "year": year,
        "cost": amount(trend.cost),
        "baseline": amount(trend.baseline, 0),
        "n": trend.years_compared,
    }
    if trend.falling:
        return Result(
            Status.MET,
            _("Damage costs %(year)s: %(cost)s SEK, at or below the mean of the %(n)s years before (%(baseline)s SEK).")
            % values,
        )
    values["percent"] = trend.change_percent
    status = Status.PARTLY if trend.change_percent <= tolerance_percent else Status.NOT_MET
    return Result(
        status,
        _(
            "Damage costs %(year)s: %(cost)s SEK, %(percent)s %% above the mean of the %(n)s years before "
            "(%(baseline)s SEK)."
        )
        % values,
    )


@registry.register("incidents_investigated", categories=("incident_categories[]", True), days=("int", False))
def incidents_investigated(group, profile, categories, days=30):
    """Incidents of the given categories (e.g. graffiti, vandalism, threat and violence) are
    taken up: none reported more than `days` ago is still waiting untouched (AL-5)."""
    names = ", ".join(str(Category(c).label).lower() for c in categories)
    incidents = Incident.objects.filter(group=group, category__in=categories)
    waiting = incidents.filter(
        status=Incident.State.REPORTED, reported_at__lt=timezone.now() - datetime.timedelta(days=days)
    )
    missing = waiting.count()
    if not missing:
        total = incidents.filter(~Q(status=Incident.State.REPORTED)).count()
        return Result(
            Status.MET,
            _("Every reported incident of %(names)s is taken up (%(n)s investigated or closed).")
            % {"names": names, "n": total},
        )
    return Result(
        Status.NOT_MET if missing > 1 else Status.PARTLY,
        _("%(n)s incidents of %(names)s have waited more than %(days)s days without investigation.")
        % {"n": missing, "names": names, "days": days},
        _evidence(waiting.select_related("unit").order_by("reported_at")),
    )
