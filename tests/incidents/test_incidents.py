"""Incidents as employees and coordinators use them: report in a minute (with photos stripped
of their metadata), investigate, record costs, restricted persons, measures and risks."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from varna.core.models import AccessLogEntry, Notification, Task
from varna.incidents import services
from varna.incidents.models import Category, CostItem, Incident, InvolvedPerson, Photo
from varna.risks.models import Measure, Risk

from .conftest import jpeg_with_gps


def report_data(unit, **values):
    data = {
        "category": "vandalism",
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "unit": unit.pk,
        "place": "Förrådet bakom verkstaden",
        "latitude": "62.04000",
        "longitude": "14.36000",
        "description": "Dörren uppbruten och verktyg förstörda.",
        "immediate_actions": "Låste med hänglås.",
    }
    data.update(values)
    return data


def test_an_employee_reports_with_a_photo_and_the_coordinator_is_told(client_for, unit, user_for):
    employee = client_for("medarbetare")  # no role at all: any employee can report
    tf_fa_sv = unit("TF-FA-SV")
    photo = SimpleUploadedFile("IMG_0001.jpg", jpeg_with_gps(), content_type="image/jpeg")
    response = employee.post(reverse("incidents:report"), {**report_data(tf_fa_sv), "photos": [photo]})
    incident = Incident.objects.get(description__startswith="Dörren uppbruten")
    assert response.status_code == 302 and response.url == incident.get_absolute_url()
    assert incident.unit == tf_fa_sv and incident.reported_by == user_for("medarbetare")
    assert incident.reporter.last_name == "Wallin" and incident.status == Incident.State.REPORTED
    # The responders of the unit (the technical administration's coordinator, inherited) are told.
    coordinator = user_for("forvaltningssamordnare")
    assert Notification.objects.filter(recipient=coordinator, url=incident.get_absolute_url()).exists()
    # The reporter reads their own report and its photo, though they hold no role.
    page = employee.get(incident.get_absolute_url())
    assert page.status_code == 200 and "Dörren uppbruten" in page.content.decode()
    stored = Photo.objects.get(incident=incident)
    served = employee.get(reverse("incidents:photo", args=[stored.pk]))
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"


def test_a_stored_photo_has_no_metadata(photo_bytes):
    from PIL import Image

    from varna.incidents.photos import clean_photo

    original = Image.open(io.BytesIO(photo_bytes))
    assert original.getexif().get(0x8825) and original.getexif().get(0x010F) == "PhoneMaker"
    cleaned = clean_photo(SimpleUploadedFile("x.jpg", photo_bytes))
    data = cleaned.content.read()
    stored = Image.open(io.BytesIO(data))
    assert not stored.getexif()  # no GPS, no make, no model
    assert b"PhoneMaker" not in data and b"Exif" not in data
    assert (cleaned.width, cleaned.height) == (64, 48) and cleaned.content_type == "image/jpeg"


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"MZ\x90\x00 this is a program", "semester.jpg"),
        (b"%PDF-1.7 not a picture", "bild.png"),
        (b"", "tom.jpg"),
    ],
)
def test_what_is_not_a_photo_is_refused_and_nothing_is_stored(client_for, unit, content, name):
    employee = client_for("medarbetare")
    photo = SimpleUploadedFile(name, content, content_type="image/jpeg")
    response = employee.post(reverse("incidents:report"), {**report_data(unit("TF-FA-SV")), "photos": [photo]})
    assert response.status_code == 200
    assert "is not a photo Värna can read" in response.content.decode() or "submitted file is empty" in (
        response.content.decode()
    )
    assert not Incident.objects.filter(description__startswith="Dörren uppbruten").exists()


def test_a_decompression_bomb_is_refused(client_for, unit, settings):
    from PIL import Image

    out = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(out, "PNG")  # small file, 144 million pixels
    assert len(out.getvalue()) < 1_000_000
    photo = SimpleUploadedFile("karta.png", out.getvalue(), content_type="image/png")
    response = client_for("medarbetare").post(
        reverse("incidents:report"), {**report_data(unit("TF-FA-SV")), "photos": [photo]}
    )
    assert response.status_code == 200
    assert "too many pixels" in response.content.decode() or "is not a photo" in response.content.decode()
    assert not Photo.objects.exists()


def test_bad_report_input_gets_clear_errors(client_for, unit):
    employee = client_for("medarbetare")
    future = (timezone.localtime() + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = employee.post(
        reverse("incidents:report"),
        report_data(unit("TF-FA-SV"), occurred_at=future, longitude="", category="meteor", description=""),
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "cannot have happened in the future" in body
    assert "Select a valid choice" in body
    assert "This field is required" in body
    assert not Incident.objects.filter(place="Förrådet bakom verkstaden").exists()


def test_someone_without_a_role_sees_only_their_own_reports(client_for, group):
    employee = client_for("medarbetare")
    other = Incident.objects.filter(group=group).exclude(reported_by__username="medarbetare").first()
    assert employee.get(other.get_absolute_url()).status_code == 404
    listing = employee.get(reverse("incidents:list"))
    assert listing.status_code == 200
    assert (
        listing.context["page"].paginator.count == Incident.objects.filter(reported_by__username="medarbetare").count()
    )
    assert employee.get(reverse("incidents:statistics")).status_code == 403
    assert employee.get(reverse("incidents:export")).status_code == 403


def _new_incident(group, unit, **values):
    values = {"category": Category.BURGLARY, "description": "Inbrott i förrådet.", **values}
    return Incident.objects.create(group=group, unit=unit, **values)


def test_investigate_cost_and_close(client_for, group, unit):
    coordinator = client_for("forvaltningssamordnare")
    incident = _new_incident(group, unit("TF-FA"))
    add = reverse("incidents:cost-add", args=[incident.pk])
    coordinator.post(add, {"cost-kind": "repair", "cost-description": "Ny dörr", "cost-estimated": "18000"})
    coordinator.post(add, {"cost-kind": "staff_time", "cost-estimated": "2000", "cost-final": "2500"})
    incident.refresh_from_db()
    assert (incident.cost_estimated, incident.cost_final, incident.cost) == (20000, 2500, 20500)
    # Bad amounts are refused with a message, nothing stored.
    response = coordinator.post(add, {"cost-kind": "repair", "cost-estimated": "-5"}, follow=True)
    assert "cannot be negative" in response.content.decode()
    response = coordinator.post(add, {"cost-kind": "repair"}, follow=True)
    assert "Give an estimated or a final amount" in response.content.decode()
    assert incident.cost_items.count() == 2

    edit = reverse("incidents:edit", args=[incident.pk])
    form = coordinator.get(edit).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k not in ("latitude", "longitude")}
    data.update(
        status="closed",
        occurred_at=timezone.localtime(incident.occurred_at).strftime("%Y-%m-%dT%H:%M"),
        police_report_number="5000-K123456-26",
        insurance_claim_number="S-2026-17",
        deductible="10000",
        insurer_paid="8000",
        fire_deliberate="",
        fire_alarm_detected="",
        classification="internal",
        version=incident.version,
    )
    response = coordinator.post(edit, data)
    assert response.status_code == 200
    assert "have no final amount yet" in response.content.decode()  # the repair has only an estimate

    repair = incident.cost_items.get(kind="repair")
    response = coordinator.post(
        reverse("incidents:cost-edit", args=[repair.pk]),
        {"kind": "repair", "description": "Ny dörr", "estimated": "18000", "final": "21000", "version": repair.version},
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.cost == 23500
    response = coordinator.post(edit, data)
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.status == Incident.State.CLOSED and incident.closed_on == timezone.localdate()
    assert incident.insurer_paid == 8000 and incident.retained == 15500
    # The same (now stale) form again is refused, not saved over the newer record.
    data["status"] = "investigating"
    response = coordinator.post(edit, data)
    assert "Someone else saved this record" in response.content.decode()
    incident.refresh_from_db()
    assert incident.status == Incident.State.CLOSED


def test_persons_involved_are_restricted_and_every_read_is_logged(client_for, group, unit):
    incident = _new_incident(group, unit("SOF"), category=Category.THREAT_VIOLENCE)
    InvolvedPerson.objects.create(incident=incident, role="victim", name="Handläggare Anna A")
    reader = client_for("lasare")  # reads SOF, not cleared for classified records
    page = reader.get(incident.get_absolute_url())
    assert page.status_code == 200
    assert "Handläggare Anna A" not in page.content.decode() and "Persons involved" not in page.content.decode()
    assert reader.post(reverse("incidents:person-add", args=[incident.pk]), {"person-role": "witness"}).status_code in (
        403,
        404,
    )
    coordinator = client_for("samordnare")  # cleared for the whole group
    page = coordinator.get(incident.get_absolute_url())
    assert "Handläggare Anna A" in page.content.decode()
    entry = AccessLogEntry.objects.get(object_id=str(incident.pk), action="persons")
    assert entry.user.username == "samordnare"
    response = coordinator.post(
        reverse("incidents:person-add", args=[incident.pk]),
        {"person-role": "perpetrator", "person-name": "Okänd man", "person-details": "Ca 40 år"},
    )
    assert response.status_code == 302
    assert incident.persons.count() == 2
    # Never in the export.
    export = coordinator.get(reverse("incidents:export"))
    assert b"Handl\xc3\xa4ggare Anna A" not in export.content


def test_a_measure_and_a_risk_from_the_investigation(client_for, group, unit, user_for):
    coordinator = client_for("forvaltningssamordnare")
    tf = unit("TF")
    incident = _new_incident(group, tf)
    response = coordinator.post(
        reverse("incidents:measure-create", args=[incident.pk]),
        {
            "title": "Larm på förrådsdörren",
            "unit": tf.pk,
            "due_date": (timezone.localdate() + datetime.timedelta(days=60)).isoformat(),
            "status": "planned",
            "source": "incident",
            "classification": "internal",
        },
    )
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    measure = Measure.objects.get(title="Larm på förrådsdörren")
    assert measure.source == Measure.Source.INCIDENT and list(measure.incidents.all()) == [incident]
    incident.refresh_from_db()
    assert incident.status == Incident.State.MEASURES_DECIDED

    risk = Risk.objects.filter(group=group, unit=tf).active().first()
    tasks_before = Task.objects.filter(subject_id=str(risk.pk), state=Task.State.OPEN).count()
    response = coordinator.post(reverse("incidents:risk-link", args=[incident.pk]), {"risk": risk.pk})
    assert response.status_code == 302
    assert list(incident.risks.all()) == [risk]
    assert Task.objects.filter(subject_id=str(risk.pk), state=Task.State.OPEN).count() >= max(tasks_before, 1)
    # A risk outside what may be offered is refused with a message.
    foreign = (
        Risk.objects.filter(group=group)
        .exclude(unit__path__startswith=tf.path)
        .exclude(unit__in=tf.ancestors())
        .first()
    )
    response = coordinator.post(reverse("incidents:risk-link", args=[incident.pk]), {"risk": foreign.pk}, follow=True)
    assert "Choose one of the risks offered" in response.content.decode()


def test_update_costs_ignores_other_incidents(group, unit):
    first, second = _new_incident(group, unit("TF")), _new_incident(group, unit("TF"))
    CostItem.objects.create(incident=first, kind="repair", estimated=100)
    CostItem.objects.create(incident=second, kind="repair", estimated=900, final=1000)
    services.update_costs(first)
    services.update_costs(second)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.cost, second.cost, second.cost_estimated) == (100, 1000, 900)


def test_list_filters_and_drill_down(client_for, group):
    coordinator = client_for("samordnare")
    year = timezone.localdate().year - 1
    response = coordinator.get(reverse("incidents:list"), {"ar": year, "kategori": "graffiti"})
    expected = Incident.objects.filter(group=group, category="graffiti", occurred_at__year=year).count()
    assert response.context["page"].paginator.count == expected
    for bad in ({"ar": "x"}, {"ar": "99999999999999999999"}, {"manad": "13", "ar": "2025"}, {"kategori": "<x>"}):
        assert coordinator.get(reverse("incidents:list"), bad).status_code == 200


def test_statistics_add_up_and_link_to_the_incidents(client_for, group):
    coordinator = client_for("samordnare")
    year = timezone.localdate().year - 1
    response = coordinator.get(reverse("incidents:statistics"), {"ar": year})
    assert response.status_code == 200
    row = next(r for r in response.context["years"] if r["year"] == year)
    incidents = Incident.objects.filter(group=group, occurred_at__year=year)
    assert row["n"] == incidents.count()
    assert row["cost"] == sum(i.cost for i in incidents)
    categories = {r["category"]: r["n"] for r in response.context["categories"]}
    assert sum(categories.values()) == incidents.count()
    trend = response.context["trend"]
    assert trend.baseline is not None and trend.falling  # the demo's costs fall year by year
    assert f"?ar={year}&amp;kategori=" in response.content.decode()


def test_export_follows_the_filters(client_for, group):
    from openpyxl import load_workbook

    coordinator = client_for("samordnare")
    response = coordinator.get(reverse("incidents:export"), {"kategori": "fire"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row - 1 == Incident.objects.filter(group=group, category="fire").count()
