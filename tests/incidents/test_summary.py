"""The damage figures added up ahead (incidents/summary.py) stay equal to the incidents they add
up, whichever way an incident is written, and the pages that read them show what adding up the
incidents themselves would show, for every kind of user."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractMonth
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from varna.incidents import services, statistics, summary
from varna.incidents.models import Category, CostItem, Incident, IncidentSummary
from varna.incidents.views import filter_incidents
from varna.insurance import financing
from varna.insurance.models import InsurancePolicy

LOGINS = ["samordnare", "forvaltningssamordnare", "chef", "lasare"]


def _local(*parts) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(*parts))


def assert_equal_to_the_incidents(group):
    assert summary.differences(group) == []


def test_the_demo_is_added_up(group):
    assert IncidentSummary.objects.filter(group=group).exists()
    assert_equal_to_the_incidents(group)


def test_every_way_of_writing_an_incident_keeps_the_summary(client_for, group, unit):
    coordinator = client_for("samordnare")
    tf = unit("TF")
    # Reported through the form (save()).
    response = coordinator.post(
        reverse("incidents:report"),
        {
            "category": "vandalism",
            "occurred_at": "2025-03-04T10:00",
            "unit": tf.pk,
            "place": "Depån",
            "description": "Krossad ruta i depån.",
        },
    )
    assert response.status_code == 302
    incident = Incident.objects.get(description="Krossad ruta i depån.")
    assert_equal_to_the_incidents(group)
    # A cost (services.update_costs: a queryset update).
    coordinator.post(reverse("incidents:cost-add", args=[incident.pk]), {"cost-kind": "repair", "cost-estimated": 5400})
    incident.refresh_from_db()
    assert incident.cost == 5400
    assert_equal_to_the_incidents(group)
    # The investigation moves it to another unit, year, month and category, classifies it and
    # claims it under a policy.
    policy = InsurancePolicy.objects.filter(group=group).first()
    other = unit("TF-FA")
    form = {
        "version": incident.version,
        "category": "fire",
        "occurred_at": "2024-11-30T23:30",
        "unit": other.pk,
        "place": "Förrådet",
        "description": incident.description,
        "status": "investigating",
        "fire_deliberate": "true",
        "fire_alarm_detected": "false",
        "insurance_policy": policy.pk,
        "insurance_claim_number": "S-1",
        "deductible": 1000,
        "internal_deductible": 0,
        "insurer_paid": 4400,
        "classification": "classified",
        "classification_ground": "OSL 18 kap. 8 §",
    }
    response = coordinator.post(reverse("incidents:edit", args=[incident.pk]), form)
    assert response.status_code == 302, response.context["form"].errors
    incident.refresh_from_db()
    assert (incident.unit, incident.category, incident.insurer_paid) == (other, "fire", 4400)
    assert_equal_to_the_incidents(group)
    # The cost item changed, then the incident deleted.
    item = incident.cost_items.get()
    item.final = Decimal(6000)
    item.save()
    services.update_costs(incident)
    assert_equal_to_the_incidents(group)
    incident.delete()
    assert_equal_to_the_incidents(group)


def test_a_bulk_write_is_added_with_add_and_an_update_with_tracking(group, unit):
    tf = unit("TF")
    made = Incident.objects.bulk_create(
        [
            Incident(group=group, unit=tf, category="graffiti", description=f"Klotter {i}", place="Tunneln")
            for i in range(3)
        ]
    )
    summary.add(made)
    assert_equal_to_the_incidents(group)
    rows = Incident.objects.filter(pk__in=[i.pk for i in made])
    with summary.tracking(rows):
        rows.update(cost=Decimal(700), insurer_paid=Decimal(100), place="Bron")
    assert_equal_to_the_incidents(group)


def test_rebuild_and_check(group, capsys):
    before = set(IncidentSummary.objects.filter(group=group).values_list(*summary.KEY, *summary.VALUES))
    IncidentSummary.objects.filter(group=group, grain="year").update(n=0)
    with pytest.raises(CommandError):
        call_command("rebuild_incident_summary", "--check", "--group", str(group.pk))
    call_command("rebuild_incident_summary", "--group", str(group.pk))
    call_command("rebuild_incident_summary", "--check")
    after = set(IncidentSummary.objects.filter(group=group).values_list(*summary.KEY, *summary.VALUES))
    assert after == before


def _live(user, group, year):
    """The dashboard's figures added up from the incidents the user may see: the reference."""
    incidents = Incident.objects.restrict(user).filter(group=group)
    chosen = incidents.filter(occurred_at__year=year)
    sums = {"n": Count("pk"), "cost": Sum("cost", default=0), "insurer_paid": Sum("insurer_paid", default=0)}
    tz = timezone.get_current_timezone()
    return {
        "years": statistics.per_year(incidents, year - statistics.YEARS + 1, year),
        "months": {
            r["month"]: (r["n"], r["cost"], r["insurer_paid"])
            for r in chosen.annotate(month=ExtractMonth("occurred_at", tzinfo=tz)).values("month").annotate(**sums)
        },
        "categories": {r["category"]: (r["n"], r["cost"]) for r in chosen.values("category").annotate(**sums)},
        "units": {r["unit"]: (r["n"], r["cost"]) for r in chosen.values("unit").annotate(**sums)},
        "places": {r["place"]: (r["n"], r["cost"]) for r in chosen.exclude(place="").values("place").annotate(**sums)},
        "vandalism": statistics.per_year(
            incidents.filter(category__in=(Category.GRAFFITI, Category.VANDALISM)), year - statistics.YEARS + 1, year
        ),
        "fires": {
            r["occurred_at__year"]: (r["n"], r["d"], r["a"], r["cost"])
            for r in incidents.filter(category="fire", occurred_at__year__gte=year - statistics.YEARS + 1)
            .filter(occurred_at__year__lte=year)
            .values("occurred_at__year")
            .annotate(
                n=Count("pk"),
                d=Count("pk", filter=Q(fire_deliberate=True)),
                a=Count("pk", filter=Q(fire_alarm_detected=True)),
                cost=Sum("cost"),
            )
        },
    }


