"""The yearly review of the insurance needs (HJ-7): opened by the daily job for the year that
ended, with a task for the heads of the unit the reviewing body answers for."""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from varna.core.models import Notification, Task
from varna.organisation.models import Body, OrgUnit
from varna.organisation.services import responsibilities

from . import financing
from .models import InsuranceReview


def review_body(group) -> Body | None:
    """The body the profile names to watch the insurance needs, found by its name."""
    name = (group.profile.data.get("insurance") or {}).get("review_body")
    if not name:
        return None
    return Body.objects.filter(group=group, name__iexact=name.strip()).first()


def review_unit(group, body: Body | None) -> OrgUnit:
    """The unit the review belongs to: the topmost unit the body is responsible for, else the
    top of the group."""
    if body is not None:
        unit = OrgUnit.objects.filter(group=group, responsible_body=body).order_by("depth", "path").first()
        if unit is not None:
            return unit
    return OrgUnit.objects.filter(group=group, parent__isnull=True).order_by("pk").first()


def due_date(group, year: int) -> datetime.date:
    month = (group.profile.data.get("insurance") or {}).get("review_due_month", 3)
    following = datetime.date(year + 1, month, 1)
    next_month = datetime.date(following.year + (month == 12), month % 12 + 1, 1)
    return next_month - datetime.timedelta(days=1)


def figures(group, year: int) -> dict:
    """The figures the review is based on: the year and the two before it."""
    return {"years": [y.as_json() for y in financing.years(group, year - 2, year)]}


def open_review(group, year: int, *, notify: bool = True) -> InsuranceReview | None:
    """Open the review of `year` (once: a second call finds it) and give the heads of its unit a
    task (and, with `notify`, a notification). Only for a profile that names a reviewing body."""
    if not (group.profile.data.get("insurance") or {}).get("review_body"):
        return None
    existing = InsuranceReview.objects.filter(group=group, year=year).first()
    if existing is not None:
        return None
    body = review_body(group)
    unit = review_unit(group, body)
    try:
        with transaction.atomic():
            review = InsuranceReview.objects.create(
                group=group,
                year=year,
                unit=unit,
                body=body,
                due_date=due_date(group, year),
                figures=figures(group, year),
            )
    except IntegrityError:
        return None  # opened at the same moment by another worker
    title = _("Review the insurance needs of %(year)s") % {"year": year}
    heads = responsibilities([unit], profile=group.profile)[unit.pk].heads
    for person in heads:
        Task.objects.create(
            group_id=group.pk,
            owner=person,
            title=title,
            due_date=review.due_date,
            url=review.get_absolute_url(),
            subject=review,
        )
        if notify and person.user_id:
            Notification.objects.create(
                group_id=group.pk,
                recipient_id=person.user_id,
                subject=title,
                body=_("The figures of the year's damage costs, insurer payments and premiums are ready for %(body)s.")
                % {"body": body.name if body else unit.name},
                url=review.get_absolute_url(),
            )
    return review


@transaction.atomic
def complete_review(review: InsuranceReview, *, user, expected_version: int) -> None:
    review.status = InsuranceReview.State.DONE
    review.completed_by = user
    review.reviewed_on = review.reviewed_on or timezone.localdate()
    review.figures = figures(review.group, review.year)
    review.save_versioned(expected_version)
    Task.objects.filter(
        subject_type=ContentType.objects.get_for_model(InsuranceReview),
        subject_id=str(review.pk),
        state=Task.State.OPEN,
    ).update(state=Task.State.DONE, done_at=timezone.now())
