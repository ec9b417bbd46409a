import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from varna.core.models import Notification
from varna.organisation.models import OrgUnit, Person, RoleAssignment


def test_paths_give_the_subtree_in_one_query(group, unit, django_assert_num_queries):
    tf = unit("TF")
    with django_assert_num_queries(1):
        codes = sorted(OrgUnit.objects.subtree(tf).values_list("code", flat=True))
    assert codes == ["TF", "TF-FA", "TF-FA-FU", "TF-FA-SV", "TF-GP"]


def test_moving_a_unit_moves_its_subtree(client_for, unit):
    fa = unit("TF-FA")
    response = client_for("samordnare").post(
        reverse("organisation:unit-edit", args=[fa.pk]),
        {
            "name": fa.name,
            "code": fa.code,
            "kind": fa.kind,
            "parent": unit("KLF").pk,
            "responsible_body": "",
            "version": fa.version,
        },
    )
    assert response.status_code == 302
    sveg = unit("TF-FA-SV")
    assert sveg.path.startswith(unit("KLF").path) and sveg.depth == 3
    assert "TF-FA-SV" not in OrgUnit.objects.subtree(unit("TF")).values_list("code", flat=True)


def test_a_unit_cannot_be_moved_under_itself(client_for, unit):
    tf = unit("TF")
    response = client_for("samordnare").post(
        reverse("organisation:unit-edit", args=[tf.pk]),
        {"name": tf.name, "code": tf.code, "kind": tf.kind, "parent": unit("TF-FA").pk, "version": tf.version},
    )
    assert response.status_code == 200
    assert "cannot be moved under itself" in response.content.decode()
    assert unit("TF").parent == unit("HK")


def test_a_coordinator_can_add_a_role_in_their_unit_but_not_in_another(client_for, unit, group):
    person = Person.objects.get(group=group, last_name="Wallin")
    client = client_for("forvaltningssamordnare")
    form = {"person": person.pk, "role": "key_administrator", "unit": unit("TF-FA-SV").pk, "valid_from": "2026-01-01"}
    assert client.post(reverse("organisation:role-create"), form).status_code == 302
    assert RoleAssignment.objects.filter(person=person, role="key_administrator").exists()
    # The person is told, in the app and (by the worker) by e-mail.
    notification = Notification.objects.get(recipient=person.user)
    assert "key administrator" in notification.subject and "Jonas Berglund" in notification.body

    form["unit"] = unit("SOF").pk
    response = client.post(reverse("organisation:role-create"), form)
    assert response.status_code == 200  # refused next to the field
    assert not RoleAssignment.objects.filter(person=person, unit=unit("SOF")).exists()


def test_role_validity_dates_are_checked(client_for, unit, group):
    person = Person.objects.get(group=group, last_name="Wallin")
    response = client_for("samordnare").post(
        reverse("organisation:role-create"),
        {
            "person": person.pk,
            "role": "reader",
            "unit": unit("TF").pk,
            "valid_from": "2026-05-01",
            "valid_to": "2026-04-01",
        },
    )
    assert response.status_code == 200
    assert "cannot be before the start date" in response.content.decode()


def test_overlapping_duplicate_role_is_refused(client_for, unit, group):
    jonas = Person.objects.get(group=group, last_name="Berglund")
    response = client_for("samordnare").post(
        reverse("organisation:role-create"),
        {"person": jonas.pk, "role": "security_coordinator", "unit": unit("TF").pk, "valid_from": "2026-01-01"},
    )
    assert response.status_code == 200
    assert "overlapping period" in response.content.decode()


def test_ending_a_role_today_keeps_it_in_history(client_for, unit):
    assignment = RoleAssignment.objects.get(unit=unit("TF"), role="security_coordinator")
    response = client_for("samordnare").post(reverse("organisation:role-end", args=[assignment.pk]))
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.valid_to == timezone.localdate() and assignment.version == 2
    assert assignment.history.count() == 2
    assert (
        not RoleAssignment.objects.current(timezone.localdate() + datetime.timedelta(days=1))
        .filter(pk=assignment.pk)
        .exists()
    )


def test_a_stale_form_is_refused_and_nothing_is_overwritten(client_for, group):
    person = Person.objects.get(group=group, last_name="Wallin")
    url = reverse("organisation:person-edit", args=[person.pk])
    base = {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "unit": person.unit_id,
        "title": person.title,
        "email": person.email,
        "version": person.version,
    }
    first, second = client_for("samordnare"), client_for("chef")
    assert first.post(url, {**base, "title": "Drifttekniker"}).status_code == 302
    response = second.post(url, {**base, "title": "Vaktmästare"})
    assert response.status_code == 200
    assert "Someone else saved this record" in response.content.decode()
    person.refresh_from_db()
    assert person.title == "Drifttekniker" and person.version == 2


def test_history_shows_who_changed_what(client_for, group):
    person = Person.objects.get(group=group, last_name="Wallin")
    client = client_for("samordnare")
    client.post(
        reverse("organisation:person-edit", args=[person.pk]),
        {"first_name": "Oskar", "last_name": "Wallin", "unit": person.unit_id, "title": "Drifttekniker", "version": 1},
    )
    page = client.get(reverse("organisation:person", args=[person.pk])).content.decode()
    assert "Karin Nordqvist" in page and "Fastighetsskötare" in page and "Drifttekniker" in page


def test_a_person_need_not_be_a_user(client_for, unit):
    response = client_for("forvaltningssamordnare").post(
        reverse("organisation:person-create"),
        {"first_name": "Ny", "last_name": "Person", "unit": unit("TF-GP").pk, "employee_number": "A-100"},
    )
    assert response.status_code == 302
    person = Person.objects.get(employee_number="A-100")
    assert person.user is None


def test_duplicate_employee_number_is_refused_in_swedish_place(client_for, unit, group):
    Person.objects.filter(last_name="Wallin").update(employee_number="A-1")
    response = client_for("samordnare").post(
        reverse("organisation:person-create"),
        {"first_name": "Ny", "last_name": "Person", "unit": unit("TF").pk, "employee_number": "A-1"},
    )
    assert response.status_code == 200
    assert "already has employee number" in response.content.decode()


@pytest.mark.parametrize("bad", ["abc", "2026-13-01"])
def test_bad_dates_give_a_form_error_not_a_500(client_for, unit, bad):
    response = client_for("samordnare").post(
        reverse("organisation:person-create"),
        {"first_name": "Ny", "last_name": "Person", "unit": unit("TF").pk, "employment_start": bad},
    )
    assert response.status_code == 200
