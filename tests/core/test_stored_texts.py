"""Stored texts and choices name only what their reader may read (issue 10, found by the marker
crawl): a notification, its e-mail and a task title are listed without a scope check or an
access log, so they never name a classified record, and name any other record only to a
recipient who may read it; a form offers only the records its user may read."""

import datetime
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from varna.core.links import CLASSIFIED_IN_MESSAGE, HIDDEN_IN_MESSAGE
from varna.core.models import AccessLogEntry, Notification, Task
from varna.documents.models import Document
from varna.incidents.models import Incident
from varna.insurance.models import InsurancePolicy
from varna.organisation.models import Person
from varna.risks import services
from varna.risks.models import Analysis, Measure, Risk

CLASSIFIED = {"classification": "classified", "classification_ground": "OSL 18 kap. 8 §"}


def _risk(group, unit, owner, title, **extra):
    return Risk.objects.create(group=group, unit=unit, owner=owner, title=title, **extra)


def test_a_done_measure_is_not_named_to_a_risk_owner_who_may_not_read_it(group, unit, user_for):
    chef = Person.objects.get(user=user_for("chef"))  # reads TF, not SOF
    risk = _risk(group, unit("TF"), chef, "Översvämning i pumpstationen")
    measure = Measure.objects.create(group=group, unit=unit("SOF"), title="Reservkraft på äldreboendet")
    measure.risks.add(risk)

    services.complete_measure(measure, user=None, expected_version=measure.version)

    notice = Notification.objects.get(recipient=chef.user, url=risk.get_absolute_url())
    assert measure.title not in notice.subject + notice.body
    assert str(HIDDEN_IN_MESSAGE) in notice.body
    assert risk.title in notice.subject  # the risk is chef's own: named
    task = Task.objects.get(owner=chef, subject_id=str(risk.pk))
    assert task.title == f"Re-assess the risk: {risk.title}"


def test_a_classified_risk_is_named_in_no_task_or_notification(group, unit, user_for):
    cleared = Person.objects.get(user=user_for("forvaltningssamordnare"))  # cleared for TF
    risk = _risk(group, unit("TF"), cleared, "Sabotage mot vattenverket", **CLASSIFIED)
    measure = Measure.objects.create(group=group, unit=unit("TF"), title="Skalskydd vid vattenverket", **CLASSIFIED)
    measure.risks.add(risk)

    services.complete_measure(measure, user=None, expected_version=measure.version)

    task = Task.objects.get(owner=cleared, subject_id=str(risk.pk))
    notice = Notification.objects.get(recipient=cleared.user, url=risk.get_absolute_url())
    for text in (task.title, notice.subject, notice.body):
        assert risk.title not in text and measure.title not in text
    assert task.title == f"Re-assess the risk: {CLASSIFIED_IN_MESSAGE}"
    # The owner still gets there: the link leads to the risk, which checks and logs the read.
    assert task.url == risk.get_absolute_url()


def test_an_expired_acceptance_task_does_not_name_a_classified_risk(group, unit, user_for):
    from varna.risks.models import RiskAcceptance

    cleared = Person.objects.get(user=user_for("forvaltningssamordnare"))
    risk = _risk(group, unit("TF"), cleared, "Intrång i driftcentralen", status=Risk.State.ACCEPTED, **CLASSIFIED)
    today = timezone.localdate()
    RiskAcceptance.objects.create(
        risk=risk,
        accepted_by=cleared,
        role="head",
        reason="Kostnaden står inte i proportion",
        level=6,
        zone="medium",
        accepted_on=today - datetime.timedelta(days=400),
        expires_on=today - datetime.timedelta(days=1),
    )

    services.expire_acceptances(today)

    task = Task.objects.get(owner=cleared, subject_id=str(risk.pk))
    assert risk.title not in task.title and task.title.endswith(str(CLASSIFIED_IN_MESSAGE))


def test_the_investigation_offers_only_policies_the_investigator_may_read(group, unit, user_for, client_for):
    own = InsurancePolicy.objects.create(
        group=group, unit=unit("TF"), name="Fordonsförsäkring TF", insurer="Kommunassurans", valid_from="2026-01-01"
    )
    other = InsurancePolicy.objects.create(
        group=group, unit=unit("SOF"), name="Ansvarsförsäkring SOF", insurer="Kommunassurans", valid_from="2026-01-01"
    )
    incident = Incident.objects.create(
        group=group, unit=unit("TF"), category="fire", occurred_at=timezone.now(), description="Brand i förråd"
    )
    url = reverse("incidents:edit", args=[incident.pk])

    page = client_for("chef").get(url).content.decode()
    assert own.name in page and other.name not in page

    # A policy linked by someone who reads it stays linked, masked, when chef saves.
    Incident.objects.filter(pk=incident.pk).update(insurance_policy=other)
    page = client_for("chef").get(url).content.decode()
    assert other.name not in page and "A record you may not see" in page
    assert other.name in client_for("samordnare").get(url).content.decode()


def test_the_decision_offers_the_people_the_user_may_read_and_the_policy_names(group, unit, user_for, client_for):
    chef = Person.objects.get(user=user_for("chef"))
    stranger = Person.objects.create(group=group, unit=unit("SOF"), first_name="Sigrid", last_name="Utanförsson")
    document = Document.objects.create(group=group, kind="instruction", title="Rutin för snöröjning", unit=unit("TF"))
    from varna.documents import services as document_services
    from varna.documents.services import allowed_people

    document_services.add_version(document, user_for("chef"), text="# Rutin", note="Första")
    page = client_for("chef").get(reverse("documents:decision", args=[document.pk])).content.decode()
    assert stranger.last_name not in page
    assert chef.last_name in page
    for person in allowed_people(document):  # whoever the policy names as decider is offered
        assert person.last_name in page


def test_a_classified_analysis_offered_in_the_filters_is_a_logged_read(group, unit, user_for, client_for):
    analysis = Analysis.objects.create(
        group=group, unit=unit("TF"), kind=Analysis.Kind.UNIT, title="Sårbarheter i ledningsnätet", **CLASSIFIED
    )
    for name in ("risks:list", "risks:matrix"):
        AccessLogEntry.objects.all().delete()
        page = client_for("forvaltningssamordnare").get(reverse(name)).content.decode()
        assert analysis.title in page
        assert AccessLogEntry.objects.filter(object_id=str(analysis.pk), user=user_for("forvaltningssamordnare"))
        assert analysis.title not in client_for("chef").get(reverse(name)).content.decode()


def test_an_overdue_measure_reminder_names_the_measure_only_if_it_is_not_classified(group, unit, user_for):
    from varna.risks.jobs import remind_overdue_measures

    owner = Person.objects.get(user=user_for("forvaltningssamordnare"))
    late = timezone.localdate() - datetime.timedelta(days=10)
    plain = Measure.objects.create(group=group, unit=unit("TF"), title="Byt lås", owner=owner, due_date=late)
    secret = Measure.objects.create(
        group=group,
        unit=unit("TF"),
        title="Förstärk skalskyddet",
        owner=owner,
        due_date=late,
        cost_estimate=Decimal(1),
        **CLASSIFIED,
    )

    remind_overdue_measures(timezone.localdate())

    subjects = set(Notification.objects.filter(recipient=owner.user).values_list("subject", flat=True))
    assert f"Measure overdue: {plain.title}" in subjects
    assert f"Measure overdue: {CLASSIFIED_IN_MESSAGE}" in subjects
    assert not any(secret.title in s for s in subjects)
