"""Import of people and units from CSV/XLSX: dry run, all-or-nothing import, scope, bad input."""

import datetime
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from varna.organisation import importer
from varna.organisation.models import OrgUnit, Person, RoleAssignment

URL = reverse("organisation:import")
UNIT_HEADER = ["Enhetskod", "Enhetsnamn", "Överordnad enhetskod", "Nivå"]
PERSON_HEADER = [
    "Anställningsnummer",
    "Förnamn",
    "Efternamn",
    "E-post",
    "Telefon",
    "Titel",
    "Enhetskod",
    "Anställd från",
    "Anställd till",
]
BOTH_HEADER = [*PERSON_HEADER, "Enhetsnamn", "Överordnad enhetskod", "Nivå"]


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


def csv_bytes(rows, sep=";", encoding="utf-8-sig") -> bytes:
    return "\r\n".join(sep.join(str(cell) for cell in row) for row in rows).encode(encoding)


def both(
    number="", first="", last="", email="", phone="", title="", code="", start="", end="", name="", parent="", level=""
):
    """A row of a file that holds units and people (BOTH_HEADER)."""
    return [number, first, last, email, phone, title, code, start, end, name, parent, level]


def dry_run(client, content: bytes, name="export.csv"):
    return client.post(URL, {"action": "preview", "file": SimpleUploadedFile(name, content)})


def confirm(client, response):
    return client.post(URL, {"action": "apply", "token": response.context["token"] or ""})


def statuses(plan) -> dict[int, str]:
    return {row.number: row.status for row in plan.rows}


def errors_by_row(plan) -> dict[int, list[tuple[str, str]]]:
    out: dict[int, list[tuple[str, str]]] = {}
    for row in plan.refused:
        out[row.number] = [(e.column, e.message) for e in row.errors]
    return out


def counts():
    return (
        OrgUnit.objects.count(),
        Person.objects.count(),
        OrgUnit.history.count(),
        Person.history.count(),
    )


def assert_paths_consistent(group):
    units = {u.pk: u for u in OrgUnit.objects.filter(group=group)}
    for unit in units.values():
        parent = units.get(unit.parent_id)
        expected = (parent.path if parent else "") + f"{unit.pk:06d}."
        assert unit.path == expected, unit.code
        assert unit.depth == expected.count(".") - 1, unit.code


@pytest.fixture
def person_in(group, unit):
    def make(number: str, code: str, **fields):
        values = {"first_name": "Test", "last_name": "Person", **fields}
        return Person.objects.create(group=group, unit=unit(code), employee_number=number, **values)

    return make


# --- dry run ---------------------------------------------------------------------------------


