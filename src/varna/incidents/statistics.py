"""Damage costs: counts and costs per year, month, category, unit and place, and the trend.

Every figure is read from the damage figures added up ahead (summary.py), narrowed to the
incidents the user may see, and every figure links to the incidents behind it. `per_year` adds
up the incidents themselves: the reference the summary is tested against."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Sum
from django.db.models.functions import ExtractYear
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from varna.core.access_log import log_reads
from varna.core.models import Classification
from varna.core.params import int_param
from varna.core.permissions import get_access
from varna.core.spreadsheets import workbook_response
from varna.core.views import scoped_group as _group
from varna.organisation.models import OrgUnit

from . import summary
from .models import Category, Incident

YEARS = 10
TOP = 10


@dataclass
class Trend:
    year: int
    cost: Decimal
    baseline: Decimal | None  # the mean of the years before it (up to three), None without history
    years_compared: int

    @property
    def falling(self) -> bool | None:
        return None if self.baseline is None else self.cost <= self.baseline

    @property
    def change_percent(self) -> int | None:
        if not self.baseline:
            return None
        return round((self.cost - self.baseline) * 100 / self.baseline)


def _sums():
    return {
        "n": Count("pk"),
        "cost": Sum("cost", default=0),
        "insurer_paid": Sum("insurer_paid", default=0),
    }


def per_year(incidents, first_year: int, last_year: int) -> list[dict]:
    rows = (
        incidents.filter(occurred_at__year__gte=first_year, occurred_at__year__lte=last_year)
        .annotate(year=ExtractYear("occurred_at", tzinfo=timezone.get_current_timezone()))
        .values("year")
        .annotate(**_sums())
        .order_by("year")
    )
    found = {r["year"]: r for r in rows}
    years = []
    for year in range(first_year, last_year + 1):
        row = found.get(year, {"year": year, "n": 0, "cost": Decimal(0), "insurer_paid": Decimal(0)})
        row["retained"] = max(row["cost"] - row["insurer_paid"], 0)
        years.append(row)
    return years


def trend(years: list[dict], year: int) -> Trend | None:
    """The damage cost of `year` against the mean of up to three years before it that had any
    incident: is it falling (KK-10, HJ-12)?"""
    by_year = {r["year"]: r for r in years}
    if year not in by_year:
        return None
    before = [by_year[y]["cost"] for y in range(year - 3, year) if y in by_year and by_year[y]["n"]]
    baseline = (sum(before) / len(before)) if before else None
    return Trend(year, by_year[year]["cost"], baseline, len(before))


def _years(sums: dict[int, dict], first_year: int, last_year: int, prefix: str = "") -> list[dict]:
    """What per_year gives, from the summary's sums per year (summary.per_year); `prefix`
    "vandalism_" for the graffiti and vandalism series."""
    years = []
    for year in range(first_year, last_year + 1):
        found = sums.get(year)
        n = found[f"{prefix}n"] if found else 0
        cost = found[f"{prefix}cost"] if found else Decimal(0)
        paid = found["vandalism_paid" if prefix else "insurer_paid"] if found else Decimal(0)
        years.append({"year": year, "n": n, "cost": cost, "insurer_paid": paid, "retained": max(cost - paid, 0)})
    return years


def damage_trend(group, year: int) -> Trend | None:
    """The trend for the whole group (the obligation checks' view, not narrowed to a user)."""
    return trend(_years(summary.per_year(summary.tallies(group), year - 3, year), year - 3, year), year)


def _year(request) -> int:
    today = timezone.localdate()
    year = int_param(request, "ar", today.year)
    return year if 1900 < year < 3000 else today.year


def build(request, group, year: int) -> dict:
    """Every figure of the dashboard for `year`, over the incidents the user may see."""
    today = timezone.localdate()
    # The damage figures added up ahead, of the incidents the user may see (summary.py): what
    # per_year and the GROUP BYs of the incidents would give, in five queries on small rows.
    rows = summary.tallies(group, request.user)
    sums = summary.per_year(rows, year - YEARS + 1, year)
    years = _years(sums, year - YEARS + 1, year)
    months = summary.per_month(rows, year)
    categories = {r["category"]: r for r in summary.breakdown(rows, year, "category")}
    units = summary.breakdown(rows, year, "unit", limit=TOP)
    names = dict(OrgUnit.objects.filter(pk__in=[u["unit"] for u in units]).values_list("pk", "name"))
    for row in units:
        row["name"] = names.get(row["unit"], "–")
    places = summary.top_places(rows, year, TOP)
    _log_classified_places(request, group, year, places)
    vandalism = _years(sums, year - YEARS + 1, year, prefix="vandalism_")
    fires = [
        {
            "year": y,
            "n": sums[y]["fires_n"],
            "deliberate": sums[y]["fires_deliberate"],
            "alarm": sums[y]["fires_alarm"],
            "cost": sums[y]["fires_cost"],
        }
        for y in sorted(sums)
        if sums[y]["fires_n"]
    ]
    # The years before the first incident on record say nothing: the table starts there.
    while len(years) > 1 and not years[0]["n"]:
        years.pop(0)
    vandalism = [r for r in vandalism if r["year"] >= years[0]["year"]]
    peak = max((r["cost"] for r in years), default=0) or 1
    for row in years:
        row["bar"] = round(float(row["cost"] / peak) * 100, 1)
    return {
        "year": year,
        "year_choices": range(today.year, today.year - YEARS - 5, -1),
        "years": years,
        "trend": trend(years, year),
        "months": [
            months.get(m, {"month": m, "n": 0, "cost": 0, "insurer_paid": 0}) | {"date": datetime.date(year, m, 1)}
            for m in range(1, 13)
        ],
        "categories": [
            categories.get(key, {"category": key, "n": 0, "cost": 0, "insurer_paid": 0}) | {"name": name}
            for key, name in Category.choices
        ],
        "units": units,
        "places": places,
        "vandalism": vandalism,
        "fires": list(fires),
        "summary": _("Damage costs %(year)s") % {"year": year},
    }


def _log_classified_places(request, group, year: int, places: list[dict]) -> None:
    """A place is what a classified incident says: shown to a reader cleared for it (the summary
    holds classified rows only for them), each classified incident behind a place shown is
    logged as read, in one query and one INSERT. Counts name no incident and are not logged."""
    if not places or not get_access(request.user).classified_paths:
        return
    shown = (
        Incident.objects.restrict(request.user)
        .filter(
            group=group,
            classification=Classification.CLASSIFIED,
            place__in=[p["place"] for p in places],
            occurred_at__year=year,
        )
        .only("pk", "group_id", "category", "occurred_at", "place", "classification")
    )
    log_reads(request, shown, "statistics")


@login_required
def dashboard(request):
    group = _group(request)
    return render(request, "incidents/statistics.html", build(request, group, _year(request)))


@login_required
def dashboard_pdf(request):
    """The dashboard as a PDF for the committee (WeasyPrint, as the RSA report)."""
    from weasyprint import HTML

    group = _group(request)
    context = build(request, group, _year(request)) | {"municipality": group.municipality_name}
    html = render_to_string("incidents/statistics_pdf.html", context, request=request)
    response = HttpResponse(
        HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf(), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="skadekostnader-{context["year"]}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def dashboard_xlsx(request):
    """The dashboard's tables as sheets of one workbook."""
    group = _group(request)
    c = build(request, group, _year(request))
    year = c["year"]
    count, cost = _("Incidents"), _("Damage cost (SEK)")
    sheets = [
        (
            _("Per year"),
            [_("Year"), count, cost, _("Paid by the insurer (SEK)"), _("Carried by the municipality (SEK)")],
            [[r["year"], r["n"], r["cost"], r["insurer_paid"], r["retained"]] for r in c["years"]],
        ),
        (_("Per category"), [_("Category"), count, cost], [[r["name"], r["n"], r["cost"]] for r in c["categories"]]),
        (_("Per month"), [_("Month"), count, cost], [[r["date"], r["n"], r["cost"]] for r in c["months"]]),
        (_("Per unit"), [_("Unit"), count, cost], [[r["name"], r["n"], r["cost"]] for r in c["units"]]),
        (_("Per place"), [_("Where"), count, cost], [[r["place"], r["n"], r["cost"]] for r in c["places"]]),
        (
            _("Fires"),
            [_("Year"), _("Fires"), _("Deliberately set"), _("Detected by an alarm"), cost],
            [[r["year"], r["n"], r["deliberate"], r["alarm"], r["cost"]] for r in c["fires"]],
        ),
    ]
    return workbook_response(f"skadekostnader-{year}.xlsx", sheets)
