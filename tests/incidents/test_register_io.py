"""Historical incidents from Excel or CSV as Swedish offices export them: dates in several forms,
decimal commas, Swedish words; dry run, all or nothing, nothing twice, scope and classification;
a constant number of queries; large files in the background with their progress."""

import datetime
import io
import json
import os
import zoneinfo
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from varna.core import column_mapping, pending_uploads, tabular
from varna.incidents import import_jobs, register_io, services
from varna.incidents.models import CostItem, Incident

URL = reverse("incidents:import")
HEADER = (
    "datum;kategori;enhetskod;plats;beskrivning;åtgärder;status;polisanmälan;skadenummer;kostnad;"
    "ersatt av försäkring;självrisk"
)
GOOD = (
    "2024-03-05 14:30;Klotter;TF-FA;Skolans gavel;Klotter på gaveln mot skolgården.;Sanerat;;;;12 345,50;;",
    "5/3/2024;Anlagd brand;TF;Återvinningsrummet;Brand i soprum, anlagd.;Räddningstjänsten larmad;Under utredning;"
    "5000-K12345-24;S-2024-77;48.000;40 000;8 000 kr",
    "20230611;Stöld;Gata och park;Förrådet;Stöld av gräsklippare.;;Avslutad;;;0;;",
)


def _csv(*rows: str, header: str = HEADER, encoding: str = "utf-8") -> bytes:
    return "\r\n".join([header, *rows]).encode(encoding)


def _xlsx(rows: list[list]) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _upload(client, data: bytes, name="handelser.csv"):
    return client.post(URL, {"action": "preview", "file": SimpleUploadedFile(name, data, "text/csv")})


def _plan(data: bytes, group, user, name="x.csv"):
    return register_io.build_plan(register_io.parse_file(data, name), group, user)


def _errors(plan) -> dict[int, dict[str, str]]:
    return {row.number: {e.column: e.message for e in row.errors} for row in plan.refused}