def test_dry_run_shows_added_changed_unchanged_and_refused(client_for, person_in, unit):
    person_in("1002", "TF-GP", first_name="Lisa", last_name="Berg", title="Parkarbetare", email="lisa@example.se")
    person_in("1003", "TF-GP", first_name="Olle", last_name="Ström", title="Förman", email="olle@example.se")
    rows = [
        BOTH_HEADER,
        both(code="TF-IT", name="IT-enheten", parent="TF", level="Verksamhet"),  # 2 added unit
        both(code="TF-GP", name="Gata, park och idrott", parent="TF", level="activity"),  # 3 changed unit
        both(code="SOF-AO", name="Äldreomsorg", parent="SOF", level="Verksamhet"),  # 4 unchanged unit
        both("1001", "Nils", "Nyman", "nils@example.se", "", "Tekniker", "TF-IT", "2026-02-01"),  # 5 added person
        both("1002", "Lisa", "Berg", "lisa@example.se", "", "Arbetsledare", "TF-GP"),  # 6 changed person
        both("1003", "Olle", "Ström", "olle@example.se", "", "Förman", "TF-GP"),  # 7 unchanged person
        both("1004", "Ida", "Ek", "", "", "", "NOPE"),  # 8 unknown unit
        both("1005", "Bo", "Lund", "inte-en-adress", "", "", "TF"),  # 9 bad e-mail
        both("1006", "Eva", "Holm", "", "", "", "TF", "31/12/2026"),  # 10 bad date
        both(code="TF-X", name="X", parent="TF", level="Avdelning"),  # 11 unknown level
        both(code="TF-Y", name="Y", parent="FINNS-EJ", level="Enhet"),  # 12 unknown parent
        both("1001", "Nils", "Dubblett", "", "", "", "TF"),  # 13 duplicate employee number
        both("", "Utan", "Nummer", "", "", "", "TF"),  # 14 person without employee number
    ]
    before = counts()
    response = dry_run(client_for("samordnare"), csv_bytes(rows))
    assert response.status_code == 200
    plan = response.context["plan"]
    assert statuses(plan) == {
        2: "added",
        3: "changed",
        4: "unchanged",
        5: "added",
        6: "changed",
        7: "unchanged",
        8: "refused",
        9: "refused",
        10: "refused",
        11: "refused",
        12: "refused",
        13: "refused",
        14: "refused",
    }
    assert plan.counts() == {"added": 2, "changed": 2, "unchanged": 2, "refused": 7}
    changed = {r.number: [(c.before, c.after) for c in r.changes] for r in plan.changed}
    assert changed[3] == [("Gata och park", "Gata, park och idrott")]
    assert changed[6] == [("Parkarbetare", "Arbetsledare")]
    errors = errors_by_row(plan)
    assert errors[8][0][0] == "Enhetskod (G)" and "NOPE" in errors[8][0][1]
    assert errors[9][0][0].startswith("E-post")
    assert errors[10][0][0].startswith("Anställd från")
    assert errors[11][0][0].startswith("Nivå")
    assert errors[12][0][0].startswith("Överordnad enhetskod")
    assert errors[13][0][0].startswith("Anställningsnummer") and "5" in errors[13][0][1]
    assert errors[14][0][0].startswith("Anställningsnummer")
    # The page shows the rows and refuses the import; the dry run wrote nothing.
    html = response.content.decode()
    assert 'role="alert"' in html and "disabled" in html and 'scope="col"' in html
    assert response.context["token"] is None
    assert counts() == before
    assert unit("TF-GP").name == "Gata och park"


def test_english_headers_bom_comma_and_compact_dates(group, user_for):
    content = csv_bytes(
        [
            ["Employee number", "First name", "Last name", "Unit code", "Employment start"],
            ["3001", "Anna", "Andersson", "tf-gp", "20260301"],
        ],
        sep=",",
    )
    plan = importer.build_plan(importer.parse_file(content, "x.csv"), group, user_for("samordnare"))
    assert plan.counts()["added"] == 1, plan.errors
    row = plan.rows[0]
    assert row.values["employee_number"] == "3001"
    assert row.values["employment_start"] == datetime.date(2026, 3, 1)


def test_dry_run_keeps_the_file_for_the_confirmation_and_cancel_removes_it(client_for, data_dir):
    client = client_for("samordnare")
    content = csv_bytes([PERSON_HEADER, ["4001", "Kim", "Berg", "", "", "", "TF-GP", "", ""]])
    response = dry_run(client, content)
    token = response.context["token"]
    stored = data_dir / "imports" / "people" / f"{token}.upload"
    assert stored.read_bytes() == content
    client.post(URL, {"action": "cancel"})
    assert not stored.exists()
    response = client.post(URL, {"action": "apply", "token": token})
    assert response.status_code == 302
    assert not Person.objects.filter(employee_number="4001").exists()


def test_a_token_from_another_session_is_refused(client_for):
    content = csv_bytes([PERSON_HEADER, ["4002", "Kim", "Berg", "", "", "", "TF-GP", "", ""]])
    token = dry_run(client_for("samordnare"), content).context["token"]
    other = client_for("samordnare")  # a new session of the same user
    assert other.post(URL, {"action": "apply", "token": token}).status_code == 302
    assert other.post(URL, {"action": "apply", "token": "../../etc/passwd"}).status_code == 302
    assert not Person.objects.filter(employee_number="4002").exists()


