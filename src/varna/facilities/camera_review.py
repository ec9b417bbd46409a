"""The yearly review of camera surveillance and the five-year thinning of its documentation.

The review: a surveillance in use whose latest assessment is older than the review interval less
a month (11 of 12 months), or that has none, gets a task for its responsible person: one open
task per surveillance, closed when an assessment is recorded. The thinning: five years after a
surveillance ended, its documentation goes (assessments, cameras, the surveillance, and their
change history, which holds the same text), and a log row says what went, by code and count.
Both run daily (camera_jobs.py) and are idempotent."""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from varna.core.links import CLASSIFIED_IN_MESSAGE, HIDDEN_IN_MESSAGE
from varna.core.models import Task
from varna.core.permissions import get_access

from .models import Camera, CameraSurveillance, CameraThinning, InterestAssessment
from .models.cameras import KEPT_YEARS, REVIEW_MONTHS, months_before, years_after

REMINDER_LEAD_MONTHS = 1


def review_months(group) -> int:
    """The profile's review interval (`facilities.camera_review_months`), 12 months unless set."""
    return ((group.profile.data.get("facilities") or {}).get("camera_review_months")) or REVIEW_MONTHS


def current_since(day: datetime.date, months: int) -> datetime.date:
    """The oldest date an assessment may have and still be current on `day`."""
    return months_before(day, months)


def _subject_type():
    return ContentType.objects.get_for_model(CameraSurveillance)


def _title(surveillance, person) -> str:
    """Task titles are listed without a scope check: a classified surveillance is never named,
    another only to a person who may read it."""
    if surveillance.is_classified:
        name = str(CLASSIFIED_IN_MESSAGE)
    elif person.user_id is None or not get_access(person.user).may_read(surveillance):
        name = str(HIDDEN_IN_MESSAGE)
    else:
        name = surveillance.name
    return _("Review the camera surveillance: %(name)s") % {"name": name}


def open_review_tasks(day: datetime.date | None = None) -> int:
    day = day or timezone.localdate()
    made = 0
    subject_type = _subject_type()
    open_tasks = Task.objects.filter(subject_type=subject_type, state=Task.State.OPEN).values("subject_id")
    candidates = (
        CameraSurveillance.objects.current(day)
        .filter(responsible__isnull=False)
        .exclude(pk__in=[int(pk) for pk in open_tasks.values_list("subject_id", flat=True)])
        .select_related("group", "site__unit", "building", "responsible__user")
        .with_latest_assessment()
    )
    months = {}
    for surveillance in candidates.iterator(chunk_size=500):
        group = surveillance.group
        if group.pk not in months:
            months[group.pk] = review_months(group)
        interval = months[group.pk]
        latest = surveillance.assessed_on
        if latest is not None and latest > current_since(day, interval - REMINDER_LEAD_MONTHS):
            continue
        due = day if latest is None else max(day, _add_months(latest, interval))
        with transaction.atomic():
            exists = Task.objects.select_for_update().filter(
                subject_type=subject_type, subject_id=str(surveillance.pk), state=Task.State.OPEN
            )
            if exists.exists():
                continue
            Task.objects.create(
                group_id=surveillance.group_id,
                owner=surveillance.responsible,
                title=_title(surveillance, surveillance.responsible),
                due_date=due,
                url=surveillance.get_absolute_url(),
                subject_type=subject_type,
                subject_id=str(surveillance.pk),
            )
            made += 1
    return made


def _add_months(day: datetime.date, months: int) -> datetime.date:
    return months_before(day, -months)


def close_review_tasks(surveillance, assessment) -> None:
    Task.objects.filter(subject_type=_subject_type(), subject_id=str(surveillance.pk), state=Task.State.OPEN).update(
        state=Task.State.DONE, done_at=timezone.now()
    )


def thinning_cutoff(day: datetime.date) -> datetime.date:
    """Surveillances that ended before this date have been kept their five years."""
    return years_after(day, -KEPT_YEARS)


def thin(day: datetime.date | None = None) -> int:
    """Thin the documentation of every surveillance that ended more than five years ago."""
    day = day or timezone.localdate()
    done = 0
    due = CameraSurveillance.objects.ended_before(thinning_cutoff(day)).values_list("pk", flat=True)
    for pk in list(due[:1000]):
        with transaction.atomic():
            surveillance = (
                CameraSurveillance.objects.select_for_update(of=("self",))
                .filter(pk=pk)
                .select_related("site__unit")
                .first()
            )
            if surveillance is None:
                continue
            camera_ids = list(Camera.objects.filter(surveillance=surveillance).values_list("pk", flat=True))
            assessment_ids = list(
                InterestAssessment.objects.filter(surveillance=surveillance).values_list("pk", flat=True)
            )
            CameraThinning.objects.create(
                group_id=surveillance.group_id,
                unit_path=surveillance.site.unit.path,
                date=day,
                code=surveillance.code,
                ended=surveillance.ended,
                records_removed=len(camera_ids) + len(assessment_ids) + 1,
            )
            InterestAssessment.objects.filter(pk__in=assessment_ids).delete()
            Camera.objects.filter(pk__in=camera_ids).delete()
            Task.objects.filter(subject_type=_subject_type(), subject_id=str(pk)).delete()
            surveillance.delete()
            # The change history holds the same documentation, and the deletions just added to it.
            InterestAssessment.history.filter(id__in=assessment_ids).delete()
            Camera.history.filter(id__in=camera_ids).delete()
            CameraSurveillance.history.filter(id=pk).delete()
            done += 1
    return done
