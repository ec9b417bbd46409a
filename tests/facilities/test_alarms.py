"""Alarms and access control (issue 13, third part): the register within the site's scope,
services and reviews recorded, events and the incident made of a real one, the false alarms
counted, the export, the daily tasks, the demo and the checks bound to AL-5."""

import datetime
import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from varna.core.forms import STALE_MESSAGE
from varna.core.models import AccessLogEntry, Notification, Task
from varna.core.obligations import Status, registry
from varna.facilities import alarm_jobs, obligations
from varna.facilities.models import AccessControlSystem, AccessReview, Alarm, AlarmEvent, Building, Site
from varna.incidents.models import Incident
from varna.organisation.demo import load_demo
from varna.organisation.profiles import load_profile

GROUND = "OSL 18 kap. 8 §"


def alarm_data(**extra):
    return {
        "kind": "intrusion",
        "name": "Inbrottslarm idrottshallen",
        "identifier": "NL-99001",
        "connected": "on",
        "receiving_centre": "Norrlarm larmcentral",
        "supplier": "Norrlarm Säkerhet AB",
        "installed_on": "2019-05-01",
        "service_interval_months": "12",
        "last_serviced_on": "",
        "classification": "internal",
        **extra,
    }


def building(group, site_code, code="A"):
    return Building.objects.get(site__group=group, site__code=site_code, code=code)


def logged(obj, action=None) -> int:
    entries = AccessLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)), object_id=str(obj.pk)
    )
    return entries.filter(action=action).count() if action else entries.count()


# The register ---------------------------------------------------------------------------------


@pytest.mark.policy("AL-5")
def test_an_alarm_is_registered_serviced_edited_and_deleted(client_for, group):
    """The alarms of physical security are kept per building, with their service (AL-5)."""
    client = client_for("chef")
    hall = building(group, "SVEG-SK", "B")
    response = client.post(reverse("facilities:alarm-create", args=[hall.pk]), alarm_data())
    assert response.status_code == 302
    alarm = Alarm.objects.get(identifier="NL-99001")
    assert response["Location"] == alarm.get_absolute_url()
    assert alarm.next_service_due is None and alarm.is_overdue

    response = client.post(
        reverse("facilities:alarm-service", args=[alarm.pk]), {"last_serviced_on": "2026-03-31", "version": 1}
    )
    assert response.status_code == 302
    alarm.refresh_from_db()
    assert alarm.last_serviced_on == datetime.date(2026, 3, 31)
    assert alarm.next_service_due == datetime.date(2027, 3, 31)
    client.post(reverse("facilities:alarm-service", args=[alarm.pk]), {"last_serviced_on": "2026-06-01", "version": 2})
    page = client.get(alarm.get_absolute_url()).content.decode()
    assert "2026-03-31" in page and "2026-06-01" in page  # the earlier service is kept

    data = alarm_data(name="Inbrottslarm hallen", service_interval_months="6", last_serviced_on="2026-06-01")
    response = client.post(reverse("facilities:alarm-edit", args=[alarm.pk]), {**data, "version": 3})
    assert response.status_code == 302
    alarm.refresh_from_db()
    assert alarm.name == "Inbrottslarm hallen" and alarm.next_service_due == datetime.date(2026, 12, 1)

    # A building with alarms is not deleted: its alarms go first.
    assert client.post(reverse("facilities:building-delete", args=[hall.pk])).status_code == 409
    assert client.post(reverse("facilities:alarm-delete", args=[alarm.pk])).status_code == 302
    assert not Alarm.objects.filter(pk=alarm.pk).exists()


def test_the_site_and_building_pages_show_their_alarms(client_for, group):
    site = Site.objects.get(group=group, code="SVEG-SK")
    page = client_for("chef").get(site.get_absolute_url()).content.decode()
    assert "Inbrottslarm huvudbyggnad" in page and "Brandlarm huvudbyggnad" in page
    page = client_for("chef").get(building(group, "KOMMUNHUS", "A").get_absolute_url()).content.decode()
    assert reverse("facilities:alarm-create", args=[building(group, "KOMMUNHUS", "A").pk]) in page
    page = client_for("chef").get(Site.objects.get(group=group, code="KOMMUNHUS").get_absolute_url()).content.decode()
    assert "Passersystem kommunhuset" in page
    # The classified building's alarm is not named to a role not cleared for it.
    assert "Temperaturlarm serverrum" not in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("identifier", "NL-10231", "Another alarm already has the identifier NL-10231."),
        ("identifier", "nl-10231", "Another alarm already has the identifier nl-10231."),
        ("receiving_centre", "", "Name the alarm receiving centre the alarm is connected to."),
        ("service_interval_months", "0", "Give an interval of 1 to 120 months."),
        ("service_interval_months", "121", "Give an interval of 1 to 120 months."),
        ("service_interval_months", "99999999999", None),
        ("last_serviced_on", "2999-01-01", "A service cannot be recorded in the future."),
        ("last_serviced_on", "2019-01-01", "The alarm cannot have been serviced before it was installed."),
        ("last_serviced_on", "31/02/2026", None),
        ("kind", "earthquake", None),
        ("name", "", None),
    ],
)
def test_bad_alarm_input_is_an_error_at_the_field(client_for, group, field, value, message):
    hall = building(group, "SVEG-SK", "B")
    response = client_for("chef").post(reverse("facilities:alarm-create", args=[hall.pk]), alarm_data(**{field: value}))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    if message:
        assert escape(message) in response.content.decode()