# --- the import ------------------------------------------------------------------------------


def test_valid_import_creates_units_in_order_and_people_with_history(
    client_for, group, unit, person_in, user_for, data_dir
):
    existing = person_in("5002", "TF", first_name="Gun", last_name="Gran", title="Handläggare")
    version = existing.version
    rows = [
        BOTH_HEADER,
        # The child comes before its parent: order does not matter.
        both(code="TF-IT-SUP", name="IT-support", parent="TF-IT", level="Enhet"),
        both(code="TF-IT", name="IT-enheten", parent="TF", level="Verksamhet"),
        both("5001", "Nils", "Nyman", "nils@example.se", "070-123 45 67", "Tekniker", "TF-IT-SUP", "2026-02-01"),
        both("5002", "Gun", "Gran", "", "", "IT-chef", "TF-IT"),
        both("5003", "Åke", "Öst", "", "", "", "TF-IT", "2026-01-01", "2026-12-31"),
    ]
    client = client_for("samordnare")
    response = dry_run(client, csv_bytes(rows))
    assert response.context["plan"].can_apply
    response = confirm(client, response)
    assert response.status_code == 302

    it, support = unit("TF-IT"), unit("TF-IT-SUP")
    assert it.parent == unit("TF") and support.parent == it
    assert it.path == f"{unit('TF').path}{it.pk:06d}."
    assert support.path == f"{it.path}{support.pk:06d}." and support.depth == it.depth + 1
    assert_paths_consistent(group)

    nils = Person.objects.get(group=group, employee_number="5001")
    assert (nils.unit, nils.email, nils.phone, nils.employment_start) == (
        support,
        "nils@example.se",
        "070-123 45 67",
        datetime.date(2026, 2, 1),
    )
    assert nils.user is None  # a person need not be a user
    assert Person.objects.get(employee_number="5003").employment_end == datetime.date(2026, 12, 31)
    existing.refresh_from_db()
    assert (existing.unit, existing.title, existing.version) == (it, "IT-chef", version + 1)

    samordnare = user_for("samordnare")
    assert it.history.get().history_user == samordnare
    created = nils.history.get()
    assert created.history_type == "+" and created.history_user == samordnare
    assert "export.csv" in created.history_change_reason
    change = existing.history.order_by("-history_date", "-history_id").first()
    assert change.history_type == "~" and change.title == "IT-chef" and change.history_user == samordnare
    # The file is gone once imported.
    assert not list((data_dir / "imports" / "people").glob("*.upload"))


def test_import_is_all_or_nothing(client_for, group, user_for):
    rows = [
        BOTH_HEADER,
        both(code="TF-IT", name="IT-enheten", parent="TF", level="Verksamhet"),
        both("6001", "Nils", "Nyman", "", "", "", "TF-IT"),
        both("6002", "Bad", "Date", "", "", "", "TF-IT", "2026-13-45"),
    ]
    content = csv_bytes(rows)
    before = counts()
    client = client_for("samordnare")
    response = dry_run(client, content)
    assert response.context["plan"].counts() == {"added": 2, "changed": 0, "unchanged": 0, "refused": 1}
    assert response.context["token"] is None
    confirm(client, response)
    plan = importer.import_file(content, "export.csv", group, user_for("samordnare"))
    assert not plan.applied
    assert counts() == before


def test_the_import_validates_again_and_refuses_if_the_organisation_changed(client_for, unit):
    rows = [
        BOTH_HEADER,
        both(code="TF-IT", name="IT-enheten", parent="TF", level="Verksamhet"),
        both("7001", "Nils", "Nyman", "", "", "", "TF-IT"),
    ]
    client = client_for("samordnare")
    response = dry_run(client, csv_bytes(rows))
    assert response.context["token"]
    tf = unit("TF")
    tf.code = "TEKNIK"  # someone renames the parent between the dry run and the import
    tf.save()
    before = counts()
    response = confirm(client, response)
    assert response.status_code == 200
    assert response.context["alert"]
    assert 'role="alert"' in response.content.decode()
    assert response.context["plan"].counts()["refused"] == 1
    assert counts() == before


