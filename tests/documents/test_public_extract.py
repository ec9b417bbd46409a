"""The public extract of the register: public documents in force only, for anyone."""

import io

import openpyxl
import pytest
from django.urls import reverse

from varna.documents import services
from varna.documents.models import Document, Status
from varna.organisation.models import MunicipalGroup

PUBLIC_IN_FORCE = (
    "Säkerhetspolicy för Härjedalens kommun",
    "Riktlinjer för säkerhetsarbetet",
    "Kompletterande riktlinje för fastighetssäkerhet – tekniska förvaltningen",
    "Kompletterande riktlinje om hot och våld – socialförvaltningen",
)
NEVER = (
    "Instruktion för nyckelhantering",  # internal
    "Standard för larm och passersystem",  # classified
    "Instruktion för kameraövervakning",  # public, but out for consultation
)


def test_the_list_shows_the_public_documents_in_force_and_nothing_else(client, group):
    response = client.get(reverse("documents:public"))
    assert response.status_code == 200
    page = response.content.decode()
    for title in PUBLIC_IN_FORCE:
        assert title in page
    for title in NEVER:
        assert title not in page
    assert "Kommunfullmäktige" in page and "KF 2023/12" in page and "2023-02-27" in page
    assert "Log out" not in page  # the public layout, for anyone


def test_nothing_but_public_documents_in_force_can_be_opened_even_by_guessing_ids(client, group):
    for title in NEVER:
        document = Document.objects.get(title=title)
        assert client.get(reverse("documents:public-detail", args=[document.pk])).status_code == 404
    guideline = Document.objects.get(title="Riktlinjer för säkerhetsarbetet")
    assert client.get(reverse("documents:public-detail", args=[guideline.pk])).status_code == 200
    for status in (Status.DECIDED, Status.REPEALED, Status.REPLACED, Status.DRAFT):
        Document.objects.filter(pk=guideline.pk).update(status=status)
        assert client.get(reverse("documents:public-detail", args=[guideline.pk])).status_code == 404
        assert guideline.title not in client.get(reverse("documents:public")).content.decode()
    last = Document.objects.order_by("-pk").first().pk
    assert client.get(reverse("documents:public-detail", args=[last + 1000])).status_code == 404


def test_the_detail_shows_the_decided_version_not_a_newer_draft(client, group):
    document = Document.objects.get(title="Säkerhetspolicy för Härjedalens kommun")
    services.add_version(document, None, text="# Utkast\n\nHemlig ny formulering som inte är beslutad.")
    page = client.get(reverse("documents:public-detail", args=[document.pk])).content.decode()
    assert "<h2>Målsättning och syfte</h2>" in page  # the decided text, rendered
    assert "Hemlig ny formulering" not in page
    assert "Kommunfullmäktige" in page and "KF 2023/12" in page


def test_the_excel_export_lists_the_same_documents(client, group):
    response = client.get(reverse("documents:public-export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Title" and "Decided by" in rows[0]
    titles = {row[0] for row in rows[1:]}
    assert titles == set(PUBLIC_IN_FORCE)


def test_the_municipality_is_chosen_when_there_are_several(client, group):
    other = MunicipalGroup.objects.create(name="Annan koncern", municipality_name="Annan kommun", profile_key="ale")
    page = client.get(reverse("documents:public")).content.decode()
    assert "Annan kommun" in page and "Härjedalen" in page and PUBLIC_IN_FORCE[0] not in page
    page = client.get(reverse("documents:public"), {"kommun": group.pk}).content.decode()
    assert PUBLIC_IN_FORCE[0] in page
    page = client.get(reverse("documents:public"), {"kommun": other.pk}).content.decode()
    assert PUBLIC_IN_FORCE[0] not in page and "No documents found" in page
    assert client.get(reverse("documents:public-export")).status_code == 404


@pytest.mark.parametrize("params", [{"kommun": "x"}, {"kommun": "²"}, {"kommun": "9" * 40}, {"kommun": "999999"}])
def test_a_bad_municipality_is_404(client, group, params):
    assert client.get(reverse("documents:public"), params).status_code == 404


def test_bad_filters_are_ignored(client, group):
    response = client.get(reverse("documents:public"), {"typ": "nonsense", "sida": "x'", "q": "policy"})
    assert response.status_code == 200
