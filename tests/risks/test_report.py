"""The RSA report: all seven parts of MSBFS 2015:5, as PDF, in a full and a public version."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from varna.core.models import AccessLogEntry
from varna.risks.models import Analysis

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