def test_a_stale_edit_is_refused(client_for, group):
    alarm = Alarm.objects.get(identifier="NL-10231")
    url = reverse("facilities:alarm-service", args=[alarm.pk])
    assert client_for("chef").post(url, {"last_serviced_on": "2026-01-02", "version": 1}).status_code == 302
    response = client_for("forvaltningssamordnare").post(url, {"last_serviced_on": "2026-01-03", "version": 1})
    assert response.status_code == 200 and escape(str(STALE_MESSAGE)) in response.content.decode()
    alarm.refresh_from_db()
    assert alarm.last_serviced_on == datetime.date(2026, 1, 2)


def test_the_list_filters_and_stays_in_scope(client_for, group):
    client = client_for("chef")
    names = lambda response: [a.identifier for a in response.context["page"]]  # noqa: E731
    everything = names(client.get(reverse("facilities:alarms")))
    assert "NL-10231" in everything and "GL-OF-1" not in everything  # Gläntan is SOF's
    assert "KH-TL-1" not in everything  # classified building, chef not cleared
    assert names(client.get(reverse("facilities:alarms"), {"typ": "fire"})) == ["NL-10232"]
    assert "NL-10410" in names(client.get(reverse("facilities:alarms"), {"forsenad": "1"}))
    assert "NL-10231" not in names(client.get(reverse("facilities:alarms"), {"forsenad": "1"}))
    assert names(client.get(reverse("facilities:alarms"), {"q": "förskolan"})) == ["NL-10410"]
    assert names(client_for("lasare").get(reverse("facilities:alarms"), {"ansluten": "nej"})) == ["GL-OF-1"]
    cleared = names(client_for("forvaltningssamordnare").get(reverse("facilities:alarms")))
    assert "KH-TL-1" in cleared


def test_a_classified_alarm_answers_404_outside_and_is_logged_inside(client_for, group):
    alarm = Alarm.objects.get(identifier="KH-TL-1")
    assert client_for("chef").get(alarm.get_absolute_url()).status_code == 404
    assert client_for("lasare").get(alarm.get_absolute_url()).status_code == 404
    assert client_for("forvaltningssamordnare").get(alarm.get_absolute_url()).status_code == 200
    assert logged(alarm, "view") == 1


def test_a_reader_cannot_change(client_for, group):
    alarm = Alarm.objects.get(identifier="GL-OF-1")
    client = client_for("lasare")
    assert client.get(alarm.get_absolute_url()).status_code == 200
    assert client.get(reverse("facilities:alarm-edit", args=[alarm.pk])).status_code == 404
    assert client.post(reverse("facilities:alarm-delete", args=[alarm.pk])).status_code == 404
    assert client.post(reverse("facilities:alarm-event-create", args=[alarm.pk]), {}).status_code == 404
    assert "Record a service" not in client.get(alarm.get_absolute_url()).content.decode()


