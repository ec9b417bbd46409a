"""Risk financing: what damage cost the municipality each year and who carried it.

For a year: the premiums paid (each policy's yearly premium for the days it was valid), what
the insurers paid, and what the municipality retained itself — the deductibles on insured
damage and the whole cost of uninsured damage. Premiums plus retained costs are the year's
cost of risk; insurer payments against premiums is the loss ratio. The incident figures are
read from the damage figures added up ahead (incidents/summary.py), or — given a queryset of
incidents — added up from the incidents themselves (the reference the summary is tested
against)."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, F, Q, Sum, Value
from django.db.models.functions import ExtractYear, Greatest

from varna.incidents import summary

from .models import InsurancePolicy

ZERO = Value(0, output_field=DecimalField(max_digits=14, decimal_places=0))


def _retained():
    return Greatest(F("cost") - F("insurer_paid"), ZERO)


def incident_sums():
    return {
        "n": Count("pk"),
        # Not named after the fields they add up: an annotation named "cost" would shadow the
        # field in the F() expressions of the retained sums.
        "damage": Sum("cost", default=0),
        "paid": Sum("insurer_paid", default=0),
        "deductibles": Sum(_retained(), filter=Q(insurance_policy__isnull=False), default=0),
        "uninsured": Sum(_retained(), filter=Q(insurance_policy__isnull=True), default=0),
    }


@dataclass
class Year:
    year: int
    premiums: Decimal = Decimal(0)
    n: int = 0
    cost: Decimal = Decimal(0)
    insurer_paid: Decimal = Decimal(0)
    deductibles: Decimal = Decimal(0)
    uninsured: Decimal = Decimal(0)
    bars: dict = field(default_factory=dict)

    @property
    def retained(self) -> Decimal:
        return self.deductibles + self.uninsured

    @property
    def cost_of_risk(self) -> Decimal:
        return self.premiums + self.retained

    @property
    def loss_ratio(self) -> int | None:
        """Insurer payments as a percentage of premiums."""
        return round(self.insurer_paid * 100 / self.premiums) if self.premiums else None

    @property
    def retained_share(self) -> int | None:
        """The share of the cost of risk the municipality carried itself, in per cent."""
        return round(self.retained * 100 / self.cost_of_risk) if self.cost_of_risk else None

    def as_json(self) -> dict:
        return {
            "year": self.year,
            "premiums": int(self.premiums),
            "incidents": self.n,
            "damage_cost": int(self.cost),
            "insurer_paid": int(self.insurer_paid),
            "deductibles": int(self.deductibles),
            "uninsured": int(self.uninsured),
        }


def years(group, first: int, last: int, incidents=None, policies=None, *, tallies=None) -> list[Year]:
    """One Year per year from `first` to `last`: two queries whatever the number of incidents.
    The incident figures come from `tallies` (summary rows, incidents/summary.py; the whole
    group's by default) or, given `incidents`, from those incidents themselves."""
    policies = InsurancePolicy.objects.filter(group=group) if policies is None else policies
    result = {y: Year(y) for y in range(first, last + 1)}
    if incidents is not None:
        rows = (
            incidents.filter(occurred_at__year__gte=first, occurred_at__year__lte=last)
            .annotate(y=ExtractYear("occurred_at"))
            .values("y")
            .annotate(**incident_sums())
            .order_by()
        )
        for row in rows:
            year = result[row["y"]]
            year.n, year.cost, year.insurer_paid = row["n"], row["damage"], row["paid"]
            year.deductibles, year.uninsured = row["deductibles"], row["uninsured"]
    else:
        tallies = summary.tallies(group) if tallies is None else tallies
        for y, row in summary.per_year(tallies, first, last).items():
            year = result[y]
            year.n, year.cost, year.insurer_paid = row["n"], row["cost"], row["insurer_paid"]
            year.deductibles, year.uninsured = row["retained_insured"], row["retained_uninsured"]
    for policy in policies.overlapping(datetime.date(first, 1, 1), datetime.date(last, 12, 31)):
        for y in result:
            result[y].premiums += policy.premium_in(y)
    ordered = list(result.values())
    peak = max((max(y.premiums, y.insurer_paid, y.retained) for y in ordered), default=0) or 1
    for y in ordered:
        y.bars = {
            "premiums": round(float(y.premiums / peak) * 100, 1),
            "insurer_paid": round(float(y.insurer_paid / peak) * 100, 1),
            "retained": round(float(y.retained / peak) * 100, 1),
        }
    return ordered


def breakdown(incidents, year: int, by: str) -> list[dict]:
    """The year's incident sums per unit or per category, largest retained cost first."""
    rows = list(incidents.filter(occurred_at__year=year).values(by).annotate(**incident_sums()).order_by("-damage", by))
    for row in rows:
        row["cost"], row["insurer_paid"] = row["damage"], row["paid"]
        row["retained"] = row["deductibles"] + row["uninsured"]
    return rows


def summary_breakdown(tallies, year: int, by: str, limit: int | None = None) -> list[dict]:
    """What `breakdown` gives, from summary rows (incidents/summary.py): the first `limit`."""
    rows = summary.breakdown(tallies, year, by, limit=limit)
    for row in rows:
        row["retained"] = row["deductibles"] + row["uninsured"]
    return rows
