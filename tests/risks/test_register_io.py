"""An existing risk register from Excel or CSV: dry run, all-or-nothing import, assessments made
through the same service as by hand, scope and the profile's scales."""

import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from varna.core.dates import add_months
from varna.organisation.models import OrgUnit
from varna.organisation.profiles import load_profile
from varna.risks import register_io
from varna.risks.models import Analysis, Assessment, Risk

URL = reverse("risks:import")
HEADER = "titel;typ;kategori;enhetskod;sannolikhet;konsekvens liv och hälsa;konsekvens ekonomiska och materiella värden"
GOOD = (
    "Ras i bergrum;Olycksrisk;Teknisk infrastruktur;TF;3;2;4",
    "Sabotage mot vattenverket;threat;Vatten;TF-FA;Låg;Katastrofal;",
    "Leverantör av drivmedel går i konkurs;Beroende som fallerar;;TF;;;",
)


def _csv(*rows: str, header: str = HEADER) -> bytes:
    return "\n".join([header, *rows]).encode("utf-8")


def _xlsx(rows: list[list]) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _upload(client, data: bytes, name="risker.csv", analysis=None):
    post = {"action": "preview", "file": SimpleUploadedFile(name, data, "text/csv")}
    if analysis is not None:
        post["analysis"] = analysis.pk
    return client.post(URL, post)


def _errors(plan) -> dict[int, dict[str, str]]:
    return {row.number: {e.column: e.message for e in row.errors} for row in plan.refused}


@pytest.fixture
def tf_analysis(group):
    return Analysis.objects.get(group=group, title="Riskanalys tekniska förvaltningen")


# ---------------------------------------------------------------------------------------------
# Reading the file


def test_the_columns_follow_the_profiles_dimensions(group):
    headers = [c.header for c in register_io.columns_for(group)]
    assert headers[:7] == ["titel", "beskrivning", "typ", "kategori", "orsak", "enhetskod", "sannolikhet"]
    # Life and health first (AL-1), then the other protected values of Härjedalen's matrix.
    assert headers[7:12] == [
        "konsekvens liv och hälsa",
        "konsekvens miljö",
        "konsekvens ekonomiska och materiella värden",
        "konsekvens samhällets funktionalitet",
        "konsekvens demokrati, rättssäkerhet och förtroende",
    ]
    assert headers[12:] == ["bedömd", "klassning", "sekretessgrund"]
    group.profile_key = "ale"
    ale = [c.header for c in register_io.columns_for(group)]
    assert "konsekvens personsäkerhet – liv och hälsa" in ale and "konsekvens liv och hälsa" not in ale


def test_english_and_exported_headers_are_understood(group, user_for):
    # The headers the risk export writes in English, plus the dimension's bare name.
    header = "Title,Kind,Responsible unit,Likelihood,Life and health,Economic and property values,Status"
    data = _csv("Isbildning på tak,Hazard,Fastighet,2,3,,Active", header=header)
    table = register_io.parse_file(data, "export.csv", group)
    assert not table.errors and table.format == "csv" and table.ignored == ["Status"]
    plan = register_io.build_plan(table, group, user_for("samordnare"))
    (row,) = plan.added
    assert row.unit.code == "TF-FA"  # "Fastighet" is a name only one unit has
    assert (row.likelihood, row.consequences) == (2, {"life_health": 3})


@pytest.mark.parametrize(
    "data,name,message",
    [
        (b"", "x.csv", "file is empty"),
        (b" \n\n", "x.csv", "The file is empty."),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old.xls", "Old Excel files"),
        (b"PK\x03\x04garbage", "broken.xlsx", "damaged"),
        (b"not an excel file", "x.xlsx", "is named .xlsx but is not an Excel workbook"),
        (b"foo;bar\n1;2", "x.csv", "No known column names in the first row. Expected titel and enhetskod"),
        (b"titel;sannolikhet\nX;2", "x.csv", "The column enhetskod is missing."),
        (b"titel;risk;enhetskod\nX;Y;TF", "x.csv", "The columns titel and risk mean the same thing (titel)."),
        (b"titel;enhetskod", "x.csv", "column names but no rows"),
    ],
)
def test_a_file_that_cannot_be_read_gets_a_clear_error(client_for, group, data, name, message):
    response = client_for("samordnare").post(URL, {"action": "preview", "file": SimpleUploadedFile(name, data)})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["plan"] is None and response.context["token"] is None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=2000), name=st.sampled_from(["x.csv", "x.xlsx", "x.txt", ""]))