def test_the_export_holds_what_the_list_shows(client_for, group):
    from openpyxl import load_workbook

    response = client_for("chef").get(reverse("facilities:alarm-export"), {"typ": "intrusion"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    identifiers = [row[4] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sorted(identifiers) == ["NL-10231", "NL-10410"]
    false_alarms = {row[4]: row[12] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert false_alarms["NL-10231"] == 2


# Events and incidents -------------------------------------------------------------------------


def test_false_alarms_of_the_last_year_are_counted(client_for, group):
    alarm = Alarm.objects.get(identifier="NL-10231")
    AlarmEvent.objects.create(
        alarm=alarm, kind="false_alarm", occurred_at=timezone.now() - datetime.timedelta(days=400)
    )
    response = client_for("chef").get(alarm.get_absolute_url())
    assert response.context["false_alarms"] == 2


def test_a_real_alarm_becomes_an_incident(client_for, group):
    alarm = Alarm.objects.get(identifier="NL-10231")
    client = client_for("chef")
    when = (timezone.localtime() - datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("facilities:alarm-event-create", args=[alarm.pk]),
        {"occurred_at": when, "kind": "real", "cause": "Krossad ruta i entrén", "incident": "1"},
    )
    event = alarm.events.get(cause="Krossad ruta i entrén")
    incident = event.incident
    assert incident is not None and response["Location"] == incident.get_absolute_url()
    assert incident.category == "burglary" and incident.unit == alarm.building.site.unit
    assert "Krossad ruta i entrén" in incident.description
    # Reported through the incidents' service: the responders are told.
    assert Notification.objects.filter(url=incident.get_absolute_url()).exists()

    # An earlier real event without an incident gets one from the alarm's page.
    earlier = alarm.events.get(kind="real", incident=None)
    assert client.post(reverse("facilities:alarm-event-incident", args=[earlier.pk])).status_code == 302
    earlier.refresh_from_db()
    assert earlier.incident_id and Incident.objects.filter(pk=earlier.incident_id).exists()
    # A false alarm does not.
    false = alarm.events.filter(kind="false_alarm").first()
    client.post(reverse("facilities:alarm-event-incident", args=[false.pk]))
    false.refresh_from_db()
    assert false.incident_id is None


def test_an_event_in_the_future_is_an_error_at_the_field(client_for, group):
    alarm = Alarm.objects.get(identifier="NL-10231")
    when = (timezone.localtime() + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client_for("chef").post(
        reverse("facilities:alarm-event-create", args=[alarm.pk]), {"occurred_at": when, "kind": "real"}
    )
    assert response.status_code == 200 and "occurred_at" in response.context["form"].errors


# Access control -------------------------------------------------------------------------------


@pytest.mark.policy("AL-5")
def test_an_access_review_is_recorded_and_closes_its_task(client_for, group, unit):
    client = client_for("chef")
    site = Site.objects.get(group=group, code="SVEG-SK")
    jonas = site.contact
    response = client.post(
        reverse("facilities:access-system-create", args=[site.pk]),
        {
            "name": "Passersystem Svegs skola",
            "supplier": "Norrlarm Säkerhet AB",
            "administrators": [jonas.pk],
            "review_interval_months": "3",
            "classification": "internal",
        },
    )
    assert response.status_code == 302
    system = AccessControlSystem.objects.get(name="Passersystem Svegs skola")
    assert list(system.administrators.all()) == [jonas] and system.review_overdue

    alarm_jobs.run_daily()
    task = Task.objects.get(subject_id=str(system.pk), subject_type__model="accesscontrolsystem")
    assert task.owner == jonas and task.state == Task.State.OPEN
    alarm_jobs.run_daily()
    assert Task.objects.filter(subject_id=str(system.pk), subject_type__model="accesscontrolsystem").count() == 1

    url = reverse("facilities:access-review-create", args=[system.pk])
    response = client.post(url, {"reviewed_on": "2026-01-10", "outcome": "rights_removed", "rights_removed": "0"})
    assert response.status_code == 200 and "rights_removed" in response.context["form"].errors
    response = client.post(url, {"reviewed_on": "2999-01-10", "outcome": "no_remarks", "rights_removed": "0"})
    assert "reviewed_on" in response.context["form"].errors
    today = timezone.localdate()
    response = client.post(
        url, {"reviewed_on": today.isoformat(), "outcome": "rights_removed", "rights_removed": "4", "reviewed_by": ""}
    )
    assert response.status_code == 302
    system.refresh_from_db()
    assert system.last_reviewed_on == today and not system.review_overdue
    task.refresh_from_db()
    assert task.state == Task.State.DONE
    assert AccessReview.objects.get(system=system).rights_removed == 4


def test_the_daily_job_opens_one_service_task_for_the_contact(group):
    alarm_jobs.run_daily()
    overdue = Alarm.objects.get(identifier="NL-10231")
    # Serviced 120 days ago: not due within 30 days, no task.
    assert not Task.objects.filter(subject_id=str(overdue.pk), subject_type__model="alarm").exists()
    Alarm.objects.filter(pk=overdue.pk).update(next_service_due=timezone.localdate() + datetime.timedelta(days=10))
    counts = alarm_jobs.run_daily()
    assert counts["alarm_service_tasks"] == 1
    task = Task.objects.get(subject_id=str(overdue.pk), subject_type__model="alarm")
    assert task.owner == overdue.building.site.contact
    assert alarm_jobs.run_daily()["alarm_service_tasks"] == 0


def test_a_task_never_names_a_classified_alarm(group):
    alarm = Alarm.objects.get(identifier="KH-TL-1")
    site = alarm.building.site
    from varna.organisation.models import Person

    site.contact = Person.objects.get(group=group, first_name="Maria", last_name="Sundin")
    site.save()
    Alarm.objects.filter(pk=alarm.pk).update(next_service_due=None)
    alarm_jobs.run_daily()
    task = Task.objects.get(subject_id=str(alarm.pk), subject_type__model="alarm")
    assert "Temperaturlarm" not in task.title and "KH-TL-1" not in task.title


# Checks ----------------------------------------------------------------------------------------


@pytest.mark.policy("AL-5")
def test_alarms_serviced_lists_the_overdue_within_the_readers_scope(group):
    from django.contrib.auth import get_user_model

    from varna.core.obligations import visible_evidence
    from varna.core.permissions import get_access

    result = obligations.alarms_serviced(group, group.profile)
    assert result.status == Status.NOT_MET
    labels = [e.label for e in result.evidence]
    assert any("Inbrottslarm förskolan" in label for label in labels)
    lasare = get_access(get_user_model().objects.get(username="lasare"))
    assert visible_evidence(result, lasare).evidence == []  # SOF's reader sees none of TF's

    Alarm.objects.filter(building__site__group=group).update(next_service_due=timezone.localdate())
    assert obligations.alarms_serviced(group, group.profile).status == Status.MET
    Alarm.objects.filter(building__site__group=group).delete()
    assert obligations.alarms_serviced(group, group.profile).status == Status.NOT_CHECKABLE
    assert obligations.alarms_serviced(group, group.profile, require=True).status == Status.NOT_MET


@pytest.mark.policy("AL-5")
def test_access_rights_reviewed(group):
    result = obligations.access_rights_reviewed(group, group.profile)
    assert result.status == Status.NOT_MET  # quarterly, last reviewed 120 days ago
    assert [e.label for e in result.evidence] == ["Passersystem kommunhuset (Kommunhuset i Sveg)"]
    AccessControlSystem.objects.filter(site__group=group).update(next_review_due=timezone.localdate())
    assert obligations.access_rights_reviewed(group, group.profile).status == Status.MET
    AccessControlSystem.objects.filter(site__group=group).delete()
    assert obligations.access_rights_reviewed(group, group.profile).status == Status.NOT_CHECKABLE


@pytest.mark.policy("AL-5")
def test_ale_binds_the_checks_to_al5():
    profile = load_profile("ale")
    al5 = next(o for o in profile.obligations if o["id"] == "AL-5")
    checks = {c["check"] for c in al5["checks"]}
    assert {"alarms_serviced", "access_rights_reviewed"} <= checks
    assert registry.validate({"check": "alarms_serviced", "require": "yes"}, {})


# Demo ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["ale", "karlskrona"])
def test_every_profile_demo_has_alarms_one_overdue_and_a_reviewed_system(db, name):
    group, _passwords = load_demo(load_profile(name))
    alarms = Alarm.objects.in_group(group)
    assert alarms.filter(connected=True).exists() and alarms.overdue().exists()
    assert alarms.exclude(pk__in=alarms.overdue()).exists()  # not everything overdue
    assert AccessReview.objects.filter(system__site__group=group).exists()


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("site: SVEG-UGG, building: A,", "site: NOPE, building: A,", "'NOPE' is not declared"),
        ("site: SVEG-UGG, building: A,", "site: SVEG-UGG, building: Q,", "'Q' is not declared"),
        ("identifier: NL-10232,", "identifier: NL-10231,", "'NL-10231' is declared twice"),
        ("kind: assault,", "kind: earthquake,", "'earthquake' is not one of"),
        ("administrators: [Anders Hedlund]", "administrators: [Nils Holgersson]", "'Nils Holgersson' is not declared"),
        (
            "identifier: GL-OF-1,",
            "identifier: GL-OF-1, connected: true,",
            "a connected alarm names its receiving centre",
        ),
        (
            "classification: classified, classification_ground: OSL 18 kap. 8 §}",
            "classification: classified}",
            "a classified record needs its legal ground",
        ),
    ],
)
def test_a_wrong_demo_alarm_is_refused_with_its_line(old, new, expected):
    from varna.organisation.profiles import BUILTIN_DIR, parse_profile
    from varna.organisation.schema import ProfileError

    text = (BUILTIN_DIR / "harjedalen.yaml").read_text(encoding="utf-8")
    start = text.index("\n    alarms:\n")
    head, section = text[:start], text[start:]
    assert old in section
    with pytest.raises(ProfileError) as caught:
        parse_profile(head + section.replace(old, new, 1), "harjedalen.yaml")
    assert any(expected in error for error in caught.value.errors), caught.value.errors
