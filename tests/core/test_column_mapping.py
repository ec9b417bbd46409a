"""Any file as it is: when a file's columns are not the ones Värna knows, the import page asks
what they hold, saves the answer for the group and import, and reads the next file with it
(core/column_mapping.py), on each of the four imports."""

from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from varna.core import column_mapping, tabular
from varna.core.models import ColumnMapping
from varna.documents import register_io as document_io
from varna.documents.models import Document
from varna.incidents import import_jobs
from varna.incidents import register_io as incident_io
from varna.incidents.models import Incident
from varna.organisation.models import Person
from varna.risks import register_io as risk_io
from varna.risks.models import Risk


@dataclass
class Case:
    kind: str
    url: str
    header: str
    rows: tuple[str, ...]
    choice: tuple[str, ...]  # the field chosen for each column, in order
    second: str  # a row of a second file with the same columns
    exists: object  # record → bool: the first file's row was written

    def csv(self, *rows: str) -> bytes:
        return "\n".join([self.header, *(rows or self.rows)]).encode("utf-8")

    def post(self) -> dict:
        return {f"column_{i}": field for i, field in enumerate(self.choice)}


CASES = [
    Case(
        "people",
        "organisation:import",
        "Anst.nr;Tilltalsnamn;Släktnamn;Kostnadsställe",
        ("9001;Ada;Lind;TF",),
        ("employee_number", "first_name", "last_name", "code"),
        "9002;Bo;Ek;TF",
        lambda: Person.objects.filter(employee_number="9001", first_name="Ada").exists(),
    ),
    Case(
        "documents",
        "documents:import",
        "Dokumenttyp;Rubrik;Ansvarig enhet;Fastställd;Fastställd av",
        ("Instruktion;Instruktion för kartotek;TF-FA;2024-01-10;Anders Hedlund",),
        ("kind", "title", "unit", "decided_on", "decided_by"),
        "Instruktion;Instruktion för arkiv;TF-FA;2024-01-11;Anders Hedlund",
        lambda: Document.objects.filter(title="Instruktion för kartotek").exists(),
    ),
    Case(
        "risks",
        "risks:import",
        "Riskbeskrivning;Ansvar",
        ("Ras i bergrum;TF",),
        ("title", "unit"),
        "Skred vid älven;TF",
        lambda: Risk.objects.filter(title="Ras i bergrum").exists(),
    ),
    Case(
        "incidents",
        "incidents:import",
        "Tidpunkt;Typ av händelse;Ansvar;Vad hände",
        ("2024-01-01;Brand;TF;Brand i soprummet vid Tallbacken",),
        ("occurred_at", "category", "unit", "description"),
        "2024-01-02;Brand;TF;Brand i containern",
        lambda: Incident.objects.filter(description="Brand i soprummet vid Tallbacken").exists(),
    ),
]
IDS = [c.kind for c in CASES]


def _upload(client, case: Case, data: bytes, name="export.csv"):
    return client.post(reverse(case.url), {"action": "preview", "file": SimpleUploadedFile(name, data)})