def test_moves_keep_materialised_paths_right(client_for, group, unit):
    rows = [
        UNIT_HEADER,
        ["TF-GP", "Gata och park", "TF-FA", "Verksamhet"],  # under a unit that moves itself
        ["TF-FA-FU", "Fastighetsdrift Funäsdalen", "TF-GP", "Enhet"],  # out of the moving subtree
        ["TF-FA", "Fastighet", "KLF", "Verksamhet"],
    ]
    client = client_for("samordnare")
    response = dry_run(client, csv_bytes(rows))
    plan = response.context["plan"]
    assert plan.counts() == {"added": 0, "changed": 3, "unchanged": 0, "refused": 0}
    assert confirm(client, response).status_code == 302
    assert unit("TF-FA").parent == unit("KLF")
    assert unit("TF-GP").parent == unit("TF-FA")
    assert unit("TF-FA-FU").parent == unit("TF-GP")
    assert unit("TF-FA-SV").parent == unit("TF-FA")
    assert unit("TF-FA-FU").path.startswith(unit("KLF").path)
    assert_paths_consistent(group)


def test_a_unit_cannot_move_under_itself(group, user_for):
    rows = [
        UNIT_HEADER,
        ["TF", "Tekniska förvaltningen", "TF-FA-SV", "Förvaltning"],
        ["NY-A", "A", "NY-B", "Enhet"],
        ["NY-B", "B", "NY-A", "Enhet"],
        ["NY-C", "C", "NY-C", "Enhet"],
    ]
    plan = importer.build_plan(importer.parse_file(csv_bytes(rows)), group, user_for("samordnare"))
    assert statuses(plan) == {2: "refused", 3: "refused", 4: "refused", 5: "refused"}
    for row in plan.refused:
        assert any("under itself" in e.message and e.column.startswith("Överordnad") for e in row.errors)


# --- scope -----------------------------------------------------------------------------------


def test_a_coordinator_of_tf_cannot_import_into_sof(client_for, person_in):
    person_in("8003", "SOF-AO", first_name="Siv", last_name="Sol")
    rows = [
        BOTH_HEADER,
        both(code="TF-IT", name="IT-enheten", parent="TF", level="Verksamhet"),  # 2 inside TF: fine
        both(code="SOF-NY", name="Ny verksamhet", parent="SOF", level="Verksamhet"),  # 3 under SOF
        both(code="SOF-AO", name="Äldreomsorgen", parent="SOF", level="Verksamhet"),  # 4 a SOF unit
        both("8001", "Nils", "Nyman", "", "", "", "TF-IT"),  # 5 fine
        both("8002", "Ida", "Ek", "", "", "", "SOF-AO"),  # 6 into SOF
        both("8003", "Siv", "Sol", "", "", "", "TF-GP"),  # 7 out of SOF into TF
        both("8004", "Bo", "Lund", "", "", "", "SOF-NY"),  # 8 into a refused new unit under SOF
        both(code="TF", name="Tekniska förvaltningen", parent="KLF", level="Förvaltning"),  # 9 TF moved out
    ]
    before = counts()
    response = dry_run(client_for("forvaltningssamordnare"), csv_bytes(rows))
    assert response.status_code == 200
    plan = response.context["plan"]
    assert statuses(plan) == {
        2: "added",
        3: "refused",
        4: "refused",
        5: "added",
        6: "refused",
        7: "refused",
        8: "refused",
        9: "refused",
    }
    errors = errors_by_row(plan)
    assert errors[3][0][0].startswith("Överordnad enhetskod")
    assert errors[4][0][0].startswith("Enhetskod")
    assert errors[6][0][0].startswith("Enhetskod")
    assert errors[7][0][0].startswith("Anställningsnummer")
    assert response.context["token"] is None
    assert counts() == before


