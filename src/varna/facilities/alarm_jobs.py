"""The facilities area's daily job (declared in area.py): tasks for alarm services and access
reviews falling due. Idempotent: a record with an open task gets no second one."""

import datetime

from django.tasks import task
from django.utils import timezone

from . import alarm_services


def run_daily(day: datetime.date | None = None) -> dict[str, int]:
    day = day or timezone.localdate()
    return {
        "alarm_service_tasks": alarm_services.open_service_tasks(day),
        "access_review_tasks": alarm_services.open_review_tasks(day),
    }


@task
def daily() -> dict[str, int]:
    return run_daily()