def _map(client, case: Case, token: str, choice: dict):
    return client.post(reverse(case.url), {"action": "map", "token": token, **choice})


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_a_file_with_its_own_column_names_is_mapped_once_and_then_read_as_it_is(client_for, group, case):
    client = client_for("samordnare")
    response = _upload(client, case, case.csv())
    assert response.status_code == 200
    mapping = response.context["mapping"]
    assert mapping is not None and response.context["plan"] is None
    assert mapping["problems"], "the page says why the columns cannot be read as they are"
    page = response.content.decode()
    assert "What do the columns hold?" in page
    first_value = case.rows[0].split(";")[0]
    assert first_value in page, "sample values are shown beside each column"
    assert not ColumnMapping.objects.filter(group=group, kind=case.kind).exists()

    response = _map(client, case, mapping["token"], case.post())
    assert response.status_code == 200
    plan = response.context["plan"]
    assert plan is not None and plan.can_apply, (
        response.context.get("mapping") and response.context["mapping"]["form"].errors
    )
    assert response.context["token"]
    saved = column_mapping.saved(group, case.kind)
    headers = [tabular.key(h) for h in case.header.split(";")]
    assert {saved.get(h, "") for h in headers} <= set(case.choice) | {""}
    assert plan.mapped_columns, "the dry run says which columns the saved choices read"

    response = client.post(reverse(case.url), {"action": "apply", "token": response.context["token"]})
    assert response.status_code == 302
    assert case.exists()

    # The next month's file with the same columns goes straight to the dry run.
    response = _upload(client, case, case.csv(case.second))
    assert response.context["mapping"] is None
    plan = response.context["plan"]
    assert plan is not None and plan.can_apply and plan.mapped_columns
    assert "Read as saved for this municipality" in response.content.decode()


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_saved_choices_can_be_chosen_again_and_forgotten(client_for, group, case):
    client = client_for("samordnare")
    token = _upload(client, case, case.csv()).context["mapping"]["token"]
    _map(client, case, token, case.post())
    response = _upload(client, case, case.csv(case.second))
    token = response.context["mapping_token"]
    assert token

    response = client.post(reverse(case.url), {"action": "remap", "token": token})
    form = response.context["mapping"]["form"]
    assert [form[f"column_{i}"].value() for i in range(len(case.choice))] == list(case.choice)

    response = client.post(reverse(case.url), {"action": "forget", "token": token}, follow=True)
    assert "forgotten" in response.content.decode()
    assert not ColumnMapping.objects.filter(group=group, kind=case.kind).exists()
    assert _upload(client, case, case.csv()).context["mapping"] is not None


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_a_mapping_that_cannot_work_is_refused_at_the_column_and_nothing_is_saved(client_for, group, case):
    client = client_for("samordnare")
    token = _upload(client, case, case.csv()).context["mapping"]["token"]

    twice = {**case.post(), "column_1": case.choice[0]}  # two columns for one field
    response = _map(client, case, token, twice)
    form = response.context["mapping"]["form"]
    assert "already read from column A" in " ".join(form.errors["column_1"])
    assert response.context["plan"] is None

    missing = {**case.post(), f"column_{len(case.choice) - 1}": ""}  # a required field left out
    response = _map(client, case, token, missing)
    assert "needs a column for" in " ".join(response.context["mapping"]["form"].non_field_errors())

    odd = {**case.post(), "column_0": "password"}  # not a field of the import
    response = _map(client, case, token, odd)
    assert response.status_code == 200 and response.context["mapping"]["form"].errors["column_0"]

    assert not ColumnMapping.objects.filter(group=group, kind=case.kind).exists()


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_mapping_step_needs_the_file_of_this_session_and_the_right_to_import(client_for, group, case):
    response = _map(client_for("samordnare"), case, "0" * 32, case.post())
    assert response.status_code == 302
    token = _upload(client_for("samordnare"), case, case.csv()).context["mapping"]["token"]
    assert _map(client_for("chef"), case, token, case.post()).status_code in (302, 403)
    assert _map(client_for("medarbetare"), case, token, case.post()).status_code == 403
    assert not ColumnMapping.objects.filter(group=group, kind=case.kind).exists()


def test_a_large_incident_file_is_mapped_before_its_check_starts_in_the_background(client_for, group, monkeypatch):
    started = []
    monkeypatch.setattr(import_jobs, "BACKGROUND_BYTES", 50)
    monkeypatch.setattr(import_jobs, "start", lambda *args, **kwargs: started.append(kwargs))
    case = CASES[3]
    client = client_for("samordnare")
    response = _upload(client, case, case.csv())
    assert response.context["mapping"] is not None and not started
    response = _map(client, case, response.context["mapping"]["token"], case.post())
    assert response.status_code == 302 and started and started[0]["group"] == group


# ---------------------------------------------------------------------------------------------
# The parts


def test_suggestions_follow_the_names_values_are_known_by():
    headers = ["Händelsedatum", "Kategori", "Enhetskod X", "Helt okänt", "Beskrivning av händelsen"]
    suggested = column_mapping.suggest(headers, incident_io.COLUMNS, {})
    assert suggested[1] == "category"
    assert suggested[2] == "unit"
    assert suggested[4] == "description"
    assert 3 not in suggested
    # A field already read is not suggested again.
    assert "category" not in column_mapping.suggest(["Kategorin"], incident_io.COLUMNS, {0: "category"}).values()