@pytest.mark.parametrize("login", ["lasare", "chef", "medarbetare"])
def test_users_without_manage_scope_get_403(client_for, login):
    client = client_for(login)
    assert client.get(URL).status_code == 403
    content = csv_bytes([PERSON_HEADER, ["9001", "Kim", "Berg", "", "", "", "TF-GP", "", ""]])
    assert dry_run(client, content).status_code == 403
    assert client.post(URL, {"action": "apply", "token": "0" * 32}).status_code == 403
    assert not Person.objects.filter(employee_number="9001").exists()


def test_the_page_and_the_link_for_a_coordinator(client_for):
    client = client_for("forvaltningssamordnare")
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'enctype="multipart/form-data"' in html and 'for="id_file"' in html
    assert URL in client.get(reverse("organisation:group")).content.decode()
    assert URL not in client_for("chef").get(reverse("organisation:group")).content.decode()


def test_anonymous_users_are_sent_to_log_in(client):
    assert client.get(URL).status_code == 302


# --- formats ---------------------------------------------------------------------------------


def test_xlsx_round_trip(client_for, group, unit):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["ENHETSKOD", "enhetsnamn", "Överordnad Enhetskod", "NIVÅ"])
    sheet.append(["TF-IT", "IT-enheten", "TF", "Verksamhet"])
    people = workbook.create_sheet("ignored")  # only the first sheet is read
    people.append(["nothing"])
    sheet.append([])
    sheet.append(["TF-IT-SUP", "IT-support", "TF-IT", "unit"])
    buffer = io.BytesIO()
    workbook.save(buffer)

    person_book = openpyxl.Workbook()
    sheet = person_book.active
    sheet.append(["Anställningsnummer", "Förnamn", "Efternamn", "Enhetskod", "Anställd från", "Telefon"])
    sheet.append([12345, "Åsa", "Öberg", "TF-GP", datetime.date(2026, 4, 1), "0680-123 45"])
    sheet.append([12346.0, "Per", "Ek", "TF-GP", datetime.datetime(2026, 5, 2), None])
    person_buffer = io.BytesIO()
    person_book.save(person_buffer)

    client = client_for("samordnare")
    for content, name in ((buffer.getvalue(), "enheter.xlsx"), (person_buffer.getvalue(), "personal.xlsx")):
        response = dry_run(client, content, name)
        plan = response.context["plan"]
        assert plan.format == "xlsx" and plan.counts()["added"] == 2, plan.errors
        assert confirm(client, response).status_code == 302
    assert unit("TF-IT-SUP").parent == unit("TF-IT")
    asa = Person.objects.get(group=group, employee_number="12345")
    assert (asa.first_name, asa.last_name, asa.employment_start, asa.phone) == (
        "Åsa",
        "Öberg",
        datetime.date(2026, 4, 1),
        "0680-123 45",
    )
    assert Person.objects.get(employee_number="12346").employment_start == datetime.date(2026, 5, 2)


def test_xlsx_rows_are_numbered_as_in_the_spreadsheet(group, user_for):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(PERSON_HEADER)
    sheet["A5"] = "1"
    sheet["B5"] = "Utan"
    sheet["G5"] = "TF"  # no last name
    buffer = io.BytesIO()
    workbook.save(buffer)
    plan = importer.build_plan(importer.parse_file(buffer.getvalue(), "x.xlsx"), group, user_for("samordnare"))
    assert [(e.row, e.column) for e in plan.errors] == [(5, "Efternamn (C)")]


def test_csv_with_semicolons_in_windows_1252(client_for, group):
    content = csv_bytes(
        [
            ["Anställningsnummer", "Förnamn", "Efternamn", "Enhetskod", "Titel"],
            ["2001", "Åsa", "Ödmark", "TF-GP", "Väktare"],
        ],
        encoding="cp1252",
    )
    assert "Å".encode("cp1252") in content and b"\xc3" not in content
    client = client_for("samordnare")
    response = dry_run(client, content)
    assert response.context["plan"].counts()["added"] == 1
    assert confirm(client, response).status_code == 302
    person = Person.objects.get(group=group, employee_number="2001")
    assert (person.first_name, person.last_name, person.title) == ("Åsa", "Ödmark", "Väktare")