@pytest.mark.parametrize("login", LOGINS)
def test_the_dashboard_shows_what_the_incidents_add_up_to(group, unit, user_for, login):
    # A classified incident with a cost in a unit some of the users see without clearance.
    when = _local(timezone.localdate().year - 1, 6, 1, 12)
    secret = Incident.objects.create(
        group=group,
        unit=unit("TF-FA"),
        category="threat_violence",
        description="Hot",
        occurred_at=when,
        place="Depån",
        classification="classified",
        classification_ground="OSL 21 kap. 3 §",
    )
    CostItem.objects.create(incident=secret, kind="staff_time", final=Decimal(2500))
    services.update_costs(secret)
    user = user_for(login)
    year = timezone.localdate().year - 1
    request = RequestFactory().get("/")
    request.user = user
    shown = statistics.build(request, group, year)
    live = _live(user, group, year)
    first = shown["years"][0]["year"]  # the years before the first incident are left out
    without_bars = [{k: v for k, v in r.items() if k != "bar"} for r in shown["years"]]
    assert without_bars == [r for r in live["years"] if r["year"] >= first]
    assert shown["vandalism"] == [r for r in live["vandalism"] if r["year"] >= first]
    months = {m["month"]: (m["n"], m["cost"], m["insurer_paid"]) for m in shown["months"] if m["n"]}
    assert months == live["months"]
    assert {c["category"]: (c["n"], c["cost"]) for c in shown["categories"] if c["n"]} == live["categories"]
    top_units = sorted(live["units"].items(), key=lambda kv: (-kv[1][1], -kv[1][0], kv[0]))[: statistics.TOP]
    assert [(u["unit"], (u["n"], u["cost"])) for u in shown["units"]] == top_units
    top_places = sorted(live["places"].items(), key=lambda kv: (-kv[1][0], -kv[1][1], kv[0]))[: statistics.TOP]
    assert [(p["place"], (p["n"], p["cost"])) for p in shown["places"]] == top_places
    assert {f["year"]: (f["n"], f["deliberate"], f["alarm"], f["cost"]) for f in shown["fires"]} == live["fires"]