def test_a_saved_choice_goes_before_the_known_names_and_can_leave_a_known_column_out(group):
    data = b"titel;enhetskod;Ansvar\nRas;TF;SOF\n"
    table = tabular.parse_file(
        data,
        "x.csv",
        risk_io.columns_for(group),
        risk_io.REQUIRED,
        risk_io.NO_KNOWN_COLUMNS,
        mapping={"enhetskod": "", "ansvar": "unit"},
    )
    assert not table.errors
    assert table.columns == {"title": 0, "unit": 2}
    assert table.ignored == ["enhetskod"] and table.mapped == [("Ansvar", "unit")]
    assert table.rows[0][1][table.columns["unit"]] == "SOF"


def test_a_header_only_read_stops_early_and_keeps_samples():
    rows = "\n".join(f"{n};TF" for n in range(tabular.MAX_ROWS + 10))
    table = document_io.parse_file(f"Rubrik;Enhet\n{rows}".encode(), "x.csv", header_only=True)
    assert table.needs_mapping and len(table.rows) == 0
    assert table.headers == ["Rubrik", "Enhet"] and table.samples[1] == ["TF"]
    assert table.samples[0] == ["0", "1", "2"]


def test_a_saved_choice_is_kept_only_where_it_differs_from_the_known_names(group, user_for):
    user = user_for("samordnare")
    column_mapping.remember(group, "risks", risk_io.columns_for(group), {"titel": "title", "ansvar": "unit"}, user)
    assert column_mapping.saved(group, "risks") == {"ansvar": "unit"}
    column_mapping.remember(group, "risks", risk_io.columns_for(group), {"ansvar": ""}, user)
    assert column_mapping.saved(group, "risks") == {}
    assert column_mapping.saved(None, "risks") == {}


choice = st.one_of(st.sampled_from(["", "title", "unit", "kind", "cause"]), st.text(max_size=8))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    headers=st.lists(st.text(max_size=30), min_size=1, max_size=6),
    posted=st.dictionaries(st.sampled_from([f"column_{i}" for i in range(7)]), choice, max_size=7),
)
def test_any_header_and_any_choice_give_a_valid_mapping_or_an_error_never_an_exception(group, headers, posted):
    line = ";".join(h.replace(";", " ").replace("\n", " ").replace("\r", " ").replace('"', "") for h in headers)
    table = risk_io.parse_file(f"{line}\nA;B;C;D;E;F\n".encode(), "x.csv", group, header_only=True)
    columns = risk_io.columns_for(group)
    form = column_mapping.MappingForm(posted, table=table, columns=columns, required=risk_io.REQUIRED)
    if form.is_valid():
        chosen = form.chosen()
        fields = [f for f in chosen.values() if f]
        assert len(fields) == len(set(fields)) and {"title", "unit"} <= set(fields)
        assert set(fields) <= {c.field for c in columns}
        # What was chosen is what the next read of the file finds.
        again = tabular.parse_file(
            f"{line}\nA;B;C;D;E;F\n".encode(),
            "x.csv",
            columns,
            risk_io.REQUIRED,
            risk_io.NO_KNOWN_COLUMNS,
            mapping=chosen,
        )
        assert not again.needs_mapping
        assert set(again.columns) == set(fields)


# ---------------------------------------------------------------------------------------------
# The file's own words


@dataclass
class Words:
    url: str
    kind: str
    header: str
    row: str
    unknown: dict  # field → the word of the file
    meaning: dict  # field → the value chosen


WORDS = [
    Words(
        "incidents:import",
        "incidents",
        "datum;kategori;enhetskod;beskrivning;status",
        "2024-05-01;Skadegörelse på fordon;Tekniska kontoret;Sönderslagen ruta på bilen;Avslutat ärende",
        {"category": "Skadegörelse på fordon", "unit": "Tekniska kontoret", "status": "Avslutat ärende"},
        {"category": "vandalism", "unit": "TF", "status": "closed"},
    ),
    Words(
        "risks:import",
        "risks",
        "titel;typ;enhetskod",
        "Ras i bergrum;Fara för liv;Tekniska kontoret",
        {"kind": "Fara för liv", "unit": "Tekniska kontoret"},
        {"kind": "hazard", "unit": "TF"},
    ),
    Words(
        "documents:import",
        "documents",
        "typ;titel;enhetskod;beslutsdatum;beslutad av",
        "Arbetsinstruktion;Instruktion för kartotek;Fastighetsavdelningen;2024-01-10;Anders Hedlund",
        {"kind": "Arbetsinstruktion", "unit": "Fastighetsavdelningen"},
        {"kind": "instruction", "unit": "TF-FA"},
    ),
    Words(
        "organisation:import",
        "people",
        "enhetskod;enhetsnamn;överordnad enhetskod;nivå",
        "TF-NY;Nya verksamheten;TF;Verksamhetsområde",
        {"level": "Verksamhetsområde"},
        {"level": "activity"},
    ),
]


