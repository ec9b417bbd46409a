"""Exports and reports say what the record's page says (issue 10, findings 4 and 12): a linked
record the reader may not read is not named, a classified record reaches only readers cleared
for it, and every classified record an export writes is logged as a read."""

import datetime
import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from varna.core.models import AccessLogEntry
from varna.documents.models import Document
from varna.incidents.models import Incident
from varna.risks.models import Analysis, Measure, Risk

SECRET_DOC = "Hemlig larmplan QX7"
SOF_ANALYSIS = "Intern riskanalys SOF QX7"
PLACE = "Skyddat boende Lärkvägen QX7"
POLICE = "5000-K123456-QX7"


def sheet(response) -> list[list]:
    from openpyxl import load_workbook

    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]


def text_of(rows) -> str:
    return "\n".join(" ".join("" if c is None else str(c) for c in row) for row in rows)


def pdf_text(response) -> str:
    from pypdf import PdfReader

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


def logged(model, pk, action="export") -> int:
    return AccessLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id=str(pk), action=action
    ).count()


@pytest.fixture
def measure_with_secret_document(group, unit):
    document = Document.objects.create(
        group=group,
        kind="standard",
        title=SECRET_DOC,
        unit=unit("TF"),
        classification="classified",
        classification_ground="OSL 18 kap. 8 §",
    )
    return Measure.objects.create(group=group, title="Byt lås QX7", unit=unit("TF-FA"), document=document)


def test_the_measure_export_does_not_name_a_document_the_reader_may_not_read(client_for, measure_with_secret_document):
    rows = sheet(client_for("chef").get(reverse("risks:measure-export")))
    column = rows[0].index("Governing document implemented")
    row = next(r for r in rows if r[0] == "Byt lås QX7")
    assert row[column] in (None, "")  # as the measure's page: no link, no title
    assert SECRET_DOC not in text_of(rows)


def test_a_cleared_reader_gets_the_document_and_the_read_is_logged(client_for, measure_with_secret_document):
    rows = sheet(client_for("forvaltningssamordnare").get(reverse("risks:measure-export")))
    assert SECRET_DOC in text_of(rows)
    assert logged(Document, measure_with_secret_document.document_id) == 1


def test_the_risk_export_does_not_name_another_administrations_internal_analysis(client_for, group, unit):
    analysis = Analysis.objects.create(group=group, title=SOF_ANALYSIS, unit=unit("SOF"))
    Risk.objects.create(group=group, unit=unit("TF-FA"), title="Frysta ledningar QX7", analysis=analysis)
    rows = sheet(client_for("chef").get(reverse("risks:export")))
    column = rows[0].index("Analysis")
    row = next(r for r in rows if r[0] == "Frysta ledningar QX7")
    assert row[column] in (None, "")
    assert SOF_ANALYSIS not in text_of(rows)
    # Who may read the analysis sees it named.
    assert SOF_ANALYSIS in text_of(sheet(client_for("samordnare").get(reverse("risks:export"))))


def test_a_classified_risk_exported_to_a_cleared_reader_is_logged_once(client_for, group, unit):
    risk = Risk.objects.create(
        group=group,
        unit=unit("TF-FA"),
        title="Sårbart passersystem QX7",
        classification="classified",
        classification_ground="OSL 18 kap. 8 §",
    )
    assert "Sårbart passersystem QX7" not in text_of(sheet(client_for("chef").get(reverse("risks:export"))))
    assert logged(Risk, risk.pk) == 0
    rows = sheet(client_for("forvaltningssamordnare").get(reverse("risks:export")))
    assert "Sårbart passersystem QX7" in text_of(rows)
    entry = AccessLogEntry.objects.get(object_id=str(risk.pk), action="export")
    assert entry.user.username == "forvaltningssamordnare" and entry.path == reverse("risks:export")


@pytest.fixture
def classified_incident(group, unit):
    when = timezone.now() - datetime.timedelta(days=3)
    return Incident.objects.create(
        group=group,
        unit=unit("TF-FA"),
        category="threat_violence",
        occurred_at=when,
        reported_at=when,
        place=PLACE,
        police_report_number=POLICE,
        description="Hot mot personal QX7.",
        classification="classified",
        classification_ground="OSL 26 kap. 1 §",
    )


@pytest.mark.parametrize("login", ["chef", "lasare", "admin"])
def test_the_incident_export_leaves_out_a_classified_incident_for_a_reader_not_cleared(
    client_for, classified_incident, login
):
    text = text_of(sheet(client_for(login).get(reverse("incidents:export"))))
    assert PLACE not in text and POLICE not in text
    assert logged(Incident, classified_incident.pk) == 0


def test_the_incident_export_to_a_cleared_reader_logs_each_classified_row(client_for, classified_incident):
    text = text_of(sheet(client_for("forvaltningssamordnare").get(reverse("incidents:export"))))
    assert PLACE in text and POLICE in text
    assert "Hot mot personal QX7." not in text  # what happened stays on the logged page
    assert logged(Incident, classified_incident.pk) == 1


def test_the_document_export_logs_the_classified_documents_it_writes(client_for, group):
    secret = Document.objects.get(group=group, title="Standard för larm och passersystem")
    assert secret.is_classified
    text = text_of(sheet(client_for("chef").get(reverse("documents:export"))))
    assert secret.title not in text
    text = text_of(sheet(client_for("forvaltningssamordnare").get(reverse("documents:export"))))
    assert secret.title in text and logged(Document, secret.pk) == 1


@pytest.mark.parametrize("login", ["chef", "lasare", "admin"])
def test_the_damage_cost_figures_do_not_name_a_classified_incidents_place(client_for, classified_incident, login):
    client = client_for(login)
    year = {"ar": classified_incident.occurred_at.year}
    assert PLACE not in pdf_text(client.get(reverse("incidents:statistics-pdf"), year))
    workbook = client.get(reverse("incidents:statistics-xlsx"), year)
    assert workbook.status_code == 200 and PLACE.encode() not in workbook.content
    from openpyxl import load_workbook

    places = load_workbook(io.BytesIO(workbook.content), read_only=True)["Per place"]
    assert PLACE not in text_of(places.iter_rows(values_only=True))
    assert PLACE not in client.get(reverse("incidents:statistics"), year).content.decode()
    assert logged(Incident, classified_incident.pk, "statistics") == 0


def test_a_cleared_reader_sees_the_place_in_the_damage_cost_figures(client_for, classified_incident):
    year = {"ar": classified_incident.occurred_at.year}
    assert PLACE in pdf_text(client_for("forvaltningssamordnare").get(reverse("incidents:statistics-pdf"), year))
    assert logged(Incident, classified_incident.pk, "statistics") == 1  # the place is the incident's
