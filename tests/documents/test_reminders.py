"""The daily job of the governing documents: in force on the date, reviews opened with a task,
reminders before the due date and while overdue, nothing sent twice."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from varna.core.jobs import schedule
from varna.core.models import Notification, ScheduledJobRun, Task
from varna.documents import jobs
from varna.documents.models import Document, Review, Status

# The worker closes obsolete connections between jobs, so these tests use real transactions
# (see tests/core/test_jobs_and_health.py).
worker_test = pytest.mark.django_db(transaction=True)


@pytest.fixture
def quiet(demo):
    """The demo without open reviews or tasks, and every review far ahead: each test sets the
    dates it is about, so that the tests do not depend on the day they run."""
    Review.objects.all().delete()
    Task.objects.all().delete()
    Document.objects.filter(next_review__isnull=False).update(
        next_review=timezone.localdate() + datetime.timedelta(days=400)
    )
    return demo


def _due(title_start: str, days: int) -> Document:
    document = Document.objects.get(title__startswith=title_start)
    Document.objects.filter(pk=document.pk).update(next_review=timezone.localdate() + datetime.timedelta(days=days))
    document.refresh_from_db()
    return document


def _run_worker_again_the_same_day():
    ScheduledJobRun.objects.all().delete()  # as if the schedule were run twice the same day
    call_command("run_worker", once=True)


def test_the_job_is_scheduled_daily():
    task, interval = schedule()["document_review_reminders"]
    assert task is jobs.review_reminders and interval == datetime.timedelta(days=1)


@worker_test
def test_the_owner_is_reminded_before_the_review_falls_due_once(quiet, user_for):
    document = _due("Riktlinjer för säkerhetsarbetet", 20)  # owner Karin Nordqvist, login samordnare
    call_command("run_worker", once=True)

    review = Review.objects.get(document=document, done_at__isnull=True)
    assert review.due_date == document.next_review and review.reminded_on == timezone.localdate()
    notification = Notification.objects.get(recipient=user_for("samordnare"))
    assert notification.send_email and document.title in notification.subject
    assert notification.url == document.get_absolute_url()
    assert "You are the document's owner" in notification.body

    _run_worker_again_the_same_day()  # e-mails the reminder, reminds nothing again
    _run_worker_again_the_same_day()
    assert Notification.objects.count() == 1
    sent = [m for m in mail.outbox if document.title in m.subject]
    assert len(sent) == 1 and sent[0].to == [user_for("samordnare").email]


@worker_test
def test_an_overdue_review_reminds_the_coordinators_when_the_owner_is_no_user_at_most_weekly(quiet, user_for):
    # Anders Hedlund owns the key instruction (TF-FA) but has no login: the coordinators covering
    # TF-FA are told instead — Jonas Berglund (TF) and Karin Nordqvist (the whole group).
    document = _due("Instruktion för nyckelhantering", -3)
    call_command("run_worker", once=True)
    review = Review.objects.get(document=document)
    assert review.overdue_reminded_on == timezone.localdate()
    assert review.reminded_on is None  # already overdue when opened: no "falls due" reminder
    recipients = set(Notification.objects.values_list("recipient__username", flat=True))
    assert recipients == {"forvaltningssamordnare", "samordnare"}
    assert all("Review overdue" in n.subject for n in Notification.objects.all())
    assert "not a user of Värna" in Notification.objects.first().body

    _run_worker_again_the_same_day()
    assert Notification.objects.count() == 2
    assert len([m for m in mail.outbox if "Review overdue" in m.subject]) == 2

    today = timezone.localdate()
    assert jobs.send_review_reminders(today + datetime.timedelta(days=6)).overdue_reminded == 0
    assert jobs.send_review_reminders(today + datetime.timedelta(days=7)).overdue_reminded == 1
    assert jobs.send_review_reminders(today + datetime.timedelta(days=7)).overdue_reminded == 0
    assert Notification.objects.count() == 4


@worker_test
def test_decided_documents_come_into_force_and_due_reviews_open_with_a_task(quiet):
    today = timezone.localdate()
    waiting = Document.objects.get(title__startswith="Kompletterande riktlinje om hot och våld")
    Document.objects.filter(pk=waiting.pk).update(status=Status.DECIDED, in_force_from=today)
    document = _due("Kompletterande riktlinje för fastighetssäkerhet", 10)  # owner Jonas Berglund

    call_command("run_worker", once=True)

    waiting.refresh_from_db()
    assert waiting.status == Status.IN_FORCE
    review = Review.objects.get(document=document, done_at__isnull=True)
    task = Task.objects.get(subject_id=str(review.pk))
    assert task.owner == document.owner and task.state == Task.State.OPEN
    assert task.due_date == document.next_review and task.url == document.get_absolute_url()

    _run_worker_again_the_same_day()
    assert Review.objects.filter(document=document).count() == 1
    assert Task.objects.filter(subject_id=str(review.pk)).count() == 1


@worker_test
def test_a_classified_document_is_not_named_in_reminders(quiet, user_for):
    document = _due("Standard för larm och passersystem", 5)  # classified; owner Maria Sundin, login chef
    call_command("run_worker", once=True)
    notification = Notification.objects.get(recipient=user_for("chef"))
    assert document.title not in notification.subject + notification.body
    assert "classified document" in notification.subject
    assert notification.url == document.get_absolute_url()


@worker_test
def test_the_reminder_lead_is_a_setting(quiet, settings):
    settings.VARNA_REVIEW_REMINDER_DAYS = 10
    today = timezone.localdate()
    _due("Riktlinjer för säkerhetsarbetet", 20)
    run = jobs.run_daily(today)
    assert run.opened == 1 and run.reminded == 0  # the review opens 30 days ahead all the same
    assert jobs.run_daily(today + datetime.timedelta(days=9)).reminded == 0
    assert jobs.run_daily(today + datetime.timedelta(days=10)).reminded == 1
    assert jobs.run_daily(today + datetime.timedelta(days=10)).reminded == 0