def _values_post(form, meaning: dict) -> dict:
    return {name: meaning[field] for name, field, _word, _rows, _label in form.items}


@pytest.mark.parametrize("case", WORDS, ids=[w.kind for w in WORDS])
def test_the_files_own_words_are_given_a_meaning_once(client_for, group, case):
    client = client_for("samordnare")
    data = f"{case.header}\n{case.row}\n".encode()
    response = client.post(reverse(case.url), {"action": "preview", "file": SimpleUploadedFile("x.csv", data)})
    plan = response.context["plan"]
    assert plan.refused and not plan.can_apply
    form = response.context["values_form"]
    assert form is not None
    assert {(field, word) for _n, field, word, _r, _l in form.items} == {
        (field, tabular.key(word)) for field, word in case.unknown.items()
    }
    assert "Words the import does not know" in response.content.decode()

    token = response.context["mapping_token"]
    response = client.post(reverse(case.url), {"action": "values", "token": token, **_values_post(form, case.meaning)})
    plan = response.context["plan"]
    assert plan.can_apply, [e.message for e in plan.errors]
    assert plan.translated == len(case.unknown)
    saved = column_mapping.saved_values(group, case.kind)
    assert {f: next(iter(words.values())) for f, words in saved.items()} == case.meaning

    # The next file with the same words is read with their meanings.
    response = client.post(reverse(case.url), {"action": "preview", "file": SimpleUploadedFile("y.csv", data)})
    assert response.context["values_form"] is None and response.context["plan"].translated == len(case.unknown)
    assert "read by the meanings saved" in response.content.decode()


def test_a_meaning_must_be_one_of_the_values_offered(client_for, group):
    case = WORDS[0]
    client = client_for("samordnare")
    data = f"{case.header}\n{case.row}\n".encode()
    response = client.post(reverse(case.url), {"action": "preview", "file": SimpleUploadedFile("x.csv", data)})
    form = response.context["values_form"]
    post = _values_post(form, {**case.meaning, "unit": "SOF-NOT-A-UNIT"})
    response = client.post(reverse(case.url), {"action": "values", "token": response.context["mapping_token"], **post})
    assert response.status_code == 200
    assert not ColumnMapping.objects.filter(group=group).exists()
    assert column_mapping.saved_values(group, case.kind) == {}
    assert "Choose the meanings from the lists." in response.content.decode()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    posted=st.dictionaries(
        st.sampled_from(
            [f"column_{i}" for i in range(4)]
            + ["column_x", "token", "value_0", "value_1", "value_0_parent", "value_0_level"]
        ),
        st.one_of(
            st.sampled_from(["", "title", "unit", "kind", "likelihood", "0" * 40, "+new", "TF", "SOF", "activity"]),
            st.text(max_size=10),
        ),
        max_size=6,
    ),
    rows=st.lists(st.sampled_from(["Ras;TF;Fara", "Skred;NOPE;Hot", ";;", "Brand;TF-FA;Okänt ord"]), max_size=4),
)
def test_any_mapping_post_gives_a_page_never_a_500_and_writes_nothing(client_for, group, posted, rows):
    client = client_for("samordnare")
    data = "\n".join(["Rubrik;Ansvar;Sort", *rows]).encode()
    before = Risk.objects.count()
    response = client.post(reverse("risks:import"), {"action": "preview", "file": SimpleUploadedFile("x.csv", data)})
    assert response.status_code == 200
    token = (response.context.get("mapping") or {}).get("token") or response.context.get("mapping_token") or ""
    for action in ("map", "values", "remap"):
        response = client.post(reverse("risks:import"), {"token": token, **posted, "action": action})
        assert response.status_code in (200, 302)
    assert Risk.objects.count() == before, "no step before the import writes a record"