def _local(*parts) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(*parts))


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    """Pending uploads and the progress of background imports under a folder of the test's own."""
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture
def immediate_tasks(settings):
    """Tasks run at once, in the request that enqueues them."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


# ---------------------------------------------------------------------------------------------
# Reading the file


def test_excels_semicolon_csv_in_windows_1252_with_decimal_commas(group, user_for):
    data = _csv(*GOOD, encoding="cp1252")
    table = register_io.parse_file(data, "export.csv")
    assert not table.errors and table.format == "csv" and len(table.rows) == 3
    plan = register_io.build_plan(table, group, user_for("samordnare"))
    assert plan.can_apply, _errors(plan)
    graffiti, fire, theft = plan.rows
    assert graffiti.occurred_at == _local(2024, 3, 5, 14, 30) and graffiti.category == "graffiti"
    assert graffiti.unit.code == "TF-FA" and graffiti.cost == Decimal(12346)  # rounded half up
    assert graffiti.state == Incident.State.CLOSED  # history: closed unless the file says otherwise
    assert fire.occurred_at == _local(2024, 3, 5) and fire.category == "fire" and fire.fire_deliberate is True
    assert fire.state == Incident.State.INVESTIGATING and fire.values["police_report_number"] == "5000-K12345-24"
    assert (fire.cost, fire.values["insurer_paid"], fire.values["deductible"]) == (48000, 40000, 8000)
    assert theft.unit.code == "TF-GP"  # "Gata och park": a name only one unit has
    assert theft.cost == 0 and theft.values["place"] == "Förrådet"


def test_utf8_with_bom_separated_by_commas_and_english_headers(group, user_for):
    header = "Date,Category,Unit code,Place,Description,Status,Damage cost (SEK),Remark"
    data = "\ufeff" + "\n".join(
        [header, '2024-01-15,Water damage,TF,Sporthallen,"Läcka i taket, golvet förstört.",closed,"25 000",x']
    )
    table = register_io.parse_file(data.encode("utf-8"), "x.csv")
    assert not table.errors and table.ignored == ["Remark"]
    (row,) = register_io.build_plan(table, group, user_for("samordnare")).added
    assert row.category == "water_damage" and row.values["description"] == "Läcka i taket, golvet förstört."
    assert row.cost == 25000 and row.state == "closed"


def test_xlsx_with_date_and_date_time_cells_and_numbers(group, user_for):
    data = _xlsx(
        [
            ["Datum", "Kategori", "Enhetskod", "Beskrivning", "Kostnad", "Självrisk"],
            [datetime.datetime(2023, 11, 2, 7, 45), "Inbrott", "TF", "Inbrott i verkstaden.", 15400.4, 5000],
            [datetime.datetime(2023, 11, 3), "Skadegörelse", "TF", "Krossad ruta.", 3200, None],
            [datetime.date(2022, 6, 1), "Tillbud", "tf-fa", "Halkade i trappan.", None, None],
            [20221224, "Olycka", "TF", "Fall från stege.", "1 200", None],
        ]
    )
    plan = _plan(data, group, user_for("samordnare"), "x.xlsx")
    assert plan.can_apply, _errors(plan)
    assert [r.occurred_at for r in plan.rows] == [
        _local(2023, 11, 2, 7, 45),
        _local(2023, 11, 3),
        _local(2022, 6, 1),
        _local(2022, 12, 24),
    ]
    assert [r.cost for r in plan.rows] == [15400, 3200, None, 1200]
    assert [r.category for r in plan.rows] == ["burglary", "vandalism", "near_miss", "accident"]


@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_registers_own_export_reads_back(client_for, group, user_for, language):
    """The register's Excel export (in either language) is a file the import understands: every
    incident in it is already registered, so it adds nothing."""
    last_year = timezone.localdate().year - 1
    export = client_for("samordnare").get(
        reverse("incidents:export"), {"ar": last_year, "kategori": "fire"}, HTTP_ACCEPT_LANGUAGE=language
    )
    rows = list(openpyxl.load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert len(rows) > 1
    table = register_io.parse_file(_xlsx([list(r) for r in rows]), "export.xlsx")
    assert not table.errors and len(table.ignored) == 2  # estimated and final: the damage cost is read
    with translation.override("en"):  # the request left its language (sv) active in this thread
        plan = register_io.build_plan(table, group, user_for("samordnare"))
    assert len(plan.rows) == len(rows) - 1 and not plan.added
    assert {e.message for e in plan.errors} == {
        "This incident is already registered (same unit, time and description): already imported?"
    }


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "x.csv", "file is empty"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old.xls", "Old Excel files"),
        (b"PK\x03\x04garbage", "broken.xlsx", "damaged"),
        (b"foo;bar\n1;2", "x.csv", "No known column names in the first row. Expected datum, kategori"),
        (b"datum;kategori;enhetskod\n2024-01-01;Brand;TF", "x.csv", "The column beskrivning is missing."),
        (b"datum;kategori;enhetskod;beskrivning", "x.csv", "column names but no rows"),
    ],
)
def test_a_file_that_cannot_be_read_gets_a_clear_error(client_for, group, data, name, message):
    response = client_for("samordnare").post(URL, {"action": "preview", "file": SimpleUploadedFile(name, data)})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["plan"] is None and response.context["token"] is None


def test_this_import_takes_more_rows_than_the_others(group, monkeypatch):
    rows = [f"2024-01-01;Brand;TF;Rad {i}" for i in range(tabular.MAX_ROWS + 1)]
    data = _csv(*rows, header="datum;kategori;enhetskod;beskrivning")
    table = register_io.parse_file(data, "x.csv")
    assert not table.errors and len(table.rows) == tabular.MAX_ROWS + 1
    assert register_io.MAX_ROWS >= 100_000 and tabular.MAX_ROWS == 50_000  # the shared default is kept
    monkeypatch.setattr(register_io, "MAX_ROWS", 10)
    assert register_io.parse_file(data, "x.csv").errors == [
        "The file has more than 10 rows. Split it into several files."
    ]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=2000), name=st.sampled_from(["x.csv", "x.xlsx", "x.txt", ""]))
def test_arbitrary_bytes_never_raise(group, user_for, data, name):
    table = register_io.parse_file(data, name)
    assert bool(table.errors) != bool(table.rows)
    plan = register_io.build_plan(table, group, user_for("forvaltningssamordnare"))
    assert not plan.can_apply or not plan.file_errors


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    prefix=st.sampled_from([b"", b"\xef\xbb\xbf", b"datum;kategori;enhetskod;beskrivning\n"]),
    body=st.binary(max_size=600),
)
def test_arbitrary_bytes_after_a_header_never_raise(group, user_for, prefix, body):
    table = register_io.parse_file(prefix + body, "x.csv")
    plan = register_io.build_plan(table, group, user_for("chef"))
    for row in plan.rows:
        assert (row.status == "refused") == bool(row.errors)


cell = st.one_of(
    st.sampled_from(
        [
            "",
            "TF",
            "tf-fa",
            "SOF",
            "Klotter",
            "anlagd brand",
            "hot",
            "2024-03-05",
            "5/3/2024",
            "31.12.2023 23:59",
            "2099-01-01",
            "12 345,50",
            "-5",
            "0",
            "ja",
            "Sekretess",
            "OSL 18 kap. 8 §",
            "Avslutad",
        ]
    ),
    st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=12),
    st.integers(min_value=-(10**13), max_value=10**13),
    st.floats(allow_nan=True, allow_infinity=True),
    st.datetimes(min_value=datetime.datetime(1900, 3, 1), max_value=datetime.datetime(2200, 1, 1)),
    st.booleans(),
)
HEADERS = [c.header for c in register_io.COLUMNS]
VALID = {
    "datum": "2024-03-05 14:30",
    "kategori": "Klotter",
    "enhetskod": "TF",
    "beskrivning": "Klotter",
    "kostnad": "1 200,50",
    "status": "Avslutad",
}


@st.composite
def plausible_row(draw):
    """A valid row, perhaps with one odd cell: files where some imports go through and some not."""
    row = [VALID.get(header, "") for header in HEADERS]
    row[HEADERS.index("beskrivning")] = f"Klotter {draw(st.integers(min_value=0, max_value=10**9))}"
    if draw(st.integers(min_value=0, max_value=3)) == 0:
        row[draw(st.integers(min_value=0, max_value=len(HEADERS) - 1))] = draw(cell)
    return row


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.one_of(
        st.lists(plausible_row(), max_size=4),
        st.lists(st.one_of(plausible_row(), st.lists(cell, min_size=4, max_size=len(HEADERS))), max_size=5),
    )
)
def test_odd_rows_never_raise_and_never_import_in_part(group, user_for, rows):
    user = user_for("forvaltningssamordnare")
    before = Incident.objects.count(), CostItem.objects.count()
    last = Incident.objects.order_by("-pk").values_list("pk", flat=True).first()
    data = _xlsx([HEADERS, *rows])
    plan = register_io.import_file(data, "x.xlsx", group, user)
    for row in plan.rows:
        assert (row.status == "refused") == bool(row.errors)
    after = Incident.objects.count(), CostItem.objects.count()
    event("applied" if plan.applied else "nothing imported")
    if plan.applied:
        assert after[0] == before[0] + len(plan.rows) and plan.created == len(plan.rows)
        assert after[1] == before[1] + sum(1 for row in plan.rows if row.cost)
        # Each example starts from the same register.
        Incident.objects.filter(pk__gt=last).delete()
    else:
        assert after == before


# ---------------------------------------------------------------------------------------------
# Cells


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-03-05", (2024, 3, 5)),
        ("2024-03-05 14:30", (2024, 3, 5, 14, 30)),
        ("2024-03-05 14:30:15", (2024, 3, 5, 14, 30, 15)),
        ("2024-03-05T14:30", (2024, 3, 5, 14, 30)),
        ("2024-3-5", (2024, 3, 5)),
        ("5/3/2024", (2024, 3, 5)),  # day first, as Swedish offices write it
        ("05/03/2024 08:05", (2024, 3, 5, 8, 5)),
        ("31/12/2023", (2023, 12, 31)),
        ("05.03.2024", (2024, 3, 5)),
        ("5.3.2024 kl. 14.30", (2024, 3, 5, 14, 30)),
        ("2024-03-05 kl 14.30", (2024, 3, 5, 14, 30)),
        ("20240305", (2024, 3, 5)),
        (20240305, (2024, 3, 5)),
        ("5 mars 2024", (2024, 3, 5)),
        ("5 okt. 2023 22:10", (2023, 10, 5, 22, 10)),
        (datetime.datetime(2024, 3, 5, 14, 30), (2024, 3, 5, 14, 30)),
        (datetime.datetime(2024, 3, 5, 14, 29, 59, 999_000), (2024, 3, 5, 14, 30)),  # Excel's fractions
        (datetime.datetime(2024, 3, 5), (2024, 3, 5)),
        (datetime.date(2024, 3, 5), (2024, 3, 5)),
        ("2024-03-05T13:30:00Z", (2024, 3, 5, 14, 30)),  # in UTC: 14:30 in Stockholm
    ],
)
def test_every_date_form(value, expected):
    assert register_io.parse_when(value) == _local(*expected)


@pytest.mark.parametrize(
    "value",
    [
        "12/31/2023",
        "2024-02-30",
        "2024-03-05 25:00",
        "45356",
        45356.5,
        "5 mojs 2024",
        "igår",
        "1899-12-31",
        True,
        datetime.time(14, 30),
        "05.03.24",
    ],
)
def test_what_is_not_a_date_is_refused(group, user_for, value):
    with pytest.raises((ValueError, OverflowError)):
        register_io.parse_when(value)
    data = _xlsx([["datum", "kategori", "enhetskod", "beskrivning"], [value, "Brand", "TF", "Brand."]])
    assert _errors(_plan(data, group, user_for("samordnare"), "x.xlsx"))[2] == {
        "datum (A)": f"“{tabular.cell_text(value)[:40]}” is not a date. Write dates as YYYY-MM-DD or YYYY-MM-DD HH:MM."
    }


def test_an_incident_cannot_have_happened_in_the_future(group, user_for):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    data = _csv(
        f"{tomorrow};Brand;TF;Brand.",
        "2099-01-01 10:00;Brand;TF;Brand 2.",
        header="datum;kategori;enhetskod;beskrivning",
    )
    errors = _errors(_plan(data, group, user_for("samordnare")))
    assert errors == {n: {"datum (A)": "An incident cannot have happened in the future."} for n in (2, 3)}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12 345,50", 12346),
        ("12345", 12345),
        ("12.345,50", 12346),
        ("12.345", 12345),
        ("12 345 kr", 12345),
        ("12\u00a0345\u00a0kr", 12345),
        ("1 234 567,49", 1234567),
        ("SEK 800", 800),
        ("800:-", 800),
        ("12345.50", 12346),
        ("0,40", 0),
        ("0", 0),
        (12345, 12345),
        (12345.5, 12346),
        (0.0, 0),
        ("", None),
        ("-", None),
        (None, None),
    ],
)
def test_amounts_as_swedish_offices_write_them(value, expected):
    assert register_io.parse_amount(value) == (None if expected is None else Decimal(expected))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-500", "An amount cannot be negative."),
        (-1, "An amount cannot be negative."),
        ("12,345.50", "“12,345.50” is not an amount in SEK. Write it like 12 345 or 12 345,50."),
        ("12 34", "“12 34” is not an amount in SEK. Write it like 12 345 or 12 345,50."),
        ("tolv", "“tolv” is not an amount in SEK. Write it like 12 345 or 12 345,50."),
        ("1000000000000", "The amount is too large."),
        (1e300, "The amount is too large."),
    ],
)
def test_what_is_not_an_amount_is_refused(group, user_for, value, message):
    data = _xlsx(
        [["datum", "kategori", "enhetskod", "beskrivning", "kostnad"], ["2024-01-01", "Brand", "TF", "B", value]]
    )
    assert _errors(_plan(data, group, user_for("samordnare"), "x.xlsx")) == {2: {"kostnad (E)": message}}


@pytest.mark.parametrize(
    ("word", "category", "deliberate"),
    [
        ("klotter", "graffiti", None),
        ("Skadegörelse", "vandalism", None),
        ("stöld", "theft", None),
        ("INBROTT", "burglary", None),
        ("brand", "fire", None),
        ("anlagd brand", "fire", True),
        ("Hot och våld", "threat_violence", None),
        ("hot", "threat_violence", None),
        ("våld", "threat_violence", None),
        ("vattenskada", "water_damage", None),
        ("tillbud", "near_miss", None),
        ("olycka", "accident", None),
        ("IT-incident", "it", None),
        ("störning", "disruption", None),
        ("Störning i verksamheten", "disruption", None),
        ("extraordinär händelse", "extraordinary", None),
        ("threat_violence", "threat_violence", None),
        ("Near miss", "near_miss", None),
        ("Water damage", "water_damage", None),
    ],
)
def test_categories_by_key_label_or_common_word(group, user_for, word, category, deliberate):
    data = _csv(f"2024-01-01;{word};TF;Något hände.", header="datum;kategori;enhetskod;beskrivning")
    (row,) = _plan(data, group, user_for("samordnare")).added
    assert (row.category, row.fire_deliberate) == (category, deliberate)


def test_unknown_categories_and_statuses_are_refused_with_the_known_ones(group, user_for):
    data = _csv("2024-01-01;Översvämning;TF;X;Pausad", header="datum;kategori;enhetskod;beskrivning;status")
    errors = _errors(_plan(data, group, user_for("samordnare")))[2]
    assert errors["kategori (B)"].startswith("Unknown category “Översvämning” (known: near miss, accident,")
    assert errors["status (E)"] == (
        "Unknown status “Pausad” (known: reported, under investigation, measures decided, closed)."
    )


def test_a_fires_flags(group, user_for):
    header = "datum;kategori;enhetskod;beskrivning;anlagd;upptäckt av larm"
    data = _csv(
        "2024-01-01;Brand;TF;Brand i förråd.;ja;nej",
        "2024-01-02;Anlagd brand;TF;Brand i container.;;x",
        "2024-01-03;Anlagd brand;TF;Brand i papperskorg.;nej;",
        "2024-01-04;Stöld;TF;Stöld.;ja;",
        "2024-01-05;Brand;TF;Brand i bil.;kanske;",
        header=header,
    )
    plan = _plan(data, group, user_for("samordnare"))
    first, second = plan.added
    assert (first.fire_deliberate, first.values["fire_alarm_detected"]) == (True, False)
    assert (second.fire_deliberate, second.values["fire_alarm_detected"]) == (True, True)
    assert _errors(plan) == {
        4: {"anlagd (E)": "The category says the fire was deliberately set."},
        5: {"anlagd (E)": "Only a fire can be deliberately set or detected by an alarm."},
        6: {"anlagd (E)": "Write ja or nej (or leave it empty if not known)."},
    }


# ---------------------------------------------------------------------------------------------
# The dry run and the import


def test_the_dry_run_changes_nothing_and_the_import_writes_everything(client_for, group, user_for):
    client = client_for("samordnare")
    before = Incident.objects.count()
    response = _upload(client, _csv(*GOOD))
    assert response.status_code == 200
    assert response.context["counts"] == {"added": 3, "refused": 0}
    page = response.content.decode()
    assert "Dry run" in page and "Klotter på gaveln mot skolgården." in page
    assert "Persons involved are not imported" in page
    assert Incident.objects.count() == before
    token = response.context["token"]
    assert token

    response = client.post(URL, {"action": "apply", "token": token})
    assert response.status_code == 302 and response["Location"] == reverse("incidents:list")
    assert Incident.objects.count() == before + 3
    samordnare = user_for("samordnare")

    graffiti = Incident.objects.get(description="Klotter på gaveln mot skolgården.")
    assert graffiti.unit.code == "TF-FA" and graffiti.category == "graffiti" and graffiti.place == "Skolans gavel"
    assert graffiti.occurred_at == _local(2024, 3, 5, 14, 30) and graffiti.reported_at == graffiti.occurred_at
    assert graffiti.source == Incident.Source.IMPORT
    assert graffiti.status == "closed" and graffiti.closed_on is None and graffiti.reported_by is None
    assert graffiti.immediate_actions == "Sanerat" and graffiti.classification == "internal"
    (item,) = graffiti.cost_items.all()
    assert (item.kind, item.estimated, item.final) == ("other", None, 12346)
    assert (graffiti.cost_estimated, graffiti.cost_final, graffiti.cost, graffiti.no_damage_cost) == (
        0,
        12346,
        12346,
        False,
    )
    # The sums are those services.update_costs keeps.
    services.update_costs(graffiti)
    graffiti.refresh_from_db()
    assert (graffiti.cost_estimated, graffiti.cost_final, graffiti.cost) == (0, 12346, 12346)
    (created,) = graffiti.history.all()
    assert created.history_type == "+" and created.history_user == samordnare
    assert created.history_change_reason == "Imported from file handelser.csv"
    assert item.history.get().history_user == samordnare

    fire = Incident.objects.get(description="Brand i soprum, anlagd.")
    assert fire.category == "fire" and fire.fire_deliberate is True and fire.status == "investigating"
    assert (fire.police_report_number, fire.insurance_claim_number) == ("5000-K12345-24", "S-2024-77")
    assert (fire.cost, fire.insurer_paid, fire.deductible, fire.retained) == (48000, 40000, 8000, 8000)
    theft = Incident.objects.get(description="Stöld av gräsklippare.")
    assert theft.no_damage_cost and theft.cost == 0 and not theft.cost_items.exists() and theft.costs_known
    assert not theft.persons.exists()

    # The same file again adds nothing: every incident is already registered.
    response = _upload(client, _csv(*GOOD))
    assert response.context["counts"] == {"added": 0, "refused": 3}
    assert "This incident is already registered (same unit, time and description): already imported?" in (
        response.content.decode()
    )
    assert response.context["token"] is None


def test_one_refused_row_stops_the_whole_import(client_for, group, user_for):
    before = Incident.objects.count(), CostItem.objects.count()
    data = _csv(*GOOD, "2024-13-01;Pest;NOPE;;;;;;;tolv;;", GOOD[0].replace("12 345,50", "1"))
    response = _upload(client_for("samordnare"), data)
    assert response.context["token"] is None
    assert response.context["counts"] == {"added": 3, "refused": 2}
    refused = response.context["run"]["refused_rows"]
    errors = {row["number"]: {e["column"]: e["message"] for e in row["errors"]} for row in refused}
    # The row as in the spreadsheet (the header is row 1) and the column with its letter.
    assert errors[5] == {
        "datum (A)": "“2024-13-01” is not a date. Write dates as YYYY-MM-DD or YYYY-MM-DD HH:MM.",
        "kategori (B)": errors[5]["kategori (B)"],
        "enhetskod (C)": "There is no unit with the code NOPE.",
        "beskrivning (E)": "A value is required.",
        "kostnad (J)": "“tolv” is not an amount in SEK. Write it like 12 345 or 12 345,50.",
    }
    assert errors[6] == {"beskrivning (E)": "The same incident is also on row 2."}
    assert "2 rows are refused" in response.content.decode()
    plan = register_io.import_file(data, "handelser.csv", group, user_for("samordnare"))
    assert not plan.applied and (Incident.objects.count(), CostItem.objects.count()) == before
    # A forged confirmation imports nothing either.
    response = client_for("samordnare").post(URL, {"action": "apply", "token": "0" * 32})
    assert response.status_code == 302 and Incident.objects.count() == before[0]


def test_a_row_refused_when_checked_again_stops_the_import(client_for, group, unit):
    client = client_for("samordnare")
    token = _upload(client, _csv(*GOOD)).context["token"]
    Incident.objects.create(
        group=group,
        unit=unit("TF"),
        category="fire",
        occurred_at=_local(2024, 3, 5),
        description="Brand  i soprum, ANLAGD.",  # spacing and case aside, the same
    )
    before = Incident.objects.count()
    response = client.post(URL, {"action": "apply", "token": token})
    assert response.status_code == 200 and "when checked again" in response.content.decode()
    assert Incident.objects.count() == before
    response = client.post(URL, {"action": "apply", "token": token})
    assert response.status_code == 302 and Incident.objects.count() == before


def test_an_incident_at_another_time_or_unit_is_not_a_duplicate(group, user_for, unit):
    Incident.objects.create(
        group=group, unit=unit("TF"), category="fire", occurred_at=_local(2024, 3, 5), description="Brand."
    )
    header = "datum;kategori;enhetskod;beskrivning"
    data = _csv(
        "2024-03-05;Brand;TF;Brand.",
        "2024-03-05 00:01;Brand;TF;Brand.",
        "2024-03-05;Brand;TF-FA;Brand.",
        "2024-03-05;Brand;TF;Brand igen.",
        header=header,
    )
    plan = _plan(data, group, user_for("samordnare"))
    assert set(_errors(plan)) == {2} and len(plan.added) == 3


# ---------------------------------------------------------------------------------------------
# Scope and classification


def test_rows_for_units_outside_the_users_scope_are_refused(group, user_for):
    header = "datum;kategori;enhetskod;beskrivning"
    data = _csv("2024-01-01;Brand;TF-FA;A.", "2024-01-01;Hot;SOF;B.", "2024-01-01;Brand;NOPE;C.", header=header)
    for login in ("forvaltningssamordnare", "chef"):  # both may change incidents in TF only
        assert _errors(_plan(data, group, user_for(login))) == {
            3: {"enhetskod (C)": "You may not register incidents for the unit SOF."},
            4: {"enhetskod (C)": "There is no unit with the code NOPE."},
        }, login


@pytest.mark.parametrize(
    ("login", "status"),
    [("samordnare", 200), ("chef", 200), ("forvaltningssamordnare", 200), ("lasare", 403), ("medarbetare", 403)],
)
def test_the_import_needs_change_somewhere(client_for, group, login, status):
    client = client_for(login)
    assert client.get(URL).status_code == status
    assert client.get(reverse("incidents:import-template")).status_code == status
    response = _upload(client, _csv(GOOD[0]))
    assert response.status_code == status
    if status == 403:
        assert not Incident.objects.filter(description="Klotter på gaveln mot skolgården.").exists()


def test_the_list_links_to_the_import_for_those_who_may_use_it(client_for, group):
    assert f'href="{URL}"' in client_for("chef").get(reverse("incidents:list")).content.decode()
    assert URL not in client_for("lasare").get(reverse("incidents:list")).content.decode()
    assert URL not in client_for("medarbetare").get(reverse("incidents:list")).content.decode()


def test_classified_rows_need_a_ground_and_a_role_cleared_for_them(group, user_for):
    header = "datum;kategori;enhetskod;beskrivning;klassning;sekretessgrund"
    data = _csv(
        "2024-01-01;Hot och våld;TF;Hot mot handläggare.;Sekretess;OSL 21 kap. 3 §",
        "2024-01-02;Hot och våld;TF;Hot i receptionen.;hemlig;",
        header=header,
    )
    assert _errors(_plan(data, group, user_for("chef"))) == {
        2: {"klassning (E)": "You may not register classified incidents for this unit."},
        3: {
            "klassning (E)": "You may not register classified incidents for this unit.",
            "sekretessgrund (F)": "State the legal ground when a record is classified.",
        },
    }
    plan = register_io.import_file(
        data.replace(b"hemlig;", b"offentlig;"), "x.csv", group, user_for("forvaltningssamordnare")
    )
    assert plan.applied
    threat = Incident.objects.get(description="Hot mot handläggare.")
    assert threat.classification == "classified" and threat.classification_ground == "OSL 21 kap. 3 §"
    assert Incident.objects.get(description="Hot i receptionen.").classification == "public"


# ---------------------------------------------------------------------------------------------
# The template and the query count


def test_the_template_file_can_be_downloaded_and_read_back(client_for, group, user_for):
    response = client_for("chef").get(reverse("incidents:import-template"))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert list(rows[0]) == [c.header for c in register_io.COLUMNS if c.field != "occurred_time"]
    assert rows[1][2] == "TF" and isinstance(rows[1][0], datetime.datetime)
    plan = _plan(_xlsx([list(r) for r in rows]), group, user_for("chef"), "mall.xlsx")
    assert not plan.file_errors and len(plan.added) == 1, [e.message for e in plan.errors]
    assert plan.added[0].category == "graffiti" and plan.added[0].cost == 4500


def _many(n: int, offset: int = 0) -> bytes:
    units = ["TF", "TF-FA", "SOF", "NOPE"]
    return _csv(
        *[
            f"2024-01-{1 + i % 28:02d} {i % 24:02d}:{i % 60:02d};Klotter;{units[i % 4]};Plats {i};"
            f"Klotter nummer {i + offset}.;;;;;{i * 10},50;;"
            for i in range(n)
        ]
    )


def test_the_dry_run_takes_a_constant_number_of_queries(group, user_for, django_assert_max_num_queries):
    user = user_for("forvaltningssamordnare")
    _plan(_many(2), group, user)  # warm the user's access
    for n in (4, 600):  # more distinct times than looked up one by one
        table = register_io.parse_file(_many(n), "x.csv")
        with django_assert_max_num_queries(4):
            plan = register_io.build_plan(table, group, user)
        assert len(plan.rows) == n


def test_the_dry_run_page_takes_a_constant_number_of_queries(client_for, group):
    client = client_for("samordnare")
    counts = []
    for n in (4, 120):
        with CaptureQueriesContext(connection) as queries:
            response = _upload(client, _many(n))
        assert response.status_code == 200 and len(response.context["plan"].rows) == n
        counts.append(len(queries))
    assert counts[0] == counts[1] and counts[1] <= 15, counts


def test_writing_is_done_in_batches(group, user_for, django_assert_max_num_queries, monkeypatch):
    monkeypatch.setattr(register_io, "BATCH_SIZE", 50)
    user = user_for("samordnare")
    data = _csv(*[f"2024-02-01 10:{i % 60:02d};Stöld;TF;;Stöld {i}.;;;;;{i};;" for i in range(1, 201)])
    _plan(data, group, user)  # warm the user's access
    seen = []
    with django_assert_max_num_queries(8 + 4 * 5):  # four batches of four inserts (and savepoints)
        plan = register_io.import_file(data, "x.csv", group, user, progress=lambda *a: seen.append(a))
    assert plan.applied and plan.created == 200
    assert CostItem.objects.filter(incident__description__startswith="Stöld ", kind="other").count() == 200
    assert seen[-1] == ("writing", 200, 200) and ("checking", 200, 200) in seen
    assert [s for s in seen if s[0] == "writing"] == [("writing", n, 200) for n in (50, 100, 150, 200)]


# ---------------------------------------------------------------------------------------------
# Large files in the background


def test_a_large_file_is_checked_and_imported_in_the_background(
    client_for, group, monkeypatch, immediate_tasks, data_dir
):
    monkeypatch.setattr(import_jobs, "BACKGROUND_BYTES", 1000)
    monkeypatch.setattr(import_jobs, "BACKGROUND_ROWS", 100)
    client = client_for("samordnare")
    before = Incident.objects.count()
    data = _many(300).replace(b";NOPE;", b";SOF;")
    # The dry run: in the background, ending on the progress page with the same choice.
    response = _upload(client, data)
    assert response.status_code == 302
    token = response["Location"].rstrip("/").rsplit("/", 1)[1]
    progress = reverse("incidents:import-progress", args=[token])
    assert response["Location"] == progress
    page = client.get(progress)  # the task ran at once here; a worker runs it in production
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    assert page.context["counts"] == {"added": 300, "refused": 0} and page.context["background"]
    assert page.context["token"] == token and len(page.context["run"]["added_rows"]) == 300
    assert "data-poll" not in page.content.decode() and Incident.objects.count() == before
    # The import: in the background too, for it has more than BACKGROUND_ROWS rows.
    response = client.post(URL, {"action": "apply", "token": token})
    assert response.status_code == 302 and response["Location"] == progress
    assert Incident.objects.count() == before + 300
    assert not (data_dir / "imports" / "incidents" / f"{token}.upload").exists()  # the file is removed
    state = json.loads((data_dir / "imports" / "incidents" / f"{token}.progress.json").read_text())
    assert (state["job"], state["state"], state["added"], state["total"]) == ("import", "done", 300, 300)
    text = client.get(progress).content.decode()
    assert "The import is done: 300 incidents were added to the register." in text and "data-poll" not in text
    # Confirming again imports nothing: the file is gone.
    response = client.post(URL, {"action": "apply", "token": token})
    assert response["Location"] == URL and Incident.objects.count() == before + 300
    # Only the one who started it sees it.
    assert client_for("chef").get(progress).status_code == 404
    assert client.get(reverse("incidents:import-progress", args=["0" * 32])).status_code == 404
    assert client.get(URL + "not-a-token/").status_code == 404


def _token(progress: str) -> str:
    """The token in a progress page's address."""
    return progress.rstrip("/").rsplit("/", 1)[1]


