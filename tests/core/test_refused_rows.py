"""Every refused row of a dry run can be downloaded as a workbook, as the file had it and with
the reasons in a column of its own, to correct and upload again (core/refused_rows.py)."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

IMPORTS = [
    ("organisation:import", "anställningsnummer;förnamn;efternamn;enhetskod", "9001;Ada;Lind;TF", "9002;Bo;Ek;{bad}"),
    (
        "documents:import",
        "typ;titel;enhetskod;beslutsdatum;beslutad av",
        "Instruktion;Instruktion A;TF-FA;2024-01-10;Anders Hedlund",
        "Instruktion;Instruktion B;{bad};2024-01-10;Anders Hedlund",
    ),
    ("risks:import", "titel;enhetskod", "Ras i bergrum;TF", "Skred vid älven;{bad}"),
    (
        "incidents:import",
        "datum;kategori;enhetskod;beskrivning",
        "2024-01-01;Brand;TF;Brand i soprummet",
        "2024-01-02;Brand;{bad};Brand i containern",
    ),
]


def _upload(client, url, data: bytes):
    return client.post(reverse(url), {"action": "preview", "file": SimpleUploadedFile("register.csv", data)})


def _sheet(response) -> list[tuple]:
    assert response.status_code == 200, response
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "register-" in response["Content-Disposition"]
    return list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


@pytest.mark.parametrize(("url", "header", "good", "bad"), IMPORTS, ids=[i[0].split(":")[0] for i in IMPORTS])
def test_the_refused_rows_download_holds_the_refused_rows_as_the_file_had_them(client_for, url, header, good, bad):
    client = client_for("samordnare")
    bad_row = bad.format(bad="=NOPE()")  # an unknown unit, and a cell Excel would take for a formula
    response = _upload(client, url, f"{header}\n{good}\n{bad_row}\n".encode())
    assert response.context["counts"]["refused"] == 1
    token = response.context["mapping_token"]
    assert "Ladda ner" in response.content.decode() or "Download" in response.content.decode()

    rows = _sheet(client.post(reverse(url), {"action": "refused", "token": token}))
    assert list(rows[0][:-1]) == header.split(";")
    assert len(rows) == 2, "only the refused row, not the good one"
    assert list(rows[1][:-1]) == bad_row.split(";")  # "=NOPE()" stays text, not a formula
    assert rows[1][-1].startswith(("Row 3:", "Rad 3:")) and "enhetskod" in rows[1][-1]


def test_every_refused_row_is_in_the_download_not_only_those_shown(client_for):
    client = client_for("samordnare")
    rows = "\n".join(f"Risk {n};NOPE" for n in range(700))
    response = _upload(client, "risks:import", f"titel;enhetskod\n{rows}\n".encode())
    assert response.context["counts"]["refused"] == 700 and len(response.context["refused"]) < 700
    sheet = _sheet(
        client.post(reverse("risks:import"), {"action": "refused", "token": response.context["mapping_token"]})
    )
    assert len(sheet) == 701


def test_the_download_needs_the_file_of_this_session_and_the_right_to_import(client_for):
    response = client_for("samordnare").post(reverse("risks:import"), {"action": "refused", "token": "0" * 32})
    assert response.status_code == 302
    token = _upload(client_for("samordnare"), "risks:import", b"titel;enhetskod\nRas;NOPE\n").context["mapping_token"]
    assert (
        client_for("medarbetare").post(reverse("risks:import"), {"action": "refused", "token": token}).status_code
        == 403
    )
    # Another user's session does not hold the token.
    assert (
        client_for("forvaltningssamordnare")
        .post(reverse("risks:import"), {"action": "refused", "token": token})
        .status_code
        == 302
    )
