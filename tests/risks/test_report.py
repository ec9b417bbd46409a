"""The RSA report: all seven parts of MSBFS 2015:5, as PDF and as an editable DOCX, in a full
and a public version."""

import io
import zipfile

import docx
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from docx.oxml.ns import qn
from docx.table import Table
from pypdf import PdfReader

from varna.core.models import AccessLogEntry
from varna.risks.models import Analysis, Risk

PARTS = [
    "1. The municipality and its geographic area",
    "2. Work process and method",
    "3. Identified vital societal functions",
    "4. Critical dependencies",
    "5. Identified and analysed risks",
    "6. Identified vulnerabilities and shortcomings in crisis preparedness",
    "7. Needs for measures",
]
CLASSIFIED = ["Utpressningsattack mot kommunens verksamhetssystem", "Säkerhetskopior utan nätverksåtkomst"]


@pytest.fixture
def rva(group):
    return Analysis.objects.get(group=group, kind="rva")


def pdf_text(response) -> str:
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    # Line breaks inside a heading or a title do not count.
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_the_pdf_holds_all_seven_parts_in_order(client_for, rva):
    text = pdf_text(client_for("samordnare").get(reverse("risks:report-pdf", args=[rva.pk]) + "?version=full"))
    positions = [text.find(part) for part in PARTS]
    assert -1 not in positions, [p for p, at in zip(PARTS, positions, strict=True) if at == -1]
    assert positions == sorted(positions)
    # Facts from each part: companies, participants, functions, dependencies, risks, shortcomings, measures.
    for fact in (
        "Härjedalens Vatten AB",
        "Räddningstjänsten Jämtland",
        "Dricksvattenförsörjning",
        "Reservkraftverk vid vattenverket",
        "Långvarigt elavbrott i hela kommunen",
        "Två av tre boenden saknar reservkraft.",
        "Skogsbrand nära tätort",
        "Reservkraft i kommunhuset och vid särskilda boenden",
    ):
        assert fact in text, fact


def test_the_full_version_holds_the_classified_parts_and_logs_their_reading(client_for, rva):
    text = pdf_text(client_for("samordnare").get(reverse("risks:report-pdf", args=[rva.pk]) + "?version=full"))
    for secret in CLASSIFIED:
        assert secret in text
    assert AccessLogEntry.objects.filter(action="report", object_repr=CLASSIFIED[0]).exists()


def test_the_public_version_contains_no_classified_text(client_for, rva):
    response = client_for("samordnare").get(reverse("risks:report-pdf", args=[rva.pk]) + "?version=public")
    text = pdf_text(response)
    for secret in CLASSIFIED:
        assert secret not in text
    assert "Krisledning och kriskommunikation" in text  # internal, not classified: public access applies
    assert "2 classified records are left out of this version" in text
    assert 'filename="rsa-' in response["Content-Disposition"] and "offentlig" in response["Content-Disposition"]


def test_the_report_page_and_its_public_preview(client_for, rva):
    client = client_for("samordnare")
    full = client.get(reverse("risks:report", args=[rva.pk])).content.decode()
    public = client.get(reverse("risks:report", args=[rva.pk]) + "?version=public").content.decode()
    for part in PARTS:
        assert part in full and part in public
    assert CLASSIFIED[0] in full and CLASSIFIED[0] not in public


def test_only_an_rsa_has_the_report_and_only_for_those_who_see_it(client_for, group, rva):
    unit_analysis = Analysis.objects.get(group=group, title="Riskanalys tekniska förvaltningen")
    assert client_for("samordnare").get(reverse("risks:report", args=[unit_analysis.pk])).status_code == 404
    # The group's RSA belongs to the top unit: a head of one administration does not see it.
    assert client_for("chef").get(reverse("risks:report-pdf", args=[rva.pk])).status_code == 404


# The editable version (DOCX), built from the same report as the PDF.

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def get_docx(client, rva, version):
    response = client.get(reverse("risks:report-docx", args=[rva.pk]) + f"?version={version}")
    assert response.status_code == 200 and response["Content-Type"] == DOCX
    return response, docx.Document(io.BytesIO(response.content))


def docx_text(document) -> str:
    """The body's text in reading order, tables included, line breaks not counting."""
    parts = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            parts += [cell.text for row in block.rows for cell in row.cells]
        else:
            parts.append(block.text)
    return " ".join(" ".join(parts).split())


def every_part_of(response) -> str:
    """All text in every XML part of the file: body, footer, core and app properties."""
    with zipfile.ZipFile(io.BytesIO(response.content)) as package:
        return " ".join(package.read(name).decode() for name in package.namelist() if name.endswith((".xml", ".rels")))


def test_the_docx_holds_the_seven_parts_as_heading_1_in_order(client_for, rva):
    _, document = get_docx(client_for("samordnare"), rva, "full")
    assert [p.text for p in document.paragraphs if p.style.name == "Heading 1"] == PARTS
    assert [p.text for p in document.paragraphs if p.style.name == "Title"] == [rva.title]
    # Sub-headings, bullet lists and the matrix caption use Word's built-in styles too.
    styles = {p.style.name for p in document.paragraphs}
    assert {"Heading 2", "List Bullet", "Caption"} <= styles
    text = docx_text(document)
    for fact in (
        "Härjedalens Vatten AB",
        "Räddningstjänsten Jämtland",
        "Dricksvattenförsörjning",
        "Reservkraftverk vid vattenverket",
        "Långvarigt elavbrott i hela kommunen",
        "Två av tre boenden saknar reservkraft.",
        "Skogsbrand nära tätort",
        "Reservkraft i kommunhuset och vid särskilda boenden",
    ):
        assert fact in text, fact


