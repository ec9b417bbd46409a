import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from varna.core.jobs import enqueue_due_jobs
from varna.core.models import Notification, ObligationStatus, ScheduledJobRun, WorkerHeartbeat
from varna.organisation.jobs import record_obligation_statuses

# The worker closes obsolete connections between jobs, as a long-running process must; inside a
# test's wrapping transaction that would close the test's own connection (on PostgreSQL), so
# the tests that run the worker use real transactions.
worker_test = pytest.mark.django_db(transaction=True)


@worker_test
def test_health_reports_database_migrations_and_worker_to_an_operator(db, client, settings):
    settings.HEALTH_TOKEN = "monitor-token"
    operator = {"HTTP_AUTHORIZATION": "Bearer monitor-token"}
    response = client.get(reverse("health"), HTTP_ACCEPT="application/json", **operator)
    assert response.status_code == 200
    checks = response.json()["checks"]
    assert checks["database"]["ok"] and checks["migrations"]["ok"]
    assert not checks["worker"]["ok"] and checks["worker"]["detail"] == "never seen"

    call_command("run_worker", once=True)
    checks = client.get(reverse("health") + "?format=json", **operator).json()["checks"]
    assert checks["worker"]["ok"]
    assert "SUCCESSFUL" in checks["last_job"]["detail"]
    assert "Background worker" in client.get(reverse("health"), **operator).content.decode()


@worker_test
def test_health_tells_anyone_else_only_that_it_is_up(demo, client, client_for, settings):
    """Issue 10: the public health page named the database and the last background job."""
    call_command("run_worker", once=True)
    settings.HEALTH_TOKEN = "monitor-token"
    for anonymous in (client, client_for("samordnare")):
        for headers in ({}, {"HTTP_AUTHORIZATION": "Bearer wrong"}, {"HTTP_AUTHORIZATION": "Bearer "}):
            response = anonymous.get(reverse("health") + "?format=json", **headers)
            assert response.status_code == 200 and response.json() == {"ok": True}
            page = anonymous.get(reverse("health"), **headers).content.decode()
            assert "The application is healthy." in page
            assert "sqlite" not in page and "postgresql" not in page and "SUCCESSFUL" not in page
    settings.HEALTH_TOKEN = ""
    response = client.get(reverse("health") + "?format=json", HTTP_AUTHORIZATION="Bearer ")
    assert response.json() == {"ok": True}  # no token configured: no bearer reads details
    assert "checks" in client_for("admin").get(reverse("health") + "?format=json").json()  # staff


@worker_test
def test_the_worker_sends_notification_emails_once(demo, user_for):
    user = user_for("samordnare")
    Notification.objects.create(
        recipient=user, subject="Granskning förfaller", body="Rutinen ska ses över.", url="/uppgifter/"
    )
    call_command("run_worker", once=True)
    # Only this notification's mail counts: the daily review reminders of the demo send their own.
    sent = [m for m in mail.outbox if "Granskning förfaller" in m.subject]
    assert len(sent) == 1
    assert sent[0].to == [user.email]
    assert "/uppgifter/" in sent[0].body
    # Running again sends nothing more.
    ScheduledJobRun.objects.all().delete()
    call_command("run_worker", once=True)
    assert len([m for m in mail.outbox if "Granskning förfaller" in m.subject]) == 1


@worker_test
def test_the_daily_obligation_record_is_idempotent(demo):
    call_command("run_worker", once=True)
    first = ObligationStatus.objects.count()
    assert first == len(demo[0].profile.obligations)
    ScheduledJobRun.objects.all().delete()  # as if the schedule were run twice the same day
    call_command("run_worker", once=True)
    assert ObligationStatus.objects.count() == first


def test_daily_jobs_are_enqueued_once_a_day_and_frequent_ones_by_interval(db, monkeypatch):
    from varna.core import jobs

    monkeypatch.setattr(
        jobs,
        "schedule",
        lambda: {
            "daily": (record_obligation_statuses, datetime.timedelta(days=1)),
            "often": (jobs.send_notification_emails, datetime.timedelta(minutes=15)),
        },
    )
    now = timezone.now().replace(hour=8, minute=0)
    assert enqueue_due_jobs(now) == ["daily", "often"]
    assert enqueue_due_jobs(now + datetime.timedelta(minutes=5)) == []
    assert enqueue_due_jobs(now + datetime.timedelta(minutes=20)) == ["often"]
    assert enqueue_due_jobs(now + datetime.timedelta(days=1)) == ["daily", "often"]
    assert DBTaskResult.objects.filter(task_path__endswith="record_obligation_statuses").count() == 2


def test_the_start_page_shows_the_recorded_statuses_and_can_check_now(demo, client_for):
    client = client_for("samordnare")
    page = client.get(reverse("home")).content.decode()
    assert "have not been checked yet" in page
    response = client.post(reverse("obligations-refresh"))
    assert response.status_code == 302
    page = client.get(reverse("home")).content.decode()
    assert "Obligations checked" in page and "HJ-9" in page
    assert ObligationStatus.objects.filter(obligation_id="HJ-9").count() == 1
    client.post(reverse("obligations-refresh"))  # the same day: updated, not added
    assert ObligationStatus.objects.filter(obligation_id="HJ-9").count() == 1


@worker_test
def test_a_worker_heartbeat_is_written(db):
    call_command("run_worker", once=True)
    assert WorkerHeartbeat.objects.count() == 1


def test_notifications_page_marks_read_and_redirects_only_locally(demo, client_for, user_for):
    user = user_for("chef")
    local = Notification.objects.create(recipient=user, subject="Lokal", url="/organisation/")
    evil = Notification.objects.create(recipient=user, subject="Extern", url="https://evil.example/")
    other = Notification.objects.create(recipient=get_user_model().objects.get(username="samordnare"), subject="Annans")
    client = client_for("chef")
    page = client.get(reverse("notifications")).content.decode()
    assert "Lokal" in page and "Annans" not in page
    assert client.post(reverse("notification-read", args=[local.pk]))["Location"] == "/organisation/"
    assert client.post(reverse("notification-read", args=[evil.pk]))["Location"] == reverse("notifications")
    assert client.post(reverse("notification-read", args=[other.pk])).status_code == 404
    local.refresh_from_db()
    assert local.read_at is not None
