"""Incidents of a demo organisation, where its profile asks for them (`demo.incidents: {years:
N}`): N whole years of reports with costs and a falling trend, and a few fresh ones this year
waiting for the coordinator.

Generated rather than listed in the profile: what a demo needs is volume (the statistics have
something to show) rather than particular incidents. A fixed seed makes every load the same;
dates are relative to the day of loading."""

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from varna.organisation.models import OrgUnit, Person

from . import summary
from .models import Category, CostItem, Incident, InvolvedPerson
from .services import update_costs

PLACES = [
    "Skolgården, norra sidan",
    "Huvudentrén",
    "Personalrummet",
    "Parkeringen",
    "Idrottshallen",
    "Förrådet",
    "Bibliotekets läsesal",
    "Matsalen",
    "Cykelstället",
    "Fasaden mot gatan",
]
# (category, weight, typical cost in SEK, what happened)
KINDS = [
    (Category.GRAFFITI, 8, 6_000, "Klotter på fasaden, sanerat av fastighetsskötare."),
    (Category.VANDALISM, 7, 15_000, "Krossade rutor och sönderslagen belysning."),
    (Category.THEFT, 4, 12_000, "Bärbara datorer saknas efter helgen."),
    (Category.BURGLARY, 2, 40_000, "Inbrott genom fönster på baksidan, larmet gick."),
    (Category.FIRE, 2, 80_000, "Brand i papperskorg som spred sig till fasaden."),
    (Category.WATER_DAMAGE, 2, 60_000, "Vattenläcka i undertak efter frysskada."),
    (Category.THREAT_VIOLENCE, 4, 0, "En besökare hotade personal i receptionen."),
    (Category.NEAR_MISS, 5, 0, "Halkolycka nära att inträffa vid entrén."),
    (Category.ACCIDENT, 3, 4_000, "Elev skadade handen på trasig dörrstängare."),
    (Category.IT, 2, 20_000, "Nätverket låg nere en förmiddag."),
]


# How much costlier a year's incidents are, by how many years back it is (the falling trend).
_SCALES = (0.8, 1.1, 1.3)


def load_incidents(group, years: int = 3) -> list[Incident]:
    rng = random.Random(f"varna-demo-incidents-{group.name}")
    units = list(OrgUnit.objects.filter(group=group, depth__gte=1).order_by("path"))
    if not units:
        return []
    people = list(Person.objects.filter(group=group).order_by("pk"))
    now = timezone.now()
    weights = [k[1] for k in KINDS]
    incidents = []
    # Fewer and cheaper incidents each year: the trend the policies ask for. Dates fall inside
    # whole calendar years, so the yearly statistics are the same whenever the demo is loaded.
    this_year = timezone.localdate().year
    for back in range(years, 0, -1):
        year, count = this_year - back, 22 + 4 * back
        scale = _SCALES[back - 1] if back <= len(_SCALES) else _SCALES[-1] + 0.2 * (back - len(_SCALES))
        for _ in range(count):
            day = datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randint(0, 364))
            when = timezone.make_aware(datetime.datetime.combine(day, datetime.time(rng.randint(6, 22))))
            kind = rng.choices(KINDS, weights)[0]
            incidents.append(_incident(group, rng, kind, units, people, when, closed=True, scale=scale))
    start_of_year = timezone.make_aware(datetime.datetime(this_year, 1, 1))
    for days_ago in (200, 120, 60, 40, 20, 9, 3, 1):
        kind = rng.choices(KINDS, weights)[0]
        # This year's, even early in January: last year's figures stay the same.
        when = max(now - datetime.timedelta(days=days_ago, hours=rng.randint(0, 12)), start_of_year)
        incidents.append(_incident(group, rng, kind, units, people, when, closed=days_ago > 30))
    # Insurer payments were written with queryset updates: add the damage figures up afresh.
    summary.rebuild(group)
    return incidents


def _incident(group, rng, kind, units, people, when, *, closed, scale=1.0):
    category, _weight, typical, text = kind
    unit = rng.choice(units)
    reporter = rng.choice(people) if people else None
    incident = Incident.objects.create(
        group=group,
        unit=unit,
        category=category,
        occurred_at=when,
        reported_at=when + datetime.timedelta(hours=rng.randint(0, 30)),
        reporter=reporter,
        reported_by=reporter.user if reporter else None,
        place=rng.choice(PLACES),
        description=text,
        immediate_actions="Området spärrades av och fastighetsjouren kontaktades.",
        status=Incident.State.CLOSED if closed else rng.choice([Incident.State.REPORTED, Incident.State.INVESTIGATING]),
        closed_on=(when + datetime.timedelta(days=rng.randint(5, 40))).date() if closed else None,
        fire_deliberate=rng.random() < 0.6 if category == Category.FIRE else None,
        fire_alarm_detected=rng.random() < 0.7 if category == Category.FIRE else None,
        police_report_number=f"5000-K{rng.randint(100000, 999999)}-{when:%y}" if typical >= 10_000 else "",
        no_damage_cost=typical == 0,
        classification="classified" if category == Category.THREAT_VIOLENCE else "internal",
        classification_ground="OSL 21 kap. 3 §" if category == Category.THREAT_VIOLENCE else "",
    )
    if typical:
        amount = Decimal(round(typical * scale * rng.uniform(0.7, 1.3), -2))
        final = amount if closed else None
        CostItem.objects.create(incident=incident, kind=CostItem.Kind.REPAIR, estimated=amount, final=final)
        if amount > 20_000:
            staff = Decimal(rng.randint(2, 20) * 450)
            CostItem.objects.create(
                incident=incident, kind=CostItem.Kind.STAFF_TIME, estimated=staff, final=staff if closed else None
            )
            incident.deductible = Decimal(10_000)
            incident.insurance_claim_number = f"S-{rng.randint(10000, 99999)}"
            incident.insurer_paid = max(amount - incident.deductible, 0) if closed else 0
            Incident.objects.filter(pk=incident.pk).update(
                deductible=incident.deductible,
                insurance_claim_number=incident.insurance_claim_number,
                insurer_paid=incident.insurer_paid,
            )
        update_costs(incident)
    if category == Category.THREAT_VIOLENCE:
        InvolvedPerson.objects.create(
            incident=incident, role=InvolvedPerson.Role.STAFF, name="Receptionist (se personalakt)"
        )
        InvolvedPerson.objects.create(incident=incident, role=InvolvedPerson.Role.PERPETRATOR, name="Okänd besökare")
    return incident


def load_demo_incidents(ctx) -> None:
    """The area's demo loader (area.py): only what the profile's demo declares."""
    declared = ctx.profile.data["demo"].get("incidents")
    if declared:
        load_incidents(ctx.group, declared["years"])
