"""The register to Excel, and an existing register from Excel or CSV with a dry run."""

import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from varna.core.dates import add_months
from varna.documents import register_io
from varna.documents.models import Decision, Document, Status

HEADER = "typ;titel;enhetskod;diarienummer;beslutsdatum;beslutad av;gäller från;ägare"


def _csv(*rows: str) -> bytes:
    return "\n".join([HEADER, *rows]).encode("utf-8")


def _sheet(response) -> list[tuple]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


# ---------------------------------------------------------------------------------------------
# Export


def test_the_export_holds_the_filtered_register(client_for, group):
    rows = _sheet(client_for("samordnare").get(reverse("documents:export"), {"typ": "supplementary_guideline"}))
    assert rows[0] == (
        "Title",
        "Kind",
        "Owner unit code",
        "Owner",
        "Status",
        "Record number",
        "In force from",
        "Next review",
        "Classification",
    )
    by_title = {row[0]: row for row in rows[1:]}
    assert len(by_title) == 2
    sof = by_title["Kompletterande riktlinje om hot och våld – socialförvaltningen"]
    document = Document.objects.get(title=sof[0])
    assert sof[1:6] == ("Supplementary guideline", "SOF", "Eva Lindgren", "In force", "SN 2026/22")
    assert sof[6].date() == document.in_force_from and sof[7].date() == document.next_review
    assert sof[8] == "Public"


def test_the_export_keeps_to_what_the_user_may_see(client_for, group):
    titles = {row[0] for row in _sheet(client_for("chef").get(reverse("documents:export")))[1:]}
    assert "Instruktion för nyckelhantering" in titles  # TF's own
    assert "Standard för larm och passersystem" not in titles  # classified: heads may not see it
    assert not any("hot och våld" in t for t in titles)  # another administration's
    assert client_for("chef").get(reverse("documents:export"), {"enhet": "²"}).status_code == 200