def test_quoted_fields_with_separators_and_line_breaks(group, user_for):
    text = 'Enhetskod;Enhetsnamn;Överordnad enhetskod;Nivå\n"TF-IT";"IT; drift och\nsupport";TF;Verksamhet\n'
    plan = importer.build_plan(importer.parse_file(text.encode()), group, user_for("samordnare"))
    assert plan.rows[0].values["name"] == "IT; drift och\nsupport"


def _zip_without_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<doc/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (bytes(range(256)) * 20, "export.csv"),  # garbage
        (b"", "export.csv"),  # empty
        (b"   \r\n\r\n", "export.csv"),  # only blank lines
        ("Anställningsnummer;Förnamn;Efternamn;Enhetskod\r\n".encode(), "export.csv"),  # only a header
        (b"Anst\xe4llningsnummer;\x81\x8d\x8f;\x90\n1;2;3", "export.csv"),  # neither UTF-8 nor Windows-1252
        (b"\xef\xbb\xbfEnhetskod;\xff\xfe\n", "export.csv"),  # a BOM that lies
        ("Anställningsnummer;Förnamn\n1;Kim\n".encode(), "export.xlsx"),  # a text file renamed .xlsx
        (b"PK\x03\x04not really a zip", "export.xlsx"),  # a damaged archive
        (_zip_without_workbook(), "export.xlsx"),  # a zip, but not OOXML
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "export.xls"),  # old Excel
        (b"Enhetskod\x00;Enhetsnamn\n", "export.csv"),  # NUL bytes
    ],
)
def test_bad_files_get_a_clear_error_never_a_500(client_for, content, name):
    response = dry_run(client_for("samordnare"), content, name)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["file"], content[:40]
    assert response.context["plan"] is None
    assert 'role="alert"' in response.content.decode()


def test_the_file_size_is_limited(client_for, monkeypatch):
    monkeypatch.setattr(importer, "MAX_BYTES", 100)
    content = csv_bytes([PERSON_HEADER, *[["1", "A", "B", "", "", "", "TF", "", ""]] * 10])
    response = dry_run(client_for("samordnare"), content)
    assert "larger than" in response.context["form"].errors["file"][0]
    table = importer.parse_file(content)
    assert table.errors and not table.rows


def test_the_row_count_is_limited(client_for, monkeypatch):
    monkeypatch.setattr(importer, "MAX_ROWS", 5)
    rows = [PERSON_HEADER, *[[str(n), "A", "B", "", "", "", "TF", "", ""] for n in range(6)]]
    response = dry_run(client_for("samordnare"), csv_bytes(rows))
    assert "more than 5 rows" in response.context["form"].errors["file"][0]
    assert not importer.parse_file(csv_bytes(rows[:6])).errors  # five rows are fine


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=2000), name=st.sampled_from(["x.csv", "x.xlsx", "x.txt", ""]))
def test_the_parser_never_raises_on_arbitrary_bytes(data, name):
    table = importer.parse_file(data, name)
    assert isinstance(table.errors, list) and isinstance(table.rows, list)
    assert bool(table.errors) != bool(table.rows)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.binary(max_size=400).map(lambda tail: b"PK\x03\x04" + tail),
)
def test_the_parser_never_raises_on_broken_zip_files(data):
    assert importer.parse_file(data, "x.xlsx").errors


