"""The restricted fields of incidents as a matrix: every demo login × own / other unit. Persons
involved and a resident's contact are shown exactly to roles cleared for classified records on
the incident's unit; changing needs "change" there; a reporter reads their own report only."""

import pytest
from django.test import Client
from django.urls import reverse

from varna.core.models import AccessLogEntry
from varna.incidents.models import Incident, InvolvedPerson
from varna.organisation.models import OrgUnit

from ..core.test_permission_matrix import SCOPES, allowed


@pytest.fixture
def incidents(group):
    made = {}
    for code in ("TF", "SOF"):
        unit = OrgUnit.objects.get(group=group, code=code)
        incident = Incident.objects.create(
            group=group,
            unit=unit,
            category="threat_violence",
            description="Hot i receptionen.",
            reporter_contact=f"kontakt-{code}@example.se",
        )
        InvolvedPerson.objects.create(incident=incident, role="victim", name=f"Skyddad Person {code}")
        made[code] = incident
    return made


@pytest.mark.parametrize("login", [*SCOPES, None])
@pytest.mark.parametrize("code", ["TF", "SOF"])
def test_persons_involved_are_shown_exactly_to_cleared_roles(client_for, group, incidents, login, code):
    incident = incidents[code]
    client = client_for(login) if login else Client()
    response = client.get(incident.get_absolute_url())
    if login is None:
        assert response.status_code == 302
        return
    may_view = allowed(login, "view", incident.unit)
    assert response.status_code == (200 if may_view else 404), login
    text = response.content.decode() if may_view else ""
    cleared = allowed(login, "classified", incident.unit)
    assert (f"Skyddad Person {code}" in text) == cleared, login
    assert (f"kontakt-{code}@example.se" in text) == cleared, login
    logged = AccessLogEntry.objects.filter(object_id=str(incident.pk), action="persons", user__username=login)
    assert logged.exists() == cleared
    # Adding a person needs change on the unit and the clearance.
    before = incident.persons.count()
    client.post(reverse("incidents:person-add", args=[incident.pk]), {"person-role": "witness", "person-name": "X"})
    added = incident.persons.count() - before
    assert added == (1 if cleared and allowed(login, "change", incident.unit) else 0), login


def test_a_reporter_reads_their_own_report_but_not_its_persons(client_for, group, user_for, incidents):
    incident = incidents["SOF"]
    Incident.objects.filter(pk=incident.pk).update(reported_by=user_for("medarbetare"))
    text = client_for("medarbetare").get(incident.get_absolute_url()).content.decode()
    assert "Hot i receptionen" in text and "Skyddad Person SOF" not in text
    edit = client_for("medarbetare").get(reverse("incidents:edit", args=[incident.pk]))
    assert edit.status_code == 404