def test_text_is_never_exported_as_a_formula(client_for, group):
    Document.objects.filter(title="Instruktion för nyckelhantering").update(title='=HYPERLINK("http://x","y")')
    response = client_for("samordnare").get(reverse("documents:export"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = [row[0] for row in sheet.iter_rows(min_row=2) if str(row[0].value).startswith("=")]
    assert cells and all(cell.data_type == "s" for cell in cells)


def test_the_register_links_to_export_and_import(client_for, group):
    page = client_for("samordnare").get(reverse("documents:list"), {"typ": "policy"}).content.decode()
    assert reverse("documents:export") + "?typ=policy" in page and reverse("documents:import") in page
    page = client_for("chef").get(reverse("documents:list")).content.decode()
    assert "Export to Excel" in page and reverse("documents:import") not in page  # heads do not manage


# ---------------------------------------------------------------------------------------------
# Import


GOOD = (
    "Riktlinje;Riktlinjer för informationssäkerhet;HK;KS 2021/40;2021-03-15;Kommunstyrelsen;2021-04-01;Karin Nordqvist",
    "instruction;Instruktion för tillträde till driftcentralen;TF-FA;;2024-01-10;Anders Hedlund;;",
)


def _upload(client, data: bytes, name="register.csv"):
    return client.post(
        reverse("documents:import"), {"action": "preview", "file": SimpleUploadedFile(name, data, "text/csv")}
    )


def test_the_dry_run_changes_nothing_and_the_import_adds_every_row(client_for, group, user_for):
    client = client_for("samordnare")
    before = Document.objects.count()
    response = _upload(client, _csv(*GOOD))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Dry run" in page and "Riktlinjer för informationssäkerhet" in page
    assert response.context["counts"] == {"added": 2, "refused": 0}
    assert Document.objects.count() == before
    token = response.context["token"]
    assert token

    response = client.post(reverse("documents:import"), {"action": "apply", "token": token})
    assert response.status_code == 302
    assert Document.objects.count() == before + 2
    guideline = Document.objects.get(title="Riktlinjer för informationssäkerhet")
    assert guideline.kind == "guideline" and guideline.unit.code == "HK" and guideline.status == Status.IN_FORCE
    assert guideline.owner.last_name == "Nordqvist" and guideline.record_number == "KS 2021/40"
    assert guideline.in_force_from == datetime.date(2021, 4, 1)
    assert guideline.next_review == add_months(datetime.date(2021, 4, 1), 48)
    version = guideline.versions.get()
    assert version.number == 1 and "Imported from the register" in version.text
    decision = Decision.objects.get(document=guideline)
    assert decision.body.name == "Kommunstyrelsen" and decision.date == datetime.date(2021, 3, 15)
    assert decision.version == version and decision.recorded_by == user_for("samordnare")
    instruction = Document.objects.get(title="Instruktion för tillträde till driftcentralen")
    assert instruction.decisions.get().person.last_name == "Hedlund"
    assert instruction.in_force_from == datetime.date(2024, 1, 10)
    assert guideline.history.count() == 1

    # The same file again adds nothing: every row is already registered.
    response = _upload(client, _csv(*GOOD))
    assert response.context["counts"] == {"added": 0, "refused": 2}
    assert "already registered" in response.content.decode()


def test_one_refused_row_stops_the_whole_import(client_for, group, user_for):
    before = Document.objects.count()
    data = _csv(*GOOD, "Riktlinje;;HK;;2030-01-01;Kommunstyrelsen;;")
    response = _upload(client_for("samordnare"), data)
    page = response.content.decode()
    assert response.context["token"] is None and response.context["counts"] == {"added": 2, "refused": 1}
    # The row as in the spreadsheet (the header is row 1) and the column with its letter.
    (row,) = response.context["refused"]
    assert row.number == 4
    errors = {e.column: e.message for e in row.errors}
    assert errors["titel (B)"] == "A value is required."
    assert "the date is in the future" in errors["beslutsdatum (E)"]
    assert "1 row is refused" in page
    plan = register_io.import_file(data, "register.csv", group, user_for("samordnare"))
    assert not plan.applied and Document.objects.count() == before
    # A forged confirmation imports nothing either.
    response = client_for("samordnare").post(reverse("documents:import"), {"action": "apply", "token": "0" * 32})
    assert response.status_code == 302 and Document.objects.count() == before


def test_a_wrong_decider_is_refused_with_the_rule(client_for, group):
    data = _csv(
        # Socialförvaltningen's supplementary guidelines are decided by its committee, Socialnämnden.
        "Kompletterande riktlinje;Kompletterande riktlinje om larm – SOF;SOF;TN 2024/1;2024-02-01;Tekniska nämnden;;",
        # Instructions are decided by the head of the unit; Jonas Berglund is a coordinator.
        "Instruktion;Instruktion för besökare;TF;;2024-02-01;Jonas Berglund;;",
        "Instruktion;Instruktion för leveranser;TF;;2024-02-01;Någon Annan;;",
        "Policy;Policy för kontinuitet;HK;;2024-02-01;Kommunfullmäktige;2024-01-01;",
        "Riktlinje;Riktlinjer för larm;HK;;2024-02-01;Karin Nordqvist;;",
    )
    response = _upload(client_for("samordnare"), data)
    refused = {row.number: row.errors for row in response.context["refused"]}
    assert set(refused) == {2, 3, 4, 5, 6}
    assert refused[2][0].column == "beslutad av (F)"
    assert refused[2][0].message == (
        "Tekniska nämnden cannot decide this supplementary guideline: by the policy it is decided by Socialnämnden."
    )
    assert refused[3][0].message == (
        "Jonas Berglund cannot decide this instruction: by the policy it is decided by the head, Maria Sundin."
    )
    assert "There is no person “Någon Annan”" in refused[4][0].message
    assert refused[5][0].column == "gäller från (G)"
    assert (
        refused[6][0].message == "There is no body named “Karin Nordqvist”: a guideline is decided by Kommunstyrelsen."
    )
    assert not Document.objects.filter(title__in=["Policy för kontinuitet", "Instruktion för besökare"]).exists()


def test_rows_for_units_the_user_does_not_manage_are_refused(client_for, group):
    data = _csv(
        "Instruktion;Instruktion för tillträde;TF-FA;;2024-01-10;Anders Hedlund;;",
        "Kompletterande riktlinje;Riktlinje om hot – SOF;SOF;;2024-02-01;Socialnämnden;;",
        "Standard;Standard för skalskydd;NOPE;;2024-02-01;Maria Sundin;;",
    )
    response = _upload(client_for("forvaltningssamordnare"), data)  # manages TF only
    refused = {row.number: row.errors[0].message for row in response.context["refused"]}
    assert refused == {3: "You do not manage the unit SOF.", 4: "There is no unit with the code NOPE."}
    assert client_for("chef").get(reverse("documents:import")).status_code == 403  # heads manage nothing


def test_an_excel_register_with_date_cells_is_read(client_for, group):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Dokumenttyp", "Rubrik", "Ägande enhet", "Dnr", "Beslutsdatum", "Beslutad av", "Klassning"])
    sheet.append(
        [
            "Riktlinje",
            "Riktlinjer för krisberedskap",
            "hk",
            2022.0,
            datetime.datetime(2022, 5, 2),
            "kommunstyrelsen",
            "Offentlig",
        ]
    )
    sheet.append(
        ["Riktlinje", "Riktlinjer för skydd", "HK", "", datetime.date(2022, 5, 2), "Kommunstyrelsen", "Sekretess"]
    )
    out = io.BytesIO()
    workbook.save(out)
    response = _upload(client_for("samordnare"), out.getvalue(), "register.xlsx")
    assert response.context["counts"] == {"added": 1, "refused": 1}
    (row,) = response.context["refused"]
    assert row.errors[0].column == "sekretessgrund" and "legal ground" in row.errors[0].message
    (added,) = response.context["added"]
    assert added.values["decided_on"] == datetime.date(2022, 5, 2) and added.values["record_number"] == "2022"
    assert added.body.name == "Kommunstyrelsen" and added.classification == "public"


@pytest.mark.parametrize(
    "data,name,message",
    [
        (b"", "x.csv", "file is empty"),
        (b" \n\n", "x.csv", "The file is empty."),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old.xls", "Old Excel files"),
        (b"PK\x03\x04garbage", "broken.xlsx", "damaged"),
        (b"foo;bar\n1;2", "x.csv", "No known column names"),
        (b"typ;titel\nPolicy;X", "x.csv", "The column enhetskod is missing."),
        (b"typ;titel;enhetskod;beslutsdatum;beslutad av", "x.csv", "column names but no rows"),
    ],
)
def test_a_file_that_cannot_be_read_gets_a_clear_error(client_for, group, data, name, message):
    response = client_for("samordnare").post(
        reverse("documents:import"), {"action": "preview", "file": SimpleUploadedFile(name, data)}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["plan"] is None


def test_the_template_file_can_be_downloaded_and_read_back(client_for, group, user_for):
    rows = _sheet(client_for("samordnare").get(reverse("documents:import"), {"mall": "xlsx"}))
    assert rows[0][:5] == ("typ", "titel", "enhetskod", "diarienummer", "beslutsdatum")
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    plan = register_io.build_plan(register_io.parse_file(out.getvalue(), "mall.xlsx"), group, user_for("samordnare"))
    assert not plan.file_errors and len(plan.added) == 1, [e.message for e in plan.errors]


def test_the_import_checks_rules_with_a_constant_number_of_queries(group, user_for, django_assert_max_num_queries):
    many = [f"Instruktion;Instruktion nummer {n};TF-FA;;2024-01-10;Anders Hedlund;;" for n in range(60)]
    table = register_io.parse_file(_csv(*many), "many.csv")
    user = user_for("samordnare")
    register_io.build_plan(table, group, user)  # warm the user's access
    with django_assert_max_num_queries(12):
        plan = register_io.build_plan(table, group, user)
    assert len(plan.added) == 60