cell = st.one_of(
    st.sampled_from(["", "TF", "tf-gp", "SOF", "Enhet", "Förvaltning", "x@y.se", "2026-01-01", "20261301", "1", "1"]),
    st.text(max_size=12),
)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(cell, min_size=0, max_size=len(BOTH_HEADER)), max_size=8), sep=st.sampled_from(";,"))
def test_validation_never_raises_on_arbitrary_rows(group, user_for, rows, sep):
    header = sep.join(BOTH_HEADER)
    body = "\n".join(sep.join(c.replace(sep, " ").replace('"', "") for c in row) for row in rows)
    table = importer.parse_file(f"{header}\n{body}".encode(), "x.csv")
    plan = importer.build_plan(table, group, user_for("forvaltningssamordnare"))
    for row in plan.rows:
        assert row.status in {"added", "changed", "unchanged", "refused"}
        assert (row.status == "refused") == bool(row.errors)


# --- performance -----------------------------------------------------------------------------


def _people_file(n: int) -> bytes:
    rows = [BOTH_HEADER, both(code="TF-IT", name="IT-enheten", parent="TF", level="Verksamhet")]
    codes = ["TF", "TF-GP", "TF-FA", "TF-IT", "SOF-AO"]
    for i in range(n):
        rows.append(both(str(10_000 + i), "Förnamn", f"Efternamn{i}", f"p{i}@example.se", "", "", codes[i % 5]))
    return csv_bytes(rows)


def test_the_dry_run_query_count_does_not_grow_with_the_file(client_for, group, unit):
    tf_gp = unit("TF-GP")
    Person.objects.bulk_create(
        Person(group=group, unit=tf_gp, employee_number=str(10_000 + i), first_name="F", last_name="E")
        for i in range(0, 200, 2)
    )
    client = client_for("samordnare")
    client.get(URL)  # warm the session
    measured = {}
    for n in (50, 200):
        with CaptureQueriesContext(connection) as queries:
            response = dry_run(client, _people_file(n))
        plan = response.context["plan"]
        assert plan.counts() == {"added": 1 + n // 2, "changed": n // 2, "unchanged": 0, "refused": 0}
        measured[n] = len(queries)
    assert measured[200] == measured[50], measured
    assert measured[200] <= 15


def test_the_import_of_many_people_uses_bulk_operations(client_for, group):
    client = client_for("samordnare")
    response = dry_run(client, _people_file(300))
    with CaptureQueriesContext(connection) as queries:
        assert confirm(client, response).status_code == 302
    assert Person.objects.filter(group=group, employee_number__regex=r"^[0-9]{5,}$").count() == 300
    assert Person.history.filter(employee_number="10299").count() == 1
    assert len(queries) < 60


def test_the_example_in_the_documentation_imports(group, user_for, unit):
    text = (Path(__file__).resolve().parents[2] / "docs" / "import.md").read_text(encoding="utf-8")
    example = text.split("```\n", 2)[1]
    plan = importer.import_file(example.encode("cp1252"), "exempel.csv", group, user_for("samordnare"))
    assert plan.applied, plan.errors
    assert plan.counts() == {"added": 4, "changed": 0, "unchanged": 0, "refused": 0}
    assert Person.objects.get(employee_number="10235").unit == unit("TF-IT-SUP")


def test_an_ended_employment_ends_the_persons_roles(client_for, person_in, unit):
    """An HR export that ends an employment ends the person's role assignments on the same day,
    said in the dry run and recorded in the history (issue 12)."""
    gun = person_in("5002", "TF", first_name="Gun", last_name="Gran")
    head = RoleAssignment.objects.create(person=gun, role="head", unit=unit("TF-GP"))
    ended_before = RoleAssignment.objects.create(
        person=gun, role="security_coordinator", unit=unit("TF"), valid_to=datetime.date(2026, 3, 1)
    )
    later = RoleAssignment.objects.create(
        person=gun, role="document_owner", unit=unit("TF"), valid_from=datetime.date(2027, 6, 1)
    )
    rows = [PERSON_HEADER, ["5002", "Gun", "Gran", "", "", "", "TF", "", "2026-12-31"]]
    client = client_for("samordnare")
    response = dry_run(client, csv_bytes(rows))
    plan = response.context["plan"]
    (row,) = plan.rows
    assert row.status == "changed"
    change = next(c for c in row.changes if c.field == "Role assignments")
    assert "(TF-GP)" in change.before and change.after == "end 2026-12-31"
    assert "end 2026-12-31" in response.content.decode()
    assert confirm(client, response).status_code == 302

    head.refresh_from_db()
    assert head.valid_to == datetime.date(2026, 12, 31)
    assert head.history.order_by("-history_id").first().valid_to == datetime.date(2026, 12, 31)
    # An assignment that had already ended, or that starts only after the end, is left as it was.
    ended_before.refresh_from_db()
    later.refresh_from_db()
    assert ended_before.valid_to == datetime.date(2026, 3, 1) and later.valid_to is None


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"a;b;c\n1;2;3\n", "No known column names"),  # no known columns
        (b"Enhetskod;Enhetsnamn\nTF;x\n", "The column nivå is missing."),  # a required column missing
        ("Titel;Befattning;Anställningsnummer\n".encode(), "mean the same thing"),  # two columns for one field
    ],
)
def test_a_file_whose_columns_are_not_known_opens_the_mapping_step_with_the_reason(client_for, content, problem):
    response = dry_run(client_for("samordnare"), content)
    assert response.status_code == 200 and response.context["plan"] is None
    mapping = response.context["mapping"]
    assert any(problem in p for p in mapping["problems"]), mapping["problems"]
    assert problem in response.content.decode()