def test_arbitrary_bytes_never_raise(group, user_for, data, name):
    table = register_io.parse_file(data, name, group)
    assert bool(table.errors) != bool(table.rows)
    plan = register_io.build_plan(table, group, user_for("forvaltningssamordnare"))
    assert not plan.can_apply or not plan.file_errors


cell = st.one_of(
    st.sampled_from(["", "TF", "tf-fa", "SOF", "Hög", "3 – Medel", "0", "6", "2.5", "Sekretess", "2099-01-01"]),
    st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=12),
    st.integers(min_value=-3, max_value=9),
    st.floats(allow_nan=True, allow_infinity=True),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(cell, max_size=16), max_size=6))
def test_arbitrary_cells_never_raise(group, user_for, rows):
    headers = [c.header for c in register_io.columns_for(group)]
    table = register_io.parse_file(_xlsx([headers, *rows]), "x.xlsx", group)
    plan = register_io.build_plan(table, group, user_for("forvaltningssamordnare"))
    for row in plan.rows:
        assert (row.status == "refused") == bool(row.errors)


# ---------------------------------------------------------------------------------------------
# The dry run and the import


def test_the_dry_run_changes_nothing_and_the_import_assesses_as_by_hand(client_for, group, user_for, tf_analysis):
    client = client_for("samordnare")
    before = Risk.objects.count()
    response = _upload(client, _csv(*GOOD), analysis=tf_analysis)
    assert response.status_code == 200
    assert response.context["counts"] == {"added": 3, "refused": 0}
    assert "Dry run" in response.content.decode() and "Ras i bergrum" in response.content.decode()
    assert Risk.objects.count() == before
    token = response.context["token"]
    assert token

    response = client.post(URL, {"action": "apply", "token": token})
    assert response.status_code == 302
    assert response["Location"] == reverse("risks:list") + f"?analys={tf_analysis.pk}"
    assert Risk.objects.count() == before + 3
    today = timezone.localdate()

    ras = Risk.objects.get(title="Ras i bergrum")
    assert ras.analysis == tf_analysis and ras.unit.code == "TF" and ras.kind == "hazard"
    assert ras.category == "Teknisk infrastruktur" and ras.classification == "internal"
    # Likelihood 3 × worst consequence 4 is red in Härjedalen's grid, reviewed every 6 months.
    assert (ras.likelihood, ras.consequence, ras.level, ras.zone) == (3, 4, 12, "red")
    assert ras.consequences == {"life_health": 2, "property": 4} and not ras.flagged
    assert ras.assessed_on == today and ras.next_review == add_months(today, 6)
    (assessment,) = ras.assessments.all()
    assert assessment.kind == Assessment.Kind.CURRENT and assessment.assessed_by == user_for("samordnare")
    assert "Imported from file risker.csv" in assessment.reasoning
    (created,) = ras.history.all()
    assert created.history_type == "+" and created.history_user == user_for("samordnare")
    assert created.history_change_reason == "Imported from file risker.csv"

    sabotage = Risk.objects.get(title="Sabotage mot vattenverket")
    assert sabotage.kind == "threat" and (sabotage.likelihood, sabotage.life_health) == (2, 5)
    assert sabotage.flagged  # a catastrophic consequence for life and health (AL-1)
    dependency = Risk.objects.get(title="Leverantör av drivmedel går i konkurs")
    assert dependency.kind == "dependency" and dependency.likelihood is None and not dependency.assessments.exists()

    # The same file again adds nothing: every title is already in the analysis.
    response = _upload(client, _csv(*GOOD), analysis=tf_analysis)
    assert response.context["counts"] == {"added": 0, "refused": 3}
    assert "A risk with this title is already registered in the analysis." in response.content.decode()
    # Into another analysis (or none) the same titles are new.
    response = _upload(client, _csv(*GOOD))
    assert response.context["counts"] == {"added": 3, "refused": 0}


