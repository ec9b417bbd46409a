"""The daily job of the governing documents (declared in area.py): decided
documents come into force on their date, reviews open ahead of their due date (with a task for
the owner), and the owner is reminded before a review falls due and — at most weekly — while
it is overdue.

Idempotent: a review's `reminded_on` and `overdue_reminded_on` are set with a conditional
UPDATE in the same transaction as the notifications, so running the job twice the same day
(or two workers at once) sends nothing twice. The notifications are e-mailed by the worker's
`send_notification_emails`.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _

from varna.core.links import name_in_message
from varna.core.models import Notification
from varna.organisation.models import RoleAssignment

from . import services
from .models import APPLYING, Review

DEFAULT_REMINDER_DAYS = 30
OVERDUE_EVERY = datetime.timedelta(days=7)


def reminder_days() -> int:
    """How many days before a review falls due its owner is reminded (VARNA_REVIEW_REMINDER_DAYS)."""
    try:
        days = int(getattr(settings, "VARNA_REVIEW_REMINDER_DAYS", DEFAULT_REMINDER_DAYS))
    except (TypeError, ValueError):
        return DEFAULT_REMINDER_DAYS
    return max(days, 0)


@dataclass
class ReminderRun:
    put_in_force: int = 0
    opened: int = 0
    reminded: int = 0
    overdue_reminded: int = 0
    notifications: int = 0
    unreachable: list[int] = field(default_factory=list)  # reviews with nobody to tell


def recipients(document, day: datetime.date) -> list:
    """Who is told about a document's review: the owner, if they are a user; otherwise the
    coordinators (roles whose profile responsibility is "coordinator") covering the owner unit."""
    owner = document.owner
    if owner is not None and owner.user_id is not None and owner.user.is_active:
        return [owner.user]
    roles = document.group.profile.roles_with(responsibility="coordinator")
    if not roles:
        return []
    assignments = (
        RoleAssignment.objects.current(day)
        .covering(document.unit)
        .filter(role__in=roles, person__user__isnull=False, person__user__is_active=True)
        .select_related("person__user")
        .order_by("person_id")
    )
    users = {}
    for assignment in assignments:
        users.setdefault(assignment.person.user_id, assignment.person.user)
    return list(users.values())


def _texts(review: Review, overdue: bool, for_owner: bool, recipient) -> tuple[str, str]:
    document = review.document
    # A classified document's title is not put in e-mail or notifications: the link leads to it
    # for those allowed to see it.
    title = _("a classified document") if document.is_classified else f"“{name_in_message(document, recipient)}”"
    values = {"title": title, "day": review.due_date.isoformat(), "unit": document.unit.name}
    if overdue:
        subject = _("Review overdue: %(title)s") % values
        body = _("The review of %(title)s (%(unit)s) was due %(day)s and is not done.") % values
    else:
        subject = _("Review due %(day)s: %(title)s") % values
        body = _("The review of %(title)s (%(unit)s) is due %(day)s.") % values
    if for_owner:
        body += " " + _("You are the document's owner.")
    else:
        body += " " + _("You are told as coordinator because the document's owner is not a user of Värna.")
    body += " " + _("Review it and record the outcome, or revise it and have the new version decided.")
    return subject[:200], body


def _notify(review: Review, overdue: bool, day: datetime.date) -> int:
    document = review.document
    users = recipients(document, day)
    owner_user_id = document.owner.user_id if document.owner_id else None
    for user in users:
        subject, body = _texts(review, overdue, for_owner=user.pk == owner_user_id, recipient=user)
        Notification.objects.create(
            group_id=document.group_id,
            recipient=user,
            subject=subject,
            body=body,
            url=document.get_absolute_url(),
            send_email=True,
        )
    return len(users)


def send_review_reminders(day: datetime.date | None = None, days: int | None = None) -> ReminderRun:
    """Remind about open reviews of applying documents: once when the due date is `days` away or
    nearer, and when overdue once a week at most."""
    day = day or timezone.localdate()
    days = reminder_days() if days is None else days
    run = ReminderRun()
    open_reviews = Review.objects.filter(done_at__isnull=True, document__status__in=APPLYING).select_related(
        "document__group", "document__unit", "document__owner__user"
    )
    upcoming = open_reviews.filter(
        due_date__gte=day, due_date__lte=day + datetime.timedelta(days=days), reminded_on__isnull=True
    )
    overdue = open_reviews.filter(due_date__lt=day).filter(
        Q(overdue_reminded_on__isnull=True) | Q(overdue_reminded_on__lte=day - OVERDUE_EVERY)
    )
    for review in upcoming.order_by("due_date", "pk"):
        with transaction.atomic():
            claimed = Review.objects.filter(pk=review.pk, reminded_on__isnull=True).update(reminded_on=day)
            if not claimed:
                continue  # another run reminded it meanwhile
            sent = _notify(review, overdue=False, day=day)
        run.reminded += 1
        run.notifications += sent
        if not sent:
            run.unreachable.append(review.pk)
    for review in overdue.order_by("due_date", "pk"):
        with transaction.atomic():
            claimed = (
                Review.objects.filter(pk=review.pk)
                .filter(Q(overdue_reminded_on__isnull=True) | Q(overdue_reminded_on__lte=day - OVERDUE_EVERY))
                .update(overdue_reminded_on=day)
            )
            if not claimed:
                continue
            sent = _notify(review, overdue=True, day=day)
        run.overdue_reminded += 1
        run.notifications += sent
        if not sent:
            run.unreachable.append(review.pk)
    return run


def run_daily(day: datetime.date | None = None) -> ReminderRun:
    """Everything the documents need once a day, in order: in force, reviews opened, reminders."""
    day = day or timezone.localdate()
    days = reminder_days()
    put_in_force = services.put_in_force_due(day)
    # Reviews open at least as early as the first reminder, so that there is a review to remind of.
    opened = services.open_due_reviews(day, lead_days=max(days, DEFAULT_REMINDER_DAYS))
    run = send_review_reminders(day, days)
    run.put_in_force, run.opened = put_in_force, len(opened)
    return run


@task
def review_reminders() -> dict:
    """Daily: put decided documents in force, open due reviews, remind owners."""
    run = run_daily()
    return {
        "put_in_force": run.put_in_force,
        "opened": run.opened,
        "reminded": run.reminded,
        "overdue_reminded": run.overdue_reminded,
        "notifications": run.notifications,
        "unreachable": run.unreachable[:100],
    }