def test_a_large_file_with_refused_rows_is_kept_for_the_choices_of_its_dry_run(
    client_for, group, monkeypatch, immediate_tasks, data_dir
):
    monkeypatch.setattr(import_jobs, "BACKGROUND_BYTES", 100)
    client = client_for("chef")
    response = _upload(client, _many(40))  # every fourth row for SOF or an unknown unit
    token = _token(response["Location"])
    page = client.get(response["Location"])
    assert page.context["counts"] == {"added": 20, "refused": 20} and page.context["token"] is None
    assert page.context["mapping_token"] == token
    assert "You may not register incidents for the unit SOF." in page.content.decode()
    assert (data_dir / "imports" / "incidents" / f"{token}.upload").exists()
    # Still not to be imported.
    response = client.post(URL, {"action": "apply", "token": token})
    assert response["Location"] == reverse("incidents:import-progress", args=[token])
    assert Incident.objects.filter(description__startswith="Klotter nummer").count() == 0


def test_a_large_file_that_cannot_be_read_is_not_kept(client_for, group, monkeypatch, immediate_tasks, data_dir):
    monkeypatch.setattr(import_jobs, "BACKGROUND_BYTES", 100)
    monkeypatch.setattr(register_io, "MAX_ROWS", 10)
    page = client_for("samordnare").get(_upload(client_for("samordnare"), _many(40))["Location"])
    assert "more than 10 rows" in page.content.decode()
    assert not list((data_dir / "imports" / "incidents").glob("*.upload"))