def test_one_refused_row_stops_the_whole_import(client_for, group, user_for):
    before = Risk.objects.count()
    data = _csv(*GOOD, ";Olycksrisk;;TF;6;2;", "Ras i bergrum;;;TF;;;")
    response = _upload(client_for("samordnare"), data)
    assert response.context["token"] is None
    assert response.context["counts"] == {"added": 3, "refused": 2}
    errors = {row.number: {e.column: e.message for e in row.errors} for row in response.context["refused"]}
    # The row as in the spreadsheet (the header is row 1) and the column with its letter.
    assert errors[5]["titel (A)"] == "A value is required."
    assert errors[5]["sannolikhet (E)"].startswith("“6” is not on the scale: write a whole number from 1 to 5")
    assert errors[6] == {"titel (A)": "The same risk is also on row 2."}
    assert "2 rows are refused" in response.content.decode()
    plan = register_io.import_file(data, "risker.csv", group, user_for("samordnare"))
    assert not plan.applied and Risk.objects.count() == before
    # A forged confirmation imports nothing either.
    response = client_for("samordnare").post(URL, {"action": "apply", "token": "0" * 32})
    assert response.status_code == 302 and Risk.objects.count() == before


def test_a_row_refused_when_checked_again_stops_the_import(client_for, group):
    client = client_for("samordnare")
    response = _upload(client, _csv(*GOOD))
    token = response.context["token"]
    Risk.objects.create(group=group, unit=OrgUnit.objects.get(group=group, code="TF"), title="Ras i bergrum")
    before = Risk.objects.count()
    response = client.post(URL, {"action": "apply", "token": token})
    assert response.status_code == 200 and "when checked again" in response.content.decode()
    assert Risk.objects.count() == before
    # The file is gone: confirming again asks for it anew.
    response = client.post(URL, {"action": "apply", "token": token})
    assert response.status_code == 302 and Risk.objects.count() == before


def test_the_analysis_is_the_one_of_the_dry_run(client_for, group, tf_analysis):
    client = client_for("samordnare")
    token = _upload(client, _csv(*GOOD[:1]), analysis=tf_analysis).context["token"]
    other = Analysis.objects.get(group=group, title="Riskanalys hemtjänstens nattpatrull")
    client.post(URL, {"action": "apply", "token": token, "analysis": other.pk})
    assert Risk.objects.get(title="Ras i bergrum").analysis == tf_analysis


def test_only_analyses_the_user_may_see_are_offered(client_for, group, tf_analysis):
    client = client_for("forvaltningssamordnare")  # TF: does not see the group's RSA nor SOF's analysis
    rva = Analysis.objects.get(group=group, kind="rva")
    response = _upload(client, _csv(*GOOD[:1]), analysis=rva)
    assert response.context["plan"] is None and response.context["form"].errors["analysis"]
    # The TF analysis is completed: offered when asked for by its page's link.
    response = client.get(URL, {"analys": tf_analysis.pk})
    assert list(response.context["form"].fields["analysis"].queryset) == [tf_analysis]
    response = _upload(client, _csv(*GOOD[:1]), analysis=tf_analysis)
    assert response.context["counts"] == {"added": 1, "refused": 0}
    # Nor does the plan itself take an analysis the user may not see.
    table = register_io.parse_file(_csv(*GOOD[:1]), "x.csv", group)
    plan = register_io.build_plan(table, group, response.wsgi_request.user, rva)
    assert plan.file_errors == ["You may not add risks to this analysis."] and not plan.can_apply


# ---------------------------------------------------------------------------------------------
# Scope


def test_rows_for_units_outside_the_users_scope_are_refused(group, user_for):
    data = _csv("Ras i bergrum;;;TF-FA;;;", "Hot mot personal;Hot;;SOF;;;", "Okänd;;;NOPE;;;")
    for login in ("forvaltningssamordnare", "chef"):  # both may change risks in TF only
        plan = register_io.build_plan(register_io.parse_file(data, "x.csv", group), group, user_for(login))
        assert _errors(plan) == {
            3: {"enhetskod (D)": "You may not register risks for the unit SOF."},
            4: {"enhetskod (D)": "There is no unit with the code NOPE."},
        }, login


@pytest.mark.parametrize(
    ("login", "status"),
    [("samordnare", 200), ("chef", 200), ("forvaltningssamordnare", 200), ("lasare", 403), ("medarbetare", 403)],
)
def test_the_import_needs_change_somewhere_like_a_new_risk(client_for, group, login, status):
    client = client_for(login)
    assert client.get(URL).status_code == status
    assert client.get(reverse("risks:import-template")).status_code == status
    response = _upload(client, _csv(*GOOD[:1]))
    assert response.status_code == status
    if status == 403:
        assert not Risk.objects.filter(title="Ras i bergrum").exists()


def test_the_list_links_to_the_import_for_those_who_may_use_it(client_for, group):
    page = client_for("chef").get(reverse("risks:list")).content.decode()
    assert f'href="{URL}"' in page and reverse("risks:export") in page
    assert URL not in client_for("lasare").get(reverse("risks:list")).content.decode()


