"""The daily job of the camera surveillance register (declared in area.py): review tasks for
assessments falling due, and the thinning of documentation kept its five years."""

import datetime

from django.tasks import task
from django.utils import timezone

from . import camera_review


def run_daily(day: datetime.date | None = None) -> dict[str, int]:
    day = day or timezone.localdate()
    return {
        "camera_reviews_opened": camera_review.open_review_tasks(day),
        "camera_surveillances_thinned": camera_review.thin(day),
    }


@task
def daily() -> dict[str, int]:
    return run_daily()