def test_the_words_a_background_check_did_not_know_are_given_a_meaning_on_its_page(
    client_for, group, monkeypatch, immediate_tasks, data_dir
):
    monkeypatch.setattr(import_jobs, "BACKGROUND_BYTES", 100)
    client = client_for("samordnare")
    data = _many(40).replace(b";NOPE;", b";SOF;").replace(b";Klotter;", b";Fordonsskada;")
    progress = _upload(client, data)["Location"]
    page = client.get(progress)
    assert page.context["counts"] == {"added": 0, "refused": 40}
    assert page.context["run"]["unknown"] == {"category": {"Fordonsskada": 40}}
    form = page.context["values_form"]
    assert [(field, word, rows) for _n, field, word, rows, _l in form.items] == [("category", "fordonsskada", 40)]
    text = page.content.decode()
    assert "Words the import does not know" in text and "Fordonsskada" in text

    response = client.post(progress, {"action": "values", "token": _token(progress), "value_0": "vandalism"})
    checked_again = response["Location"]
    assert response.status_code == 302 and checked_again != progress
    assert column_mapping.saved_values(group, "incidents") == {"category": {"fordonsskada": "vandalism"}}
    page = client.get(checked_again)  # checked again in the background, with the meaning
    assert page.context["counts"] == {"added": 40, "refused": 0} and page.context["token"] == _token(checked_again)
    assert page.context["run"]["translated"] == 40 and page.context["values_form"] is None
    assert not (data_dir / "imports" / "incidents" / f"{_token(progress)}.upload").exists()  # replaced by the new
    # The page's other choices are the import page's: here, forgetting the saved meanings.
    assert "Forget the saved choices" in page.content.decode()
    response = client.post(checked_again, {"action": "forget", "token": _token(checked_again)})
    assert response["Location"] == URL and column_mapping.saved_values(group, "incidents") == {}


