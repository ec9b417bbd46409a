"""The daily job of risks and measures (declared in area.py): expired risk
acceptances end, and owners of overdue measures are reminded — when a measure falls overdue and
then weekly while it stays overdue.

Idempotent: a measure's `overdue_reminded_on` is set with a conditional UPDATE in the same
transaction as its notification, so running the job twice the same day (or two workers at
once) sends nothing twice.
"""

import datetime

from django.db import transaction
from django.db.models import Q
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _

from varna.core.links import name_in_message
from varna.core.models import Notification

from . import services
from .models import Measure

OVERDUE_EVERY = datetime.timedelta(days=7)


def remind_overdue_measures(day: datetime.date) -> int:
    sent = 0
    due = (
        Measure.objects.overdue(day)
        .filter(owner__user__isnull=False)
        .filter(Q(overdue_reminded_on__isnull=True) | Q(overdue_reminded_on__lte=day - OVERDUE_EVERY))
        .select_related("owner__user", "unit")
    )
    for measure in due:
        with transaction.atomic():
            claimed = Measure.objects.filter(pk=measure.pk, overdue_reminded_on=measure.overdue_reminded_on).update(
                overdue_reminded_on=day
            )
            if not claimed:
                continue
            Notification.objects.create(
                group_id=measure.group_id,
                recipient_id=measure.owner.user_id,
                subject=_("Measure overdue: %(title)s") % {"title": name_in_message(measure, measure.owner.user)},
                body=_("The measure was due %(due)s. Carry it out, or change its plan and due date.")
                % {"due": measure.due_date.isoformat()},
                url=measure.get_absolute_url(),
            )
            sent += 1
    return sent


def run_daily(day: datetime.date | None = None) -> dict[str, int]:
    day = day or timezone.localdate()
    return {
        "acceptances_expired": len(services.expire_acceptances(day)),
        "measures_reminded": remind_overdue_measures(day),
    }


@task
def daily() -> dict[str, int]:
    return run_daily()