def test_classified_rows_need_a_ground_and_a_role_cleared_for_them(group, user_for):
    header = "titel;enhetskod;klassning;sekretessgrund"
    data = _csv("Hot mot serverhall;TF;Sekretess;OSL 18 kap. 8 §", "Intrång i passersystem;TF;hemlig;", header=header)
    plan = register_io.build_plan(register_io.parse_file(data, "x.csv", group), group, user_for("chef"))
    assert _errors(plan) == {
        2: {"klassning (C)": "You may not register classified risks for this unit."},
        3: {
            "klassning (C)": "You may not register classified risks for this unit.",
            "sekretessgrund (D)": "State the legal ground when a record is classified.",
        },
    }
    plan = register_io.build_plan(
        register_io.parse_file(data, "x.csv", group), group, user_for("forvaltningssamordnare")
    )
    assert _errors(plan) == {3: {"sekretessgrund (D)": "State the legal ground when a record is classified."}}
    assert plan.added[0].classification == "classified"


# ---------------------------------------------------------------------------------------------
# The profile's scales


@pytest.mark.parametrize(
    ("likelihood", "life", "expected"),
    [
        ("1", "5", (1, {"life_health": 5})),
        ("5", "1", (5, {"life_health": 1})),
        ("Hög", "Mycket begränsad", (4, {"life_health": 1})),
        ("very high", "catastrophic", (5, {"life_health": 5})),
        ("3 – Medel", "2. Begränsad", (3, {"life_health": 2})),
        ("3 Medel", "4", (3, {"life_health": 4})),
        ("2", "3 – Betydande", (2, {"life_health": 3})),  # a name the profile does not know: the number counts
    ],
)
def test_levels_by_number_or_name(group, user_for, likelihood, life, expected):
    data = _csv(f"Ras;;;TF;{likelihood};{life};")
    (row,) = register_io.build_plan(register_io.parse_file(data, "x.csv", group), group, user_for("samordnare")).added
    assert (row.likelihood, row.consequences) == expected


@pytest.mark.parametrize("value", ["0", "6", "2,5", "3.5", "-1", "hög risk", "1e3", "4711"])
def test_values_off_the_scale_are_refused_with_the_scale(group, user_for, value):
    data = _csv(f"Ras;;;TF;{value};2;", f"Brand;;;TF;2;{value};")
    plan = register_io.build_plan(register_io.parse_file(data, "x.csv", group), group, user_for("samordnare"))
    errors = _errors(plan)
    assert set(errors) == {2, 3}
    assert errors[2]["sannolikhet (E)"] == (
        f"“{value}” is not on the scale: write a whole number from 1 to 5 or the name of a level "
        "(1 Very low, 2 Low, 3 Medium, 4 High, 5 Very high)."
    )
    assert errors[3]["konsekvens liv och hälsa (F)"].startswith(f"“{value}” is not on the scale")


def test_a_number_and_the_name_of_another_level_are_refused(group, user_for):
    data = _csv("Ras;;;TF;3 – Hög;2;", "Brand;;;TF;2;2 – Katastrofal;")
    plan = register_io.build_plan(register_io.parse_file(data, "x.csv", group), group, user_for("samordnare"))
    assert set(_errors(plan)) == {2, 3}
    assert "“3 – Hög” is not on the scale" in _errors(plan)[2]["sannolikhet (E)"]


def test_excel_numbers_and_dates_are_read(group, user_for):
    headers = ["Risk", "Enhet", "Sannolikhet", "Konsekvens liv och hälsa", "Konsekvens miljö", "Bedömd den"]
    data = _xlsx(
        [
            headers,
            ["Översvämning vid vårflod", "tf", 4.0, 3, 2, datetime.datetime(2025, 4, 2)],
            ["Kemikalieutsläpp", "TF", 2.5, 3, None, None],
            ["Skogsbrand", "TF", 2, None, 6, datetime.date(2999, 1, 1)],
        ]
    )
    plan = register_io.build_plan(register_io.parse_file(data, "x.xlsx", group), group, user_for("samordnare"))
    (row,) = plan.added
    assert row.values["assessed_on"] == datetime.date(2025, 4, 2) and row.score.zone.key == "red"
    errors = _errors(plan)
    assert errors[3] == {"Sannolikhet (C)": errors[3]["Sannolikhet (C)"]}
    assert errors[3]["Sannolikhet (C)"].startswith("“2.5” is not on the scale")
    assert errors[4] == {
        "Konsekvens miljö (E)": errors[4]["Konsekvens miljö (E)"],
        "Bedömd den (F)": "An assessment cannot be dated in the future.",
    }