def test_a_meaning_on_the_progress_page_must_be_one_offered(client_for, group, monkeypatch, immediate_tasks):
    monkeypatch.setattr(import_jobs, "BACKGROUND_BYTES", 100)
    client = client_for("samordnare")
    progress = _upload(client, _many(40).replace(b";Klotter;", b";Fordonsskada;"))["Location"]
    response = client.post(progress, {"action": "values", "token": _token(progress), "value_0": "not-a-category"})
    assert column_mapping.saved_values(group, "incidents") == {}
    page = client.get(response["Location"])  # checked again, as on the import page, with nothing saved
    assert "Choose the meanings from the lists." in page.content.decode() and page.context["counts"]["refused"] == 40


def test_every_refused_row_of_a_background_check_can_be_downloaded(
    client_for, group, monkeypatch, immediate_tasks, data_dir
):
    monkeypatch.setattr(import_jobs, "BACKGROUND_BYTES", 100)
    client = client_for("samordnare")
    bad = [f"2024-01-01 10:00;Klotter;NOPE;;Klotter {i}.;;;;;;;" for i in range(600)]
    response = _upload(client, _csv(*GOOD, *bad), name="stora registret.csv")
    progress, token = response["Location"], _token(response["Location"])
    page = client.get(progress)
    assert page.context["counts"] == {"added": 3, "refused": 600} and len(page.context["run"]["refused_rows"]) == 500
    assert "Download the 600 refused rows to correct them (Excel)" in page.content.decode()

    response = client.post(progress, {"action": "refused", "token": token})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "stora-registret-avvisade.xlsx" in response["Content-Disposition"]
    content = b"".join(response.streaming_content)
    rows = list(openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    assert list(rows[0]) == [*HEADER.split(";"), "Why the row was refused"]
    assert len(rows) == 601, "every refused row, and only those"
    assert [r[4] for r in rows[1:]] == [f"Klotter {i}." for i in range(600)]
    assert rows[1][-1].startswith("Row 5: enhetskod (C): ") and "NOPE" in rows[1][-1]

    # Only the one who started the check: another user with the right to import, and one without.
    for login, status in (("chef", 404), ("medarbetare", 403)):
        other = client_for(login)
        assert other.post(progress, {"action": "refused", "token": token}).status_code == status
        assert other.post(progress, {"action": "values", "token": token, "value_0": "vandalism"}).status_code == status
    assert column_mapping.saved_values(group, "incidents") == {}

    # The workbook is the file's own rows: swept as the file waiting is, after a day.
    workbook = import_jobs.refused_path(token)
    old = workbook.stat().st_mtime - pending_uploads.KEEP_FOR.total_seconds() - 1
    os.utime(workbook, (old, old))
    import_jobs._sweep(workbook.parent)
    assert not workbook.exists() and import_jobs.progress_path(token).exists()
    response = client.post(progress, {"action": "refused", "token": token})
    assert response.status_code == 302 and response["Location"] == URL


def test_a_running_import_shows_how_far_it_has_come(client_for, group, user_for, data_dir):
    token = "a" * 32
    user = user_for("samordnare")
    (data_dir / "imports" / "incidents").mkdir(parents=True)
    import_jobs.Reporter(token, {"user": user.pk, "group": group.pk, "filename": "stor.xlsx"})("writing", 4000, 100000)
    page = client_for("samordnare").get(reverse("incidents:import-progress", args=[token]))
    text = page.content.decode()
    assert 'data-poll="2"' in text and 'max="100000" value="4000"' in text and "varna/poll.js" in text
    assert "stor.xlsx" in text
    # A run that stopped reporting (its worker killed) rolled back: shown as failed.
    path = import_jobs.progress_path(token)
    state = json.loads(path.read_text())
    state["updated"] -= import_jobs.STALE_AFTER.total_seconds() + 1
    path.write_text(json.dumps(state))
    text = client_for("samordnare").get(reverse("incidents:import-progress", args=[token])).content.decode()
    assert "the work stopped before it was finished" in text and "data-poll" not in text


def test_a_background_import_refused_when_checked_again_imports_nothing(
    client_for, group, unit, monkeypatch, immediate_tasks
):
    monkeypatch.setattr(import_jobs, "BACKGROUND_ROWS", 2)
    client = client_for("samordnare")
    token = _upload(client, _csv(*GOOD)).context["token"]
    Incident.objects.create(
        group=group,
        unit=unit("TF-GP"),
        category="theft",
        occurred_at=_local(2023, 6, 11),
        description="Stöld av gräsklippare.",
    )
    before = Incident.objects.count()
    response = client.post(URL, {"action": "apply", "token": token})
    assert Incident.objects.count() == before
    page = client.get(response["Location"])
    text = page.content.decode()
    assert "when checked again, the file no longer passes" in text and "1 row is refused." in text
    assert "This incident is already registered" in text


def test_a_background_import_without_its_file_fails_cleanly(group, user_for, data_dir):
    user = user_for("samordnare")
    token = "b" * 32
    (data_dir / "imports" / "incidents").mkdir(parents=True)
    result = import_jobs.import_file.call(
        token=token, sha256="0" * 64, filename="x.csv", group_id=group.pk, user_id=user.pk, language="en"
    )
    assert result == 0
    assert import_jobs.read_progress(token)["reason"] == "missing"


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_a_queued_import(demo, user_for, data_dir):
    """The real queue (django_tasks_db), as `varna worker` runs it."""
    from django.core.management import call_command

    group = demo[0]
    user = user_for("samordnare")
    token = "c" * 32
    data = _many(8).replace(b";NOPE;", b";SOF;")
    (data_dir / "imports" / "incidents").mkdir(parents=True)
    (data_dir / "imports" / "incidents" / f"{token}.upload").write_bytes(data)
    import_jobs.start(
        import_jobs.IMPORT, token=token, data=data, filename="x.csv", group=group, user=user, rows=8, language="sv"
    )
    assert import_jobs.read_progress(token)["state"] == "queued"
    before = Incident.objects.count()
    call_command("run_worker", once=True)
    assert import_jobs.read_progress(token)["state"] == "done"
    assert Incident.objects.count() == before + 8


def test_a_date_and_a_time_in_columns_of_their_own_are_one_moment(group, user_for):
    data = _csv(
        "2024-03-05;14:30;Brand;TF;Brand i soprummet",
        "2024-03-06;kl. 7.05;Brand;TF;Brand i containern",
        "2024-03-07;;Brand;TF;Brand utan klockslag",
        "2024-03-08 10:00;11:00;Brand;TF;Två tider",
        "2024-03-09;25:00;Brand;TF;Ingen tid",
        f"{datetime.date.today().isoformat()};23:59:59;Brand;TF;Senare i dag",
        header="datum;klockslag;kategori;enhetskod;beskrivning",
    )
    plan = register_io.build_plan(register_io.parse_file(data, "x.csv"), group, user_for("samordnare"))
    when = {row.values["description"]: row.occurred_at for row in plan.rows}
    tz = zoneinfo.ZoneInfo("Europe/Stockholm")
    assert when["Brand i soprummet"] == datetime.datetime(2024, 3, 5, 14, 30, tzinfo=tz)
    assert when["Brand i containern"] == datetime.datetime(2024, 3, 6, 7, 5, tzinfo=tz)
    assert when["Brand utan klockslag"] == datetime.datetime(2024, 3, 7, tzinfo=tz)
    errors = {row.values["description"]: [e.message for e in row.errors] for row in plan.refused}
    assert errors["Två tider"] == [
        "The date already holds a time: leave the time column empty or the time out of the date."
    ]
    assert errors["Ingen tid"] == ["“25:00” is not a time of day. Write it as HH:MM."]
    if timezone.localtime().time() < datetime.time(23, 54):
        assert errors["Senare i dag"] == ["An incident cannot have happened in the future."]
    assert set(errors) <= {"Två tider", "Ingen tid", "Senare i dag"}


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (datetime.time(14, 30), datetime.time(14, 30)),
        (datetime.datetime(1899, 12, 30, 8, 15), datetime.time(8, 15)),
        (0.5, datetime.time(12, 0)),
        ("14.30", datetime.time(14, 30)),
        ("KL 9:05:30", datetime.time(9, 5, 30)),
        ("", None),
    ],
)
def test_a_time_of_day_is_read_as_offices_write_it(cell, expected):
    assert register_io.parse_clock(cell) == expected


@pytest.mark.parametrize("cell", ["1430", "14", "24:00", 1.5, -0.1, True, datetime.datetime(2024, 1, 1, 8, 0), "noon"])
def test_what_is_not_a_time_of_day_is_refused(cell):
    with pytest.raises(ValueError):
        register_io.parse_clock(cell)
