"""A file that partly holds what is already registered can be imported with "skip rows already
registered": those rows are left out, the rest is still all or nothing (documents, risks,
incidents)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from varna.documents.models import Document
from varna.incidents.models import Incident
from varna.risks.models import Risk

IMPORTS = [
    (
        "documents:import",
        "typ;titel;enhetskod;beslutsdatum;beslutad av",
        "Instruktion;Instruktion för kartotek;TF-FA;2024-01-10;Anders Hedlund",
        "Instruktion;Instruktion för arkiv;TF-FA;2024-01-11;Anders Hedlund",
        lambda: Document.objects.filter(title__in=["Instruktion för kartotek", "Instruktion för arkiv"]).values_list(
            "title", flat=True
        ),
    ),
    (
        "risks:import",
        "titel;enhetskod",
        "Ras i bergrum;TF",
        "Skred vid älven;TF",
        lambda: Risk.objects.filter(title__in=["Ras i bergrum", "Skred vid älven"]).values_list("title", flat=True),
    ),
    (
        "incidents:import",
        "datum;kategori;enhetskod;beskrivning",
        "2024-01-01;Brand;TF;Brand i soprummet",
        "2024-01-02;Brand;TF;Brand i containern",
        lambda: Incident.objects.filter(description__in=["Brand i soprummet", "Brand i containern"]).values_list(
            "description", flat=True
        ),
    ),
]


def _upload(client, url, data: bytes, **options):
    return client.post(reverse(url), {"action": "preview", "file": SimpleUploadedFile("x.csv", data), **options})


@pytest.mark.parametrize(("url", "header", "first", "second", "written"), IMPORTS, ids=[i[0] for i in IMPORTS])
def test_rows_already_registered_are_refused_or_skipped_as_the_user_chooses(
    client_for, url, header, first, second, written
):
    client = client_for("samordnare")
    response = _upload(client, url, f"{header}\n{first}\n".encode())
    assert client.post(reverse(url), {"action": "apply", "token": response.context["token"]}).status_code == 302
    assert len(written()) == 1

    both = f"{header}\n{first}\n{second}\n".encode()
    response = _upload(client, url, both)
    assert response.context["counts"]["refused"] == 1 and response.context["token"] is None

    response = _upload(client, url, both, skip_registered="on")
    counts = response.context["counts"]
    assert counts["refused"] == 0 and counts["added"] == 1 and counts["skipped"] == 1
    page = response.content.decode()
    assert 'id="count-skipped"' in page
    response = client.post(reverse(url), {"action": "apply", "token": response.context["token"]}, follow=True)
    assert "1 row already registered was skipped." in response.content.decode()
    assert len(written()) == 2, "the new row is written once, the registered one not again"


def test_skipping_is_kept_with_the_file_through_the_mapping_step(client_for):
    client = client_for("samordnare")
    url = "risks:import"
    response = _upload(client, url, b"titel;enhetskod\nRas i bergrum;TF\n")
    client.post(reverse(url), {"action": "apply", "token": response.context["token"]})
    response = _upload(
        client, url, "Rubrik;Ansvar\nRas i bergrum;TF\nSkred vid älven;TF\n".encode(), skip_registered="on"
    )
    token = response.context["mapping"]["token"]
    response = client.post(reverse(url), {"action": "map", "token": token, "column_0": "title", "column_1": "unit"})
    assert response.context["counts"]["skipped"] == 1 and response.context["counts"]["added"] == 1
    assert response.context["form"]["skip_registered"].value() is True