@pytest.mark.policy("HJ-6")
def test_the_units_answer_to_the_bodies_the_file_names(client_for, group, unit):
    from varna.organisation.models import Body

    tn = Body.objects.get(group=group, name="Tekniska nämnden")
    ks = Body.objects.get(group=group, name="Kommunstyrelsen")
    header = [*UNIT_HEADER, "Ansvarig nämnd"]
    before = unit("TF").responsible_body
    rows = [
        header,
        ["TF-NY", "Ny verksamhet", "TF", "Verksamhet", "tekniska nämnden"],  # names match without case
        ["TF", unit("TF").name, "", "Förvaltning", "Kommunstyrelsen"],
        ["TF-TOM", "Utan organ", "TF", "Verksamhet", ""],
    ]
    client = client_for("samordnare")
    response = dry_run(client, csv_bytes(rows))
    plan = response.context["plan"]
    assert plan.can_apply, errors_by_row(plan)
    change = next(r for r in plan.rows if r.values["code"] == "TF")
    assert [(c.before, c.after) for c in change.changes] == [(before.name, "Kommunstyrelsen")]
    assert confirm(client, response).status_code == 302
    assert unit("TF-NY").responsible_body == tn and unit("TF").responsible_body == ks
    assert unit("TF-TOM").responsible_body is None


def test_an_unknown_body_is_refused_and_can_be_given_a_meaning(client_for, group, unit):
    from varna.core import column_mapping

    rows = [[*UNIT_HEADER, "Nämnd"], ["TF-NY", "Ny verksamhet", "TF", "Verksamhet", "TN"]]
    client = client_for("samordnare")
    response = dry_run(client, csv_bytes(rows))
    plan = response.context["plan"]
    assert not plan.can_apply
    ((column, message),) = errors_by_row(plan)[2]
    assert column == "Nämnd (E)" and message.startswith("There is no body called “TN” (known: ")
    form = response.context["values_form"]
    assert [(field, word) for _n, field, word, _r, _l in form.items] == [("body", "tn")]
    name = form.items[0][0]
    assert ("Tekniska nämnden", "Tekniska nämnden (committee)") in form.fields[name].choices
    token = response.context["mapping_token"]
    response = client.post(URL, {"action": "values", "token": token, name: "Tekniska nämnden"})
    assert column_mapping.saved_values(group, "people") == {"body": {"tn": "Tekniska nämnden"}}
    plan = response.context["plan"]
    assert plan.can_apply, errors_by_row(plan)
    assert confirm(client, response).status_code == 302
    assert unit("TF-NY").responsible_body.name == "Tekniska nämnden"
