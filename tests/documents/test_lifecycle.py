"""A governing document's life: draft, consultation, decision, in force, review, revision, repeal."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from varna.core.dates import add_months
from varna.core.models import AccessLogEntry, Task
from varna.documents import services
from varna.documents.models import Decision, Document, NotificationDuty, Review, Status
from varna.organisation.models import Body, Person


@pytest.fixture
def coordinator(client_for):
    return client_for("samordnare")


def _create(client, unit, **extra):
    data = {"title": "Rutin för passerkort", "kind": "instruction", "unit": unit.pk, "classification": "internal"}
    data.update(extra)
    response = client.post(reverse("documents:create"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Document.objects.get(title=data["title"])


def test_the_whole_life_of_an_instruction(coordinator, unit, group):
    today = timezone.localdate()
    document = _create(coordinator, unit("TF-FA"), owner=Person.objects.get(last_name="Hedlund").pk)
    assert document.status == Status.DRAFT

    response = coordinator.post(reverse("documents:consultation", args=[document.pk]))
    assert "Write or upload the document" in coordinator.get(response["Location"]).content.decode()

    coordinator.post(
        reverse("documents:version-create", args=[document.pk]), {"text": "# Passerkort\n\nKort bärs synligt."}
    )
    coordinator.post(reverse("documents:consultation", args=[document.pk]))
    document.refresh_from_db()
    assert document.status == Status.CONSULTATION
    coordinator.post(
        reverse("documents:comment", args=[document.pk]),
        {"unit": unit("SOF").pk, "text": "Gäller det även hemtjänsten?"},
    )
    assert document.comments.get().unit == unit("SOF")
    coordinator.post(
        reverse("documents:version-create", args=[document.pk]),
        {"text": "# Passerkort\n\nKort bärs synligt, även i hemtjänsten.", "note": "Remissvar från SOF"},
    )
    assert document.versions.count() == 2

    # Instructions are decided by the head of the owner unit (Härjedalen's profile).
    hedlund = Person.objects.get(last_name="Hedlund")
    response = coordinator.post(
        reverse("documents:decision", args=[document.pk]),
        {
            "version": document.versions.get(number=2).pk,
            "person": hedlund.pk,
            "date": today,
            "expected_version": document.version,
        },
    )
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.status == Status.IN_FORCE and document.in_force_from == today
    assert document.next_review == add_months(today, 12)
    page = coordinator.get(document.get_absolute_url()).content.decode()
    assert "även i hemtjänsten" in page and "Anders Hedlund" in page

    # The review falls due: the daily job opens it with a task for the owner.
    document.next_review = today + datetime.timedelta(days=10)
    document.save()
    (review,) = services.open_due_reviews(today)
    task = Task.objects.get(owner=hedlund, subject_id=str(review.pk))
    assert task.state == "open" and task.due_date == review.due_date
    assert services.open_due_reviews(today) == []  # idempotent
    response = coordinator.post(
        reverse("documents:review-complete", args=[review.pk]), {"outcome": "no_change", "notes": "Aktuell."}
    )
    document.refresh_from_db()
    review.refresh_from_db()
    assert review.done_at == today and document.next_review == add_months(today, 12)
    task.refresh_from_db()
    assert task.state == "done"

    # A revision: the review stays open until the new version is decided.
    coordinator.post(reverse("documents:review-start", args=[document.pk]))
    review = document.reviews.get(done_at__isnull=True)
    coordinator.post(reverse("documents:review-complete", args=[review.pk]), {"outcome": "revised"})
    document.refresh_from_db()
    assert document.status == Status.UNDER_REVIEW
    coordinator.post(reverse("documents:version-create", args=[document.pk]), {"text": "# Passerkort\n\nNy version."})
    coordinator.post(
        reverse("documents:decision", args=[document.pk]),
        {
            "version": document.versions.get(number=3).pk,
            "person": hedlund.pk,
            "date": today,
            "expected_version": document.version,
        },
    )
    document.refresh_from_db()
    review.refresh_from_db()
    assert document.status == Status.IN_FORCE and review.outcome == Review.Outcome.REVISED
    assert document.decisions.count() == 2

    coordinator.post(reverse("documents:repeal", args=[document.pk]), {"version": document.version})
    document.refresh_from_db()
    assert document.status == Status.REPEALED and document.next_review is None
    assert document.history.count() >= 6


def test_a_decision_by_the_wrong_body_is_refused_with_the_rule(coordinator, unit, group):
    document = Document.objects.get(title__startswith="Kompletterande riktlinje om hot och våld")
    wrong = Body.objects.get(group=group, name="Tekniska nämnden")
    response = coordinator.post(
        reverse("documents:decision", args=[document.pk]),
        {
            "version": document.versions.first().pk,
            "body": wrong.pk,
            "date": timezone.localdate(),
            "expected_version": document.version,
        },
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "Tekniska nämnden cannot decide this" in text and "Committee" in text
    assert document.decisions.count() == 1


def test_a_future_decision_or_an_early_in_force_date_is_refused(coordinator, group):
    document = Document.objects.get(title="Instruktion för kameraövervakning")
    jonas_head = Person.objects.get(last_name="Sundin")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = coordinator.post(
        reverse("documents:decision", args=[document.pk]),
        {
            "version": document.versions.first().pk,
            "person": jonas_head.pk,
            "date": tomorrow,
            "expected_version": document.version,
        },
    )
    assert response.status_code == 200 and "the date is in the future" in response.content.decode()
    assert not document.decisions.exists()


def test_a_decision_with_a_later_in_force_date_waits(coordinator, group):
    document = Document.objects.get(title="Instruktion för kameraövervakning")
    sundin = Person.objects.get(last_name="Sundin")
    today = timezone.localdate()
    later = today + datetime.timedelta(days=14)
    coordinator.post(
        reverse("documents:decision", args=[document.pk]),
        {
            "version": document.versions.first().pk,
            "person": sundin.pk,
            "date": today,
            "in_force_from": later,
            "expected_version": document.version,
        },
    )
    document.refresh_from_db()
    assert document.status == Status.DECIDED
    assert services.put_in_force_due(today) == 0
    assert services.put_in_force_due(later) == 1
    document.refresh_from_db()
    assert document.status == Status.IN_FORCE


@pytest.mark.policy("HJ-11")
def test_deciding_a_supplementary_guideline_creates_a_notification_duty_to_the_board(coordinator, group):
    document = Document.objects.get(title__startswith="Kompletterande riktlinje om hot och våld")
    duty = NotificationDuty.objects.get(document=document)
    assert duty.body.kind == "executive_board" and duty.is_pending
    page = coordinator.get(document.get_absolute_url()).content.decode()
    assert "pending" in page
    response = coordinator.post(
        reverse("documents:duty-deliver", args=[duty.pk]),
        {"delivered_on": timezone.localdate(), "reference": "KS 2026/140 §12"},
    )
    assert response.status_code == 302
    duty.refresh_from_db()
    assert not duty.is_pending and duty.reference == "KS 2026/140 §12"


def test_a_delivery_cannot_predate_the_decision(coordinator, group):
    duty = NotificationDuty.objects.get(document__title__startswith="Kompletterande riktlinje om hot och våld")
    response = coordinator.post(reverse("documents:duty-deliver", args=[duty.pk]), {"delivered_on": "2020-01-01"})
    assert response.status_code == 200 and "before it is decided" in response.content.decode()


def test_content_changes_only_through_versions(coordinator, group):
    document = Document.objects.get(title="Riktlinjer för säkerhetsarbetet")
    version = document.versions.first()
    version.text = "ändrad"
    with pytest.raises(ValueError):
        version.save()


def test_a_stale_decision_form_is_refused(coordinator, client_for, group):
    document = Document.objects.get(title="Instruktion för kameraövervakning")
    sundin = Person.objects.get(last_name="Sundin")
    stale = document.version
    coordinator.post(
        reverse("documents:edit", args=[document.pk]),
        {
            "title": "Instruktion för kameraövervakning (rev)",
            "kind": document.kind,
            "unit": document.unit_id,
            "classification": "internal",
            "version": document.version,
        },
    )
    response = coordinator.post(
        reverse("documents:decision", args=[document.pk]),
        {
            "version": document.versions.first().pk,
            "person": sundin.pk,
            "date": timezone.localdate(),
            "expected_version": stale,
        },
    )
    assert response.status_code == 200 and "Someone else changed the document" in response.content.decode()
    assert not Decision.objects.filter(document=document).exists()


def test_a_document_cannot_be_placed_under_the_wrong_kind(coordinator, unit, group):
    instruction = Document.objects.get(title="Instruktion för nyckelhantering")
    response = coordinator.post(
        reverse("documents:create"),
        {
            "title": "Ny riktlinje",
            "kind": "guideline",
            "unit": unit("HK").pk,
            "parent": instruction.pk,
            "classification": "public",
        },
    )
    assert response.status_code == 200 and "is placed under a" in response.content.decode()


def test_classified_documents_are_hidden_and_their_reads_logged(client_for, group):
    standard = Document.objects.get(title="Standard för larm och passersystem")
    assert client_for("chef").get(standard.get_absolute_url()).status_code == 404
    assert standard.title not in client_for("chef").get(reverse("documents:list")).content.decode()
    assert client_for("forvaltningssamordnare").get(standard.get_absolute_url()).status_code == 200
    assert AccessLogEntry.objects.filter(object_id=str(standard.pk)).count() == 1


def test_the_register_filters_and_the_calendar(coordinator, unit, group):
    page = coordinator.get(reverse("documents:list"), {"typ": "supplementary_guideline"}).content.decode()
    assert "Kompletterande riktlinje om hot och våld" in page and "Riktlinjer för säkerhetsarbetet" not in page
    page = coordinator.get(reverse("documents:list"), {"granskning": "forsenad"}).content.decode()
    assert "Instruktion för nyckelhantering" in page and "Riktlinjer för säkerhetsarbetet" not in page
    page = coordinator.get(reverse("documents:list"), {"enhet": unit("SOF").pk}).content.decode()
    assert "hot och våld" in page and "nyckelhantering" not in page
    calendar = coordinator.get(reverse("documents:calendar")).content.decode()
    overdue = calendar.split('id="due-heading"')[0]
    assert "Instruktion för nyckelhantering" in overdue
    bad = coordinator.get(reverse("documents:list"), {"enhet": "x'; drop", "status": "nonsense", "sida": "999"})
    assert bad.status_code == 200


def test_search_finds_words_in_the_text_of_the_newest_version(coordinator, group):
    found = coordinator.get(reverse("documents:list"), {"q": "värdeskåp"}).content.decode()
    assert "Instruktion för nyckelhantering" in found and "Riktlinjer för säkerhetsarbetet" not in found
    assert (
        "Riktlinjer för säkerhetsarbetet"
        in coordinator.get(reverse("documents:list"), {"q": "KS 2023/88"}).content.decode()
    )


def test_search_understands_swedish_word_forms_on_postgresql(coordinator, group):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("Swedish stemming is PostgreSQL's full-text search")
    found = coordinator.get(reverse("documents:list"), {"q": "nycklar"}).content.decode()
    assert "Instruktion för nyckelhantering" in found  # "nycklar" is in its text, "nyckel" in the title
    found = coordinator.get(reverse("documents:list"), {"q": "riktlinjen"}).content.decode()
    assert "Riktlinjer för säkerhetsarbetet" in found


def test_a_document_is_replaced_by_another_and_stays_in_the_register(coordinator, group):
    old = Document.objects.get(title="Riktlinjer för säkerhetsarbetet")
    new = Document.objects.create(group=group, kind="guideline", title="Riktlinjer 2027", unit=old.unit)
    # Only a decided document or one in force can take its place.
    response = coordinator.post(reverse("documents:replace", args=[old.pk]), {"replaced_by": new.pk})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    version = services.add_version(new, None, text="# Nya riktlinjer")
    board = Body.objects.get(group=group, kind="executive_board")
    services.record_decision(
        new,
        version=version,
        body=board,
        person=None,
        date=timezone.localdate(),
        in_force_from=timezone.localdate(),
        record_number="KS 2026/200",
        user=None,
        expected_version=new.version,
    )
    response = coordinator.post(reverse("documents:replace", args=[old.pk]), {"replaced_by": new.pk})
    assert response.status_code == 302
    old.refresh_from_db()
    assert old.status == Status.REPLACED and old.replaced_by == new and old.next_review is None
    page = coordinator.get(old.get_absolute_url()).content.decode()
    assert "Riktlinjer 2027" in page
    assert coordinator.get(reverse("documents:replace", args=[old.pk])).status_code == 302  # not twice


def test_the_register_filters_by_area(db, client):
    from django.contrib.auth import get_user_model

    from varna.organisation.demo import load_demo
    from varna.organisation.profiles import load_profile

    load_demo(load_profile("ale"))
    client.force_login(get_user_model().objects.get(username="samordnare"))
    routines = Document.objects.filter(kind="routine")
    physical = [d for d in routines if "physical_security" in d.topics]
    other = [d for d in routines if "physical_security" not in d.topics]
    assert physical and other
    page = client.get(reverse("documents:list"), {"omrade": "physical_security"}).content.decode()
    assert all(d.title in page for d in physical) and not any(d.title in page for d in other)
