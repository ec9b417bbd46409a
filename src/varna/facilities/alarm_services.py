"""What happens to alarms and access control systems: a review recorded, an alarm event made an
incident, and the tasks the daily job opens for services and reviews falling due."""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from varna.core.links import name_in_message
from varna.core.models import Classification, Task
from varna.incidents import services as incident_services
from varna.incidents.models import Category, Incident

from .models import DUE_SOON_DAYS, AccessControlSystem, AccessReview, Alarm, AlarmEvent, AlarmKind

CATEGORY_OF_KIND = {
    AlarmKind.INTRUSION: Category.BURGLARY,
    AlarmKind.FIRE: Category.FIRE,
    AlarmKind.ASSAULT: Category.THREAT_VIOLENCE,
    AlarmKind.TECHNICAL: Category.DISRUPTION,
}


def _close_tasks(record) -> None:
    Task.objects.filter(
        subject_type=ContentType.objects.get_for_model(type(record)),
        subject_id=str(record.pk),
        state=Task.State.OPEN,
    ).update(state=Task.State.DONE, done_at=timezone.now())


@transaction.atomic
def record_review(review: AccessReview) -> AccessReview:
    """Save the review, move the system's next review on from the latest one, close its task."""
    review.save()
    system = AccessControlSystem.objects.select_for_update().get(pk=review.system_id)
    latest = system.reviews.order_by("-reviewed_on").values_list("reviewed_on", flat=True).first()
    system.last_reviewed_on = latest
    system.save()
    _close_tasks(system)
    return review


def record_service(alarm: Alarm) -> None:
    """After the service is saved: the service task is done."""
    _close_tasks(alarm)


@transaction.atomic
def incident_from_event(event: AlarmEvent, *, user, person) -> Incident:
    """Report a real alarm as an incident through the incidents' own service (so its responders
    are told as for any report), and link the event to it."""
    alarm = event.alarm
    building = alarm.building
    site = building.site
    classified = alarm.is_classified
    ground = alarm.classification_ground or building.classification_ground or site.classification_ground
    incident = Incident(
        group=site.group,
        unit=site.unit,
        category=CATEGORY_OF_KIND[alarm.kind],
        occurred_at=event.occurred_at,
        place=f"{site.name}, {building.name}"[:300],
        description=_("%(kind)s %(alarm)s went off. %(cause)s")
        % {"kind": alarm.get_kind_display(), "alarm": str(alarm), "cause": event.cause}
        if event.cause
        else _("%(kind)s %(alarm)s went off.") % {"kind": alarm.get_kind_display(), "alarm": str(alarm)},
        fire_alarm_detected=True if alarm.kind == AlarmKind.FIRE else None,
        # What the alarm's register keeps secret, its incident keeps so too.
        classification=Classification.CLASSIFIED if classified else Classification.INTERNAL,
        classification_ground=(ground or "OSL 18 kap. 8 §") if classified else "",
    )
    incident_services.submit(incident, photos=[], user=user, person=person)
    event.incident = incident
    event.save(update_fields=["incident"])
    return incident


# The daily job's tasks -----------------------------------------------------------------------


def _open_task(record, owner, title: str, due: datetime.date | None, content_type) -> bool:
    """One open task per record: a second run finds the first."""
    if Task.objects.filter(subject_type=content_type, subject_id=str(record.pk), state=Task.State.OPEN).exists():
        return False
    Task.objects.create(
        group_id=record.group_id,
        owner=owner,
        title=title[:200],
        due_date=due,
        url=record.get_absolute_url(),
        subject_type=content_type,
        subject_id=str(record.pk),
    )
    return True


def open_service_tasks(day: datetime.date) -> int:
    """A task for the site's contact person for each alarm never serviced or due within
    DUE_SOON_DAYS."""
    horizon = day + datetime.timedelta(days=DUE_SOON_DAYS)
    alarms = (
        Alarm.objects.overdue(horizon)
        .filter(building__site__contact__isnull=False)
        .select_related("building__site__contact__user", "building__site__unit")
    )
    content_type = ContentType.objects.get_for_model(Alarm)
    opened = 0
    for alarm in alarms:
        owner = alarm.building.site.contact
        title = _("Service the alarm %(alarm)s") % {"alarm": name_in_message(alarm, owner.user)}
        opened += _open_task(alarm, owner, title, alarm.next_service_due or day, content_type)
    return opened


def open_review_tasks(day: datetime.date) -> int:
    """A task for the site's contact person (or the system's first administrator) for each
    access control system never reviewed or due within DUE_SOON_DAYS."""
    horizon = day + datetime.timedelta(days=DUE_SOON_DAYS)
    systems = (
        AccessControlSystem.objects.review_due(horizon)
        .select_related("site__contact__user", "site__unit")
        .prefetch_related("administrators__user")
    )
    content_type = ContentType.objects.get_for_model(AccessControlSystem)
    opened = 0
    for system in systems:
        owner = system.site.contact
        if owner is None:
            admins = sorted(system.administrators.all(), key=lambda p: (p.last_name, p.first_name, p.pk))
            owner = admins[0] if admins else None
        if owner is None:
            continue
        title = _("Review the access rights of %(system)s") % {"system": name_in_message(system, owner.user)}
        opened += _open_task(system, owner, title, system.next_review_due or day, content_type)
    return opened
