"""Background jobs (Django's tasks API, run by `varna worker`) and the daily schedule.

Each periodic job is idempotent: running it twice on the same day changes nothing more.
"""

import datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from . import areas
from .models import Notification, ObligationStatus, ScheduledJobRun


@task
def send_notification_emails() -> int:
    """E-mail notifications that ask for it and have not been e-mailed yet."""
    sent = 0
    pending = Notification.objects.filter(send_email=True, emailed_at__isnull=True).select_related("recipient")[:500]
    for notification in pending:
        address = notification.recipient.email
        if address:
            body = notification.body
            if notification.url:
                body = f"{body}\n\n{settings.VARNA_BASE_URL.rstrip('/')}{notification.url}"
            EmailMessage(subject=f"[Värna] {notification.subject}", body=body, to=[address]).send()
            sent += 1
        Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
    return sent


def record_group_statuses(group) -> int:
    """Evaluate every obligation of a group and keep the answer: one row per obligation and day,
    updated when checked again the same day (the start page reads these)."""
    from .obligations import evaluate

    profile = group.profile
    today = timezone.localdate()
    now = timezone.now()
    cache: dict = {}
    for obligation in profile.obligations:
        status, results = evaluate(obligation, group, profile, cache)
        values = {"status": status, "results": [r.as_json() for r in results], "checked_at": now}
        row = ObligationStatus.objects.filter(
            group=group, obligation_id=obligation["id"], checked_at__date=today
        ).first()
        if row is None:
            ObligationStatus.objects.create(group=group, obligation_id=obligation["id"], **values)
        else:
            ObligationStatus.objects.filter(pk=row.pk).update(**values)
    return len(profile.obligations)


# name -> (task, interval): core's own jobs; each area declares its own (core.areas).
CORE_JOBS: dict[str, tuple] = {
    "send_notification_emails": (send_notification_emails, datetime.timedelta(minutes=1)),
}


def schedule() -> dict[str, tuple]:
    return {**CORE_JOBS, **areas.schedule()}


def enqueue_due_jobs(now: datetime.datetime | None = None) -> list[str]:
    """Enqueue every scheduled job whose interval has passed since it was last enqueued."""
    now = now or timezone.now()
    enqueued = []
    for name, (job, interval) in schedule().items():
        with transaction.atomic():
            run = ScheduledJobRun.objects.select_for_update().filter(name=name).first()
            if run is not None:
                due = run.last_run_at + interval <= now
                if interval >= datetime.timedelta(days=1):
                    due = run.last_run_on < timezone.localdate(now)
                if not due:
                    continue
            ScheduledJobRun.objects.update_or_create(
                name=name, defaults={"last_run_at": now, "last_run_on": timezone.localdate(now)}
            )
            job.enqueue()
            enqueued.append(name)
    return enqueued
