"""The daily job of insurance (declared in area.py): from the first day of a year,
the review of the year that ended is opened for every group whose profile names a reviewing
body. Idempotent: one review per group and year (a unique constraint)."""

from django.tasks import task
from django.utils import timezone

from . import services


def run_daily(day=None) -> int:
    from varna.organisation.models import MunicipalGroup

    day = day or timezone.localdate()
    return sum(1 for group in MunicipalGroup.objects.all() if services.open_review(group, day.year - 1))


@task
def daily() -> int:
    return run_daily()