def test_an_assessment_needs_both_parts(group, user_for):
    header = HEADER + ";bedömd"
    data = _csv("Ras;;;TF;3;;;", "Brand;;;TF;;3;;", "Läcka;;;TF;;;;2024-01-01", header=header)
    plan = register_io.build_plan(register_io.parse_file(data, "x.csv", group), group, user_for("samordnare"))
    assert _errors(plan) == {
        2: {"konsekvens liv och hälsa (F)": "Assess the consequence in at least one dimension."},
        3: {"sannolikhet (E)": "A likelihood is needed when consequences are assessed."},
        4: {
            "bedömd (H)": "There is no assessment to date: fill in the likelihood and the consequences, "
            "or leave the date empty."
        },
    }


def test_a_back_dated_assessment_sets_the_review_from_its_date(group, user_for):
    header = HEADER + ";bedömd"
    data = _csv("Ras i bergrum;;;TF;1;1;;2024-03-01", header=header)
    plan = register_io.import_file(data, "x.csv", group, user_for("samordnare"))
    assert plan.applied
    risk = Risk.objects.get(title="Ras i bergrum")
    assert risk.zone == "green" and risk.assessed_on == datetime.date(2024, 3, 1)
    assert risk.next_review == add_months(datetime.date(2024, 3, 1), 24)
    assert risk.review_overdue


# ---------------------------------------------------------------------------------------------
# The template and the query count


def test_the_template_file_can_be_downloaded_and_read_back(client_for, group, user_for):
    response = client_for("chef").get(reverse("risks:import-template"))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert list(rows[0]) == [c.header for c in register_io.columns_for(group)]
    assert rows[1][5] == "TF"  # a unit the head may register risks for
    plan = register_io.build_plan(
        register_io.parse_file(_xlsx([list(r) for r in rows]), "mall.xlsx", group), group, user_for("chef")
    )
    assert not plan.file_errors and len(plan.added) == 1, [e.message for e in plan.errors]
    assert plan.added[0].score is not None


def _many(n: int) -> bytes:
    units = ["TF", "TF-FA", "SOF", "NOPE"]
    return _csv(*[f"Risk nummer {i};Hot;;{units[i % 4]};{1 + i % 5};{1 + i % 5};2" for i in range(n)])


def test_the_dry_run_takes_a_constant_number_of_queries(group, user_for, django_assert_max_num_queries, tf_analysis):
    user = user_for("forvaltningssamordnare")
    register_io.build_plan(register_io.parse_file(_many(2), "x.csv", group), group, user)  # warm the user's access
    for n in (4, 200):
        table = register_io.parse_file(_many(n), "x.csv", group)
        with django_assert_max_num_queries(5):
            plan = register_io.build_plan(table, group, user, tf_analysis)
        assert len(plan.rows) == n


def test_the_dry_run_page_takes_a_constant_number_of_queries(client_for, group):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("samordnare")
    counts = []
    for n in (4, 120):
        with CaptureQueriesContext(connection) as queries:
            response = _upload(client, _many(n))
        assert response.status_code == 200 and len(response.context["plan"].rows) == n
        counts.append(len(queries))
    assert counts[0] == counts[1] and counts[1] <= 15, counts


def test_writing_takes_a_bounded_number_of_queries_per_assessed_risk(group, user_for, django_assert_max_num_queries):
    user = user_for("samordnare")
    data = _csv(*[f"Risk nummer {i};Hot;;TF;{1 + i % 5};{1 + i % 5};2" for i in range(40)])
    register_io.build_plan(register_io.parse_file(data, "x.csv", group), group, user)  # warm the user's access
    with django_assert_max_num_queries(12 + 40 * 6):
        plan = register_io.import_file(data, "x.csv", group, user)
    assert plan.applied and len(plan.risks) == 40
    assert Assessment.objects.filter(risk__in=plan.risks).count() == 40


def test_every_profile_gives_a_template_that_reads_back(group, user_for):
    for key in ("harjedalen", "ale", "karlskrona"):
        group.profile_key = key
        load_profile(key)
        headers, rows = register_io.template_rows(group, user_for("samordnare"))
        table = register_io.parse_file(_xlsx([headers, *rows]), "mall.xlsx", group)
        assert not table.errors and set(table.columns) == {c.field for c in register_io.columns_for(group)}, key