@pytest.mark.parametrize("login", LOGINS)
def test_risk_financing_shows_what_the_incidents_add_up_to(group, user_for, login):
    user = user_for(login)
    year = timezone.localdate().year - 1
    incidents = Incident.objects.restrict(user).filter(group=group)
    tallies = summary.tallies(group, user)
    assert financing.years(group, year - 9, year, tallies=tallies) == financing.years(
        group, year - 9, year, incidents=incidents
    )
    for by in ("unit", "category"):
        live = {r[by]: r for r in financing.breakdown(incidents, year, by)}
        read = {r[by]: r for r in financing.summary_breakdown(tallies, year, by)}
        assert read.keys() == live.keys()
        for key, row in read.items():
            assert {k: row[k] for k in ("n", "cost", "insurer_paid", "retained")} == {
                k: live[key][k] for k in ("n", "cost", "insurer_paid", "retained")
            }


@pytest.mark.parametrize("login", [*LOGINS, "medarbetare"])
def test_the_lists_total_is_the_number_of_incidents_it_pages_through(client_for, group, unit, user_for, login):
    # An incident the user reported in a unit they do not otherwise see counts as well.
    Incident.objects.create(
        group=group,
        unit=unit("KLF"),
        category="theft",
        description="Min cykel",
        occurred_at=_local(timezone.localdate().year - 1, 3, 2, 8),
        reported_by=user_for(login),
    )
    client = client_for(login)
    year = timezone.localdate().year - 1
    tf = unit("TF")
    for query in (
        {},
        {"kategori": "graffiti"},
        {"ar": year},
        {"ar": year, "manad": 3},
        {"ar": year, "kategori": "theft"},
        {"ar": year, "manad": 3, "kategori": "theft"},
        {"enhet": tf.pk},
        {"enhet": tf.pk, "ar": year},
        {"status": "oppna"},
        {"q": "klotter"},
    ):
        response = client.get(reverse("incidents:list"), query)
        assert response.status_code == 200
        request = RequestFactory().get("/", query)
        request.user = user_for(login)
        incidents, _filters, _unit = filter_incidents(request, group)
        assert response.context["page"].paginator.count == incidents.count(), query


def test_a_deep_page_shows_the_rows_an_offset_would(client_for, group, user_for):
    request = RequestFactory().get("/")
    request.user = user_for("samordnare")
    ordered = filter_incidents(request, group)[0].order_by("-occurred_at", "-pk")
    assert ordered.count() > 50  # the demo has two pages for the coordinator
    response = client_for("samordnare").get(reverse("incidents:list"), {"sida": 2})
    assert [i.pk for i in response.context["page"]] == list(ordered.values_list("pk", flat=True)[50:100])


def test_an_import_is_added_up(group, user_for, settings, tmp_path):
    from varna.incidents import register_io

    settings.DATA_DIR = tmp_path
    data = "\r\n".join(
        [
            "datum;kategori;enhetskod;plats;beskrivning;status;kostnad;ersatt av försäkring",
            "2024-03-05 14:30;Klotter;TF-FA;Skolans gavel;Klotter på gaveln.;;12 345;",
            "2023-06-11;Anlagd brand;TF;Soprummet;Brand i soprum.;Avslutad;48 000;40 000",
        ]
    ).encode()
    plan = register_io.import_file(data, "historik.csv", group, user_for("samordnare"))
    assert plan.created == 2
    assert_equal_to_the_incidents(group)
