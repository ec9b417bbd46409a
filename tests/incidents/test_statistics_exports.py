"""The damage-cost dashboard for the committee: as PDF and as a workbook, with the same figures."""

import io

from django.urls import reverse
from django.utils import timezone

from varna.incidents.models import Incident


def test_the_dashboard_as_a_pdf_for_the_committee(client_for, group):
    from pypdf import PdfReader

    year = timezone.localdate().year - 1
    response = client_for("samordnare").get(reverse("incidents:statistics-pdf"), {"ar": year})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="skadekostnader-{year}.pdf"'
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert f"Damage costs {year}" in text and "Per category" in text and "Fires per year" in text
    assert "Härjedalens kommun" in text


def test_the_dashboard_as_a_workbook(client_for, group):
    from openpyxl import load_workbook

    year = timezone.localdate().year - 1
    response = client_for("samordnare").get(reverse("incidents:statistics-xlsx"), {"ar": year})
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Per year", "Per category", "Per month", "Per unit", "Per place", "Fires"]
    years = {row[0]: row for row in workbook["Per year"].iter_rows(min_row=2, values_only=True)}
    incidents = Incident.objects.filter(group=group, occurred_at__year=year)
    assert years[year][1] == incidents.count() and years[year][2] == sum(i.cost for i in incidents)


def test_the_exports_need_a_role(client_for):
    for name in ("incidents:statistics-pdf", "incidents:statistics-xlsx"):
        assert client_for("medarbetare").get(reverse(name)).status_code == 403