def test_the_docx_lists_are_word_tables_with_a_repeating_header_row(client_for, rva):
    _, document = get_docx(client_for("samordnare"), rva, "full")
    tables = document.tables
    firsts = [table.rows[0].cells[0].text for table in tables]
    # Functions, dependencies per function, the matrix, the risks and the measures.
    for header in ("Function", "Kind", "Likelihood", "Risk", "Measure"):
        assert header in firsts, header
    for table in tables:
        assert table.style.name == "Table Grid"
        header = table.rows[0]._tr.trPr
        assert header is not None and header.find(qn("w:tblHeader")) is not None
        assert all(row._tr.trPr is None or row._tr.trPr.find(qn("w:tblHeader")) is None for row in table.rows[1:])
    matrix = next(table for table in tables if table.rows[0].cells[0].text == "Likelihood")
    assert len(matrix.rows) == 6 and len(matrix.columns) == 6  # the profile's 5 × 5 scales and their names
    risks = next(table for table in tables if table.rows[0].cells[0].text == "Risk")
    assert len(risks.rows) == 1 + Risk.objects.filter(analysis=rva).exclude(status="closed").count()


def test_the_docx_core_properties_name_the_report(client_for, group, rva):
    _, document = get_docx(client_for("samordnare"), rva, "full")
    properties = document.core_properties
    assert rva.title in properties.title and "RSA report" in properties.title
    assert properties.author == group.municipality_name
    assert rva.title in properties.subject and rva.mandate_period.label in properties.subject
    assert properties.created.date() == timezone.now().date()
    assert properties.category == "Full version, including classified parts"
    assert "python-docx" not in f"{properties.comments} {properties.author} {properties.last_modified_by}"


def test_the_full_docx_holds_the_classified_parts_and_logs_their_reading(client_for, rva):
    response, document = get_docx(client_for("samordnare"), rva, "full")
    text = docx_text(document)
    for secret in CLASSIFIED:
        assert secret in text
    assert AccessLogEntry.objects.filter(action="report", object_repr=CLASSIFIED[0]).exists()
    assert response["Content-Disposition"] == 'attachment; filename="rsa-2027-fullstandig.docx"'
    assert response["Cache-Control"] == "private, no-store"


def test_the_public_docx_contains_no_classified_text(client_for, rva):
    response, document = get_docx(client_for("samordnare"), rva, "public")
    text = docx_text(document)
    everything = every_part_of(response)
    for secret in CLASSIFIED:
        assert secret not in text and secret not in everything
    assert "(classified)" not in everything
    assert "Krisledning och kriskommunikation" in text  # internal, not classified: public access applies
    assert "2 classified records are left out of this version" in text
    assert document.core_properties.category == "Public version"
    assert response["Content-Disposition"] == 'attachment; filename="rsa-2027-offentlig.docx"'
    assert not AccessLogEntry.objects.filter(action="report", object_repr=CLASSIFIED[0]).exists()


@pytest.mark.parametrize("version", ["full", "public"])
def test_the_docx_logs_the_same_reads_as_the_pdf(client_for, rva, version):
    client = client_for("samordnare")

    def reads(name):
        AccessLogEntry.objects.all().delete()
        assert client.get(reverse(name, args=[rva.pk]) + f"?version={version}").status_code == 200
        return sorted(AccessLogEntry.objects.values_list("content_type", "object_id", "action"))

    assert reads("risks:report-docx") == reads("risks:report-pdf")
    assert bool(reads("risks:report-docx")) == (version == "full")


@pytest.mark.parametrize("name", ["risks:report-pdf", "risks:report-docx"])
def test_the_downloads_are_guarded_alike(client, client_for, group, rva, name):
    response = client.get(reverse(name, args=[rva.pk]))
    assert response.status_code == 302 and "/konto/logga-in/" in response["Location"]
    for login in ("chef", "forvaltningssamordnare", "lasare", "medarbetare"):
        assert client_for(login).get(reverse(name, args=[rva.pk])).status_code == 404, login
    unit_analysis = Analysis.objects.get(group=group, title="Riskanalys tekniska förvaltningen")
    assert client_for("samordnare").get(reverse(name, args=[unit_analysis.pk])).status_code == 404


def test_the_report_page_links_both_downloads_for_both_versions(client_for, rva):
    page = client_for("samordnare").get(reverse("risks:report", args=[rva.pk])).content.decode()
    for name in ("risks:report-pdf", "risks:report-docx"):
        for version in ("public", "full"):
            assert f'href="{reverse(name, args=[rva.pk])}?version={version}"' in page


def test_text_that_xml_cannot_hold_does_not_break_the_docx(client_for, rva):
    risk = Risk.objects.filter(analysis=rva, classification="public").first()
    Risk.objects.filter(pk=risk.pk).update(description="Rad ett\r\nRad två\x0c med sidbrytning\x01", title="Titel\x0b")
    _, document = get_docx(client_for("samordnare"), rva, "full")
    text = docx_text(document)
    assert "Rad ett Rad två med sidbrytning" in text and "Titel" in text


@pytest.mark.no_english
def test_the_docx_is_in_the_readers_language(user_for, rva):
    client = Client()  # Swedish, the default
    client.force_login(user_for("samordnare"))
    _, document = get_docx(client, rva, "full")
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert len(headings) == 7 and headings[0].startswith("1. ") and headings[0] != PARTS[0]
    # Word checks the spelling in Swedish.
    assert document.core_properties.language == "sv-SE"
    assert document.styles.element.find(f".//{qn('w:lang')}").get(qn("w:val")) == "sv-SE"
