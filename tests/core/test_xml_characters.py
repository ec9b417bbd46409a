"""One character XML cannot hold (U+FFFE, U+FFFF, a C0 control) once made every XLSX export of
its register return 500 ("All strings must be XML compatible"), for everyone (issue 10, finding
9). Such characters are dropped at input, from forms and imports, and exports leave them out of
what was stored before."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from varna.core.middleware import StripNulMiddleware
from varna.core.spreadsheets import write_xlsx
from varna.documents.models import Document
from varna.incidents.models import Incident
from varna.risks.models import Analysis, Measure, Risk

BAD = "Ras\ufffei\uffff berg\x01rum\x0b"
CLEAN = "Rasi bergrum"


def workbook_text(response) -> str:
    from openpyxl import load_workbook

    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    return "\n".join(
        " ".join("" if c is None else str(c) for c in row)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
    )


@pytest.fixture
def stored_bad_titles(group, unit):
    """Records written before input was cleaned (or by a path that does not clean)."""
    tf = unit("TF-FA")
    when = timezone.now() - datetime.timedelta(days=2)
    Risk.objects.create(group=group, unit=tf, title=BAD)
    Measure.objects.create(group=group, unit=tf, title=BAD, openness_note=BAD)
    Document.objects.create(group=group, kind="instruction", unit=tf, title=BAD)
    Incident.objects.create(
        group=group, unit=tf, category="vandalism", occurred_at=when, reported_at=when, place=BAD, description=BAD
    )
    return when.year


@pytest.mark.parametrize(
    "url", ["risks:export", "risks:measure-export", "documents:export", "incidents:export", "incidents:statistics-xlsx"]
)
def test_every_export_survives_a_stored_character_xml_cannot_hold(client_for, stored_bad_titles, url):
    response = client_for("samordnare").get(reverse(url), {"ar": stored_bad_titles})
    assert response.status_code == 200
    assert CLEAN in workbook_text(response)


def test_the_cell_writer_drops_every_character_xml_cannot_hold():
    from openpyxl import load_workbook

    data = write_xlsx("Blad\ufffe", ["Titel\uffff"], [[BAD, "\ud800ensam", "tab\tradbrytning\nretur\r"]])
    row = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))[1]
    assert row[0] == CLEAN and row[1] == "ensam"
    assert row[2].startswith("tab\tradbrytning\n")  # tab and line breaks are kept


def test_a_form_stores_a_title_without_the_characters(client_for, group, unit):
    analysis = Analysis.objects.get(group=group, title="Riskanalys tekniska förvaltningen")
    response = client_for("samordnare").post(
        reverse("risks:create"),
        {
            "title": BAD,
            "kind": "hazard",
            "category": "Teknisk\ufffe infrastruktur",
            "analysis": analysis.pk,
            "unit": unit("TF").pk,
            "status": "active",
            "classification": "internal",
        },
    )
    assert response.status_code == 302
    risk = Risk.objects.get(title=CLEAN)
    assert risk.category == "Teknisk infrastruktur"


def test_query_parameters_and_posted_fields_are_cleaned_but_files_are_not():
    seen = {}

    def view(request):
        seen["q"] = request.GET["q"]
        seen["title"] = request.POST["title"]
        seen["file"] = request.FILES["file"].read()
        return None

    raw = b"\xef\xbf\xbe\x01 binary \x00 stays"
    request = RequestFactory().post(
        "/x/?q=a%EF%BF%BEb%01c%00", {"title": "x\ufffey\x1f", "file": SimpleUploadedFile("f.bin", raw)}
    )
    StripNulMiddleware(view)(request)
    assert seen == {"q": "abc", "title": "xy", "file": raw}


def test_an_import_stores_a_title_without_the_characters(client_for, group):
    client = client_for("samordnare")
    header = "titel;typ;kategori;enhetskod"
    data = f"{header}\n{BAD};Olycksrisk;Teknisk infrastruktur;TF\n".encode()
    response = client.post(
        reverse("risks:import"), {"action": "preview", "file": SimpleUploadedFile("risker.csv", data, "text/csv")}
    )
    assert response.status_code == 200 and response.context["counts"] == {"added": 1, "refused": 0}
    response = client.post(reverse("risks:import"), {"action": "apply", "token": response.context["token"]})
    assert response.status_code == 302
    assert Risk.objects.filter(group=group, title=CLEAN).exists()


def test_every_import_reads_cells_without_the_characters():
    from varna.core import tabular
    from varna.organisation import importer

    columns = [tabular.Column("title", "titel", ("titel",), "")]
    table = tabular.parse_file(f"titel\n{BAD}\n".encode(), "a.csv", columns, ["title"], "%(found)s")
    assert not table.errors and table.rows[0][1] == [CLEAN]
    people = importer.parse_file("Anställningsnummer;Förnamn;Efternamn;Enhetskod\n1;K\ufffeim;Berg\x02;TF\n".encode())
    assert not people.errors and people.rows[0][1] == ["1", "Kim", "Berg", "TF"]
