"""Role assignments imported from a file: dry run, all or nothing, within the importer's scope,
with the column and word mapping and the refused rows every import has."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from varna.core import column_mapping
from varna.core.models import Notification
from varna.organisation import role_import
from varna.organisation.models import Person, RoleAssignment

URL = reverse("organisation:role-import")
HEADER = "anställningsnummer;roll;enhetskod;giltig från;giltig till"


def _csv(*rows: str, header: str = HEADER) -> bytes:
    return "\n".join([header, *rows]).encode("utf-8")


def _upload(client, data: bytes, **options):
    return client.post(URL, {"action": "preview", "file": SimpleUploadedFile("roller.csv", data), **options})


def test_roles_are_imported_after_a_dry_run_with_history_and_a_notice(client_for, group, user_for):
    client = client_for("samordnare")
    data = _csv(
        "H1016;Förvaltningssamordnare;TF;2026-01-01;",  # Helena Björk: a second coordinator at TF
        "H1014;Dokumentägare;TF-FA-SV;;",
        "H1004;head;TF-GP;2026-02-01;2026-12-31",  # by key
    )
    response = _upload(client, data)
    assert response.status_code == 200
    counts = response.context["counts"]
    assert counts == {"added": 3, "refused": 0}
    page = response.content.decode()
    assert "Helena Björk" in page and "TF-FA-SV" in page
    assert not RoleAssignment.objects.filter(person__employee_number="H1016", role="security_coordinator").exists()

    before = Notification.objects.count()
    response = client.post(URL, {"action": "apply", "token": response.context["token"]}, follow=True)
    assert "3 role assignments were added" in response.content.decode()
    imported = RoleAssignment.objects.filter(source=RoleAssignment.Source.IMPORT)
    assert imported.count() == 3
    jonas = imported.get(person__employee_number="H1004")
    assert jonas.role == "head" and str(jonas.valid_to) == "2026-12-31"
    assert jonas.history.first().history_change_reason.startswith("Imported from file")
    # Jonas Berglund uses Värna (forvaltningssamordnare) and is told; the others have no login.
    assert Notification.objects.count() == before + 1
    assert Notification.objects.latest("pk").recipient == user_for("forvaltningssamordnare")


def test_rows_are_refused_with_the_reason_and_nothing_is_written(client_for, group):
    client = client_for("samordnare")
    data = _csv(
        "H1016;Förvaltningssamordnare;TF;;",
        "H9999;Chef;TF;;",  # no such person
        "H1014;Brandchef;TF;;",  # no such role
        "H1014;Chef;NOPE;;",  # no such unit
        "H1014;Chef;TF;2026-05-01;2026-04-01",  # ends before it starts
        "H1003;Chef;TF;;",  # Maria Sundin is already head of TF
        "H1016;Förvaltningssamordnare;TF;2027-01-01;",  # the same as row 2, overlapping
    )
    response = _upload(client, data)
    errors = {row.number: [e.message for e in row.errors] for row in response.context["plan"].refused}
    assert errors[3] == ["There is no person with the employee number H9999."]
    assert errors[4][0].startswith("Unknown role “Brandchef”")
    assert errors[5] == ["There is no unit with the code NOPE."]
    assert errors[6] == ["The end date cannot be before the start date."]
    assert errors[7] == ["Maria Sundin already has this role on Tekniska förvaltningen for an overlapping period."]
    assert errors[8] == ["The same role assignment is also on row 2."]
    assert 2 not in errors
    assert response.context["token"] is None
    assert not RoleAssignment.objects.filter(source=RoleAssignment.Source.IMPORT).exists()

    sheet = client.post(URL, {"action": "refused", "token": response.context["mapping_token"]})
    rows = list(openpyxl.load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True))
    assert len(rows) == 1 + 6 and rows[1][0] == "H9999"

    form = response.context["values_form"]
    assert {(field, word) for _n, field, word, _r, _l in form.items} == {("role", "brandchef"), ("unit", "nope")}


def test_an_administration_coordinator_gives_roles_only_within_the_administration(client_for, user_for):
    client = client_for("forvaltningssamordnare")  # Jonas Berglund manages TF
    response = _upload(client, _csv("H1016;Dokumentägare;TF-GP;;", "H1016;Dokumentägare;SOF;;"))
    errors = {row.number: [e.message for e in row.errors] for row in response.context["plan"].refused}
    assert errors == {3: ["You do not manage the unit SOF."]}
    assert response.context["counts"]["added"] == 1
    # A person he may not see is not found, with the same words as a person who does not exist.
    hidden = Person.objects.exclude(
        pk__in=Person.objects.restrict(user_for("forvaltningssamordnare"), "view").values("pk")
    ).exclude(employee_number="")
    number = hidden.first().employee_number
    response = _upload(client, _csv(f"{number};Dokumentägare;TF-GP;;"))
    messages = [e.message for e in response.context["plan"].errors]
    assert messages == [f"There is no person with the employee number {number}."]


@pytest.mark.parametrize("login", ["chef", "lasare", "medarbetare"])
def test_only_those_who_manage_a_unit_may_import_roles(client_for, login):
    assert client_for(login).get(URL).status_code == 403


def test_an_hr_system_export_is_read_with_its_own_names_and_words(client_for, group):
    client = client_for("samordnare")
    data = _csv("H1016;SäkSam;Tekniska", header="Personnr;Uppdrag;Org")
    response = _upload(client, data)
    token = response.context["mapping"]["token"]
    response = client.post(
        URL, {"action": "map", "token": token, "column_0": "employee_number", "column_1": "role", "column_2": "unit"}
    )
    form = response.context["values_form"]
    meanings = {"role": "security_coordinator", "unit": "TF"}
    post = {name: meanings[field] for name, field, _w, _r, _l in form.items}
    response = client.post(URL, {"action": "values", "token": response.context["mapping_token"], **post})
    assert response.context["plan"].can_apply
    assert column_mapping.saved_values(group, role_import.IMPORT_KIND) == {
        "role": {"säksam": "security_coordinator"},
        "unit": {"tekniska": "TF"},
    }
    client.post(URL, {"action": "apply", "token": response.context["token"]})
    assert RoleAssignment.objects.filter(person__employee_number="H1016", role="security_coordinator").exists()


def test_the_role_import_checks_with_a_constant_number_of_queries(group, user_for, django_assert_max_num_queries):
    rows = [f"H10{n:02d};Dokumentägare;TF;;" for n in range(1, 18)]
    table = role_import.parse_file(_csv(*rows), "x.csv", group)
    with django_assert_max_num_queries(12):
        plan = role_import.build_plan(table, group, user_for("samordnare"))
    assert len(plan.rows) == 17
