"""The risk analyses, risks, assessments and measures of a profile's demo organisation.

Dates are relative to the day the demo is loaded: the demo's RSA is always the current mandate
period's, and its overdue measures are overdue by the same number of days whenever it is loaded."""

import datetime

from django.utils import timezone

from varna.core.dates import add_months
from varna.organisation import mandate
from varna.organisation.models import Person

from . import services
from .models import Analysis, Assessment, CapabilityAssessment, Dependency, Measure, Risk, VitalFunction


def load_vital_functions(group, profile, units) -> dict[str, VitalFunction]:
    specs = (profile.data.get("demo") or {}).get("vital_functions") or []
    functions = {}
    for spec in specs:
        functions[spec["name"]] = VitalFunction.objects.create(
            group=group,
            unit=units[spec["unit"]],
            name=spec["name"],
            description=spec["description"],
            acceptable_level=spec["acceptable_level"],
            max_outage_hours=spec.get("max_outage_hours"),
            classification=spec["classification"],
            classification_ground=spec["classification_ground"],
        )
    today = timezone.localdate()
    for spec in specs:
        function = functions[spec["name"]]
        for d in spec["dependencies"]:
            Dependency.objects.create(
                function=function,
                kind=d["kind"],
                name=d["name"],
                depends_on=functions.get(d.get("function")),
                tolerable_outage_hours=d.get("tolerable_outage_hours"),
                reserve=d["reserve"],
            )
        for c in spec["capability"]:
            CapabilityAssessment.objects.create(
                function=function, event_type=c["event_type"], level=c["level"], reasons=c["reasons"], assessed_on=today
            )
    return functions


def load_risks(group, profile, units, documents) -> list[Risk]:
    specs = (profile.data.get("demo") or {}).get("analyses") or []
    people = {f"{p.first_name} {p.last_name}": p for p in Person.objects.filter(group=group)}
    functions = load_vital_functions(group, profile, units)
    today = timezone.localdate()
    period = mandate.current(today)
    risks = []
    for spec in specs:
        election_year = None
        if spec.get("mandate_period") == "current":
            election_year = period.election_year
        elif spec.get("mandate_period") == "previous":
            election_year = period.election_year - 4
        started = add_months(today, -spec["started_months_ago"])
        analysis = Analysis.objects.create(
            group=group,
            kind=spec["kind"],
            title=spec["title"],
            unit=units[spec["unit"]],
            election_year=election_year,
            status=spec["status"],
            started_on=started,
            completed_on=started + datetime.timedelta(days=240) if spec["status"] != "ongoing" else None,
            reported_on=mandate.MandatePeriod(election_year).rva_deadline
            if spec["status"] == "reported" and election_year
            else None,
            scope=spec["scope"],
            method=spec["method"],
            participants=spec["participants"],
            classification=spec["classification"],
            classification_ground=spec["classification_ground"],
        )
        for risk_spec in spec["risks"]:
            risk = Risk.objects.create(
                group=group,
                analysis=analysis,
                unit=units[risk_spec["unit"]],
                owner=people.get(risk_spec.get("owner")),
                title=risk_spec["title"],
                kind=risk_spec["kind"],
                category=risk_spec["category"],
                description=risk_spec["description"],
                cause=risk_spec["cause"],
                classification=risk_spec["classification"],
                classification_ground=risk_spec["classification_ground"],
            )
            risk.vital_functions.set([functions[name] for name in risk_spec["vital_functions"]])
            if risk_spec.get("likelihood"):
                services.assess(
                    risk,
                    likelihood=risk_spec["likelihood"],
                    consequences=dict(risk_spec["consequences"]),
                    on=add_months(today, -risk_spec["assessed_months_ago"]),
                    reasoning="",
                )
            if risk_spec.get("residual"):
                services.assess(
                    risk,
                    likelihood=risk_spec["residual"]["likelihood"],
                    consequences=dict(risk_spec["residual"]["consequences"]),
                    kind=Assessment.Kind.RESIDUAL,
                    on=today,
                )
            for m in risk_spec["measures"]:
                measure = Measure.objects.create(
                    group=group,
                    title=m["title"],
                    description=m["description"],
                    unit=units[m["unit"]],
                    owner=people.get(m.get("owner")),
                    due_date=today + datetime.timedelta(days=m["due_in_days"])
                    if m.get("due_in_days") is not None
                    else None,
                    cost_estimate=m.get("cost"),
                    status=m["status"],
                    completed_on=today if m["status"] == "done" else None,
                    source=Measure.Source.RISK,
                    document=documents.get(m.get("document")),
                    openness=m["openness"],
                    openness_note=m["openness_note"],
                    classification=m["classification"],
                    classification_ground=m["classification_ground"],
                )
                measure.risks.add(risk)
            risks.append(risk)
    return risks


def load_demo_risks(ctx) -> None:
    """The area's demo loader (area.py). The analyses' measures implement the demo's documents
    where the documents area has loaded them."""
    load_risks(ctx.group, ctx.profile, ctx.units, ctx.records.get("documents", {}))