# ---------------------------------------------------------------------------------------------
# Units the file names that the group does not have

NEW_UNIT_FILE = (
    b"datum;kategori;enhetskod;beskrivning\n"
    b"2024-05-01;brand;Nya Tallbackaskolan;Brand i papperskorg\n"
    b"2024-05-02;brand;Nya Tallbackaskolan;Brand i soprum\n"
)


def _new_unit_form(client):
    response = client.post(
        reverse("incidents:import"), {"action": "preview", "file": SimpleUploadedFile("x.csv", NEW_UNIT_FILE)}
    )
    form = response.context["values_form"]
    assert form is not None
    name = form.items[0][0]
    return response, form, name


def test_a_unit_the_file_names_can_be_created_from_the_dry_run(client_for, group, unit):
    from varna.organisation.models import OrgUnit

    client = client_for("samordnare")
    response, form, name = _new_unit_form(client)
    assert (column_mapping.NEW_UNIT, "A new unit “Nya Tallbackaskolan”") in form.fields[name].choices
    assert "A unit the group does not have yet can be created here" in response.content.decode()
    post = {
        "action": "values",
        "token": response.context["mapping_token"],
        name: column_mapping.NEW_UNIT,
        f"{name}_parent": "TF",
        f"{name}_level": "unit",
    }
    response = client.post(reverse("incidents:import"), post)
    created = OrgUnit.objects.get(group=group, name="Nya Tallbackaskolan")
    assert (created.parent, created.kind, created.code) == (unit("TF"), "unit", "NYA-TALLBACKASKOLAN")
    record = created.history.get()
    assert record.history_user.username == "samordnare" and "x.csv" in record.history_change_reason
    assert "New unit created: Nya Tallbackaskolan (NYA-TALLBACKASKOLAN)." in response.content.decode()
    plan = response.context["plan"]
    assert plan.can_apply and plan.translated == 2
    assert column_mapping.saved_values(group, "incidents") == {"unit": {"nya tallbackaskolan": "NYA-TALLBACKASKOLAN"}}


def test_a_new_unit_needs_a_place_and_a_level_the_user_manages(client_for, group):
    from varna.organisation.models import OrgUnit

    client = client_for("forvaltningssamordnare")  # manages Tekniska förvaltningen only
    before = OrgUnit.objects.count()
    response, form, name = _new_unit_form(client)
    token = response.context["mapping_token"]
    url = reverse("incidents:import")
    response = client.post(url, {"action": "values", "token": token, name: column_mapping.NEW_UNIT})
    assert "Choose the unit the new unit is placed under." in response.content.decode()
    assert "Choose the level of the new unit." in response.content.decode()
    # A unit outside the user's scope is not among the places offered.
    parents = dict(form.fields[f"{name}_parent"].choices)
    assert "TF" in parents and "SOF" not in parents
    token = response.context["mapping_token"]  # the file checked again waits under a new token
    post = {"action": "values", "token": token, name: column_mapping.NEW_UNIT, f"{name}_parent": "SOF"}
    response = client.post(url, {**post, f"{name}_level": "unit"})
    assert response.status_code == 200
    assert OrgUnit.objects.count() == before and column_mapping.saved_values(group, "incidents") == {}


def test_without_a_unit_to_manage_no_new_unit_is_offered(client_for, group):
    # The head registers incidents in their administration but manages no unit.
    _response, form, name = _new_unit_form(client_for("chef"))
    assert column_mapping.NEW_UNIT not in dict(form.fields[name].choices)
    assert list(form.fields) == [name]


def test_columns_of_the_same_name_cannot_be_read_by_a_saved_choice(group):
    # Found by the property test above: a choice saved by the name would read both columns.
    table = risk_io.parse_file(b"Titel;Ansvar;Ansvar\nA;TF;SOF\n", "x.csv", group, header_only=True)
    columns = risk_io.columns_for(group)
    posted = {"column_0": "title", "column_1": "unit"}
    form = column_mapping.MappingForm(posted, table=table, columns=columns, required=risk_io.REQUIRED)
    assert not form.is_valid()
    assert form.errors["column_1"] == ["Column C has the same name. Rename one of them in the file to import this one."]
