"""Query counts per page must not grow with the data (no N+1)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from varna.documents import services
from varna.documents.models import Document
from varna.facilities.models import (
    AccessControlSystem,
    AccessReview,
    Alarm,
    AlarmEvent,
    Building,
    Camera,
    CameraSurveillance,
    InterestAssessment,
    Key,
    KeyLoan,
    KeySystem,
    Site,
)
from varna.incidents import services as incident_services
from varna.incidents.models import CostItem, Incident, InvolvedPerson
from varna.organisation.models import Contract, ExternalParty, OrgUnit, Person, RoleAssignment
from varna.risks import services as risk_services
from varna.risks.models import Analysis, Dependency, Measure, Risk, VitalFunction


def _grow(group, n):
    """Add n units under TF, each with a head and two people, and n external parties."""
    tf = OrgUnit.objects.get(group=group, code="TF")
    for i in range(n):
        unit = OrgUnit.objects.create(group=group, parent=tf, kind="unit", name=f"Enhet {i}", code=f"X{i}-{n}")
        people = [
            Person.objects.create(group=group, first_name="P", last_name=f"Extra{i}-{j}", unit=unit) for j in range(2)
        ]
        RoleAssignment.objects.create(person=people[0], role="head", unit=unit)
        party = ExternalParty.objects.create(group=group, name=f"Part {i}-{n}", kind="supplier", unit=unit)
        contract = Contract.objects.create(party=party, title="Avtal", valid_from="2026-01-01")
        contract.units.set([unit, tf])
        document = Document.objects.create(
            group=group, kind="instruction", title=f"Instruktion {i}-{n}", unit=unit, owner=people[0]
        )
        version = services.add_version(document, None, text="# Text")
        services.record_decision(
            document,
            version=version,
            body=None,
            person=people[0],
            date=datetime.date(2025, 1, 1),
            in_force_from=datetime.date(2025, 1, 1),
            record_number="",
            user=None,
            expected_version=document.version,
        )
        analysis = Analysis.objects.get(group=group, title="Riskanalys tekniska förvaltningen")
        for k in range(2):
            risk = Risk.objects.create(group=group, analysis=analysis, unit=unit, title=f"Risk {i}-{n}-{k}")
            risk_services.assess(risk, likelihood=1 + k, consequences={"life_health": 2 + k, "property": 3})
            measure = Measure.objects.create(
                group=group, title=f"Åtgärd {i}-{n}-{k}", unit=unit, owner=people[0], document=document
            )
            measure.risks.add(risk, Risk.objects.get(group=group, title="Långvarigt elavbrott i hela kommunen"))
        function = VitalFunction.objects.create(group=group, unit=unit, name=f"Funktion {i}-{n}")
        roads = VitalFunction.objects.get(group=group, name="Snöröjning och framkomlighet")
        Dependency.objects.create(function=function, kind="function", depends_on=roads)
        Dependency.objects.create(function=function, kind="power", name=f"Nät {i}")
        Dependency.objects.create(function=roads, kind="staff", name=f"Personal {i}-{n}")
        function.capability_assessments.create(event_type="Elavbrott", level=2, reasons="Skäl")
        measured = _measured_incident(group, tf)
        Incident.objects.create(group=group, unit=unit, category="theft", description="Stöld", place=f"Plats {i}")
        CostItem.objects.create(incident=measured, kind="repair", estimated=1000 + i)
        InvolvedPerson.objects.create(incident=measured, role="witness", name=f"Vittne {i}-{n}")
        measured.measures.add(measure)
        measured.risks.add(risk)
        incident_services.update_costs(measured)
        school = Site.objects.get(group=group, code="SVEG-SK")
        for variant in ("internal", "classified"):
            site = Site.objects.create(
                group=group,
                unit=unit,
                name=f"Anläggning {i}-{n}-{variant}",
                code=f"S-{i}-{n}-{variant}",
                classification=variant,
                classification_ground="OSL 18 kap. 8 §" if variant == "classified" else "",
            )
            site.using_units.set([unit, tf])
            Building.objects.create(site=site, name="Hus", code="A")
            Building.objects.create(
                site=school, name=f"Paviljong {i}-{n}-{variant}", code=f"P-{i}-{n}-{variant}", classification=variant
            )
            system = KeySystem.objects.create(site=site, name="Nycklar", code="NS", classification=variant)
            Key.objects.create(system=system, number="1")
            key = Key.objects.create(system=school.key_systems.get(code="SVEG-SK-1"), number=f"G-{i}-{n}-{variant}")
            key.opens.set(key.system.locks.all()[:2])
            KeyLoan.objects.create(key=key, person=people[n % len(people)], due_back_on=datetime.date(2020, 1, 1))
            ground = "OSL 18 kap. 8 §" if variant == "classified" else ""
            Alarm.objects.create(
                building=school.buildings.get(code="A"),
                kind="fire",
                name=f"Larm {i}-{n}-{variant}",
                identifier=f"L-{i}-{n}-{variant}",
                classification=variant,
                classification_ground=ground,
            )
            alarm = Alarm.objects.get(identifier="NL-10231")
            AlarmEvent.objects.create(alarm=alarm, kind="real", cause=f"Orsak {i}-{n}-{variant}")
            system = AccessControlSystem.objects.get(site__group=group, name="Passersystem kommunhuset")
            AccessReview.objects.create(system=system, outcome="no_remarks", comment=f"Översyn {i}-{n}")
            system.administrators.add(people[0])
            surveillance = CameraSurveillance.objects.create(
                group=group,
                site=site,
                name=f"Kamera {i}-{n}-{variant}",
                code=f"K-{i}-{n}-{variant}",
                purpose_crime=True,
                area_covered="Entrén",
                classification="public" if variant == "internal" else "internal",
                responsible=people[0],
            )
            surveillance.viewers.set(people)
            Camera.objects.create(surveillance=surveillance, identifier="K1", placement="Entrén")
            InterestAssessment.objects.create(
                surveillance=surveillance,
                date="2026-01-01",
                need="N",
                intrusion="I",
                conclusion="allowed",
                decided_by=people[0],
            )
        school_cameras = CameraSurveillance.objects.get(group=group, code="KAM-SVEG-SK")
        school_cameras.viewers.add(*people)
        Camera.objects.create(surveillance=school_cameras, identifier=f"X{i}-{n}", placement="Extra")
        InterestAssessment.objects.create(
            surveillance=school_cameras,
            date="2025-01-01",
            need="N",
            intrusion="I",
            conclusion="allowed",
            decided_by=people[0],
        )
    return tf


def _measured_incident(group, tf):
    incident, _ = Incident.objects.get_or_create(
        group=group, unit=tf, description="Mätincident", defaults={"category": "vandalism", "place": "Depån"}
    )
    return incident


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    # The access log's own queries (which classified records the reader was cleared for, and one
    # INSERT) follow what the page shows, not the page's work: counted apart.
    return len([q for q in ctx.captured_queries if not _access_log_query(q["sql"])])


def _access_log_query(sql: str) -> bool:
    return "core_accesslogentry" in sql or "for_access_log" in sql


PAGES = [
    ("home", None),
    ("obligations", None),
    ("organisation:group", None),
    ("organisation:people", None),
    ("organisation:parties", None),
    ("organisation:unit", "TF"),
    ("organisation:person", "person"),
    ("organisation:party", "party"),
    ("documents:list", None),
    ("documents:calendar", None),
    ("documents:document", "document"),
    ("risks:list", None),
    ("risks:matrix", None),
    ("risks:analyses", None),
    ("risks:analysis", "analysis"),
    ("risks:risk", "risk"),
    ("risks:measures", None),
    ("risks:measure", "measure"),
    ("risks:functions", None),
    ("risks:function", "function"),
    ("risks:dependency-graph", None),
    ("incidents:list", None),
    ("incidents:statistics", None),
    ("incidents:incident", "incident"),
    ("facilities:list", None),
    ("facilities:site", "site"),
    ("facilities:building", "building"),
    ("facilities:keys", None),
    ("facilities:keys-due", None),
    ("facilities:key-system", "key_system"),
    ("facilities:alarms", None),
    ("facilities:alarm", "alarm"),
    ("facilities:access-system", "access_system"),
    ("facilities:cameras", None),
    ("facilities:camera-surveillance", "surveillance"),
    ("facilities:cameras-public", None),
]


@pytest.mark.parametrize(("name", "arg"), PAGES)
@pytest.mark.parametrize("login", ["samordnare", "forvaltningssamordnare"])
def test_query_count_is_constant_in_the_data_size(group, client_for, name, arg, login):
    client = client_for(login)

    def url():
        if arg == "TF":
            return reverse(name, args=[OrgUnit.objects.get(group=group, code="TF").pk])
        if arg == "person":
            return reverse(name, args=[Person.objects.get(group=group, last_name="Berglund").pk])
        if arg == "document":
            return reverse(
                name,
                args=[
                    Document.objects.get(
                        group=group, title__startswith="Kompletterande riktlinje för fastighetssäkerhet"
                    ).pk
                ],
            )
        if arg == "analysis":
            return reverse(name, args=[Analysis.objects.get(group=group, title="Riskanalys tekniska förvaltningen").pk])
        if arg == "risk":
            return reverse(name, args=[Risk.objects.get(group=group, title="Långvarigt elavbrott i hela kommunen").pk])
        if arg == "measure":
            return reverse(
                name, args=[Measure.objects.get(group=group, title__startswith="Reservkraft i kommunhuset").pk]
            )
        if arg == "function":
            return reverse(name, args=[VitalFunction.objects.get(group=group, name="Snöröjning och framkomlighet").pk])
        if arg == "incident":
            return reverse(name, args=[_measured_incident(group, OrgUnit.objects.get(group=group, code="TF")).pk])
        if arg == "party":
            return reverse(name, args=[ExternalParty.objects.get(group=group, name="Fjällbygg Entreprenad AB").pk])
        if arg == "site":
            return reverse(name, args=[Site.objects.get(group=group, code="SVEG-SK").pk])
        if arg == "key_system":
            return reverse(name, args=[KeySystem.objects.get(site__group=group, code="SVEG-SK-1").pk])
        if arg == "alarm":
            return reverse(name, args=[Alarm.objects.get(identifier="NL-10231").pk])
        if arg == "access_system":
            return reverse(name, args=[AccessControlSystem.objects.get(site__group=group).pk])
        if arg == "surveillance":
            return reverse(name, args=[CameraSurveillance.objects.get(group=group, code="KAM-SVEG-SK").pk])
        if arg == "building":
            return reverse(name, args=[Building.objects.get(site__group=group, site__code="SVEG-SK", code="A").pk])
        return reverse(name)

    _grow(group, 3)
    _count(client, url())  # warms the per-process caches (content types) a first visit fills
    small = _count(client, url())
    _grow(group, 30)
    large = _count(client, url())
    assert large == small, f"{name}: {small} queries with little data, {large} with more"
    # The obligations page runs every check of the profile live: at most two queries a check
    # (a count, and the evidence when there is any), constant in the data; every other page
    # keeps to the house budget of 15.
    if name == "obligations":
        checks = sum(len(o["checks"]) for o in group.profile.obligations)
        assert large <= 6 + 2 * checks
    else:
        assert large <= 15
