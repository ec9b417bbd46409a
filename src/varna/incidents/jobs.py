"""The daily job of incidents (declared in area.py): personal data past its
retention is thinned, with a log (retention.py), and the public form's rate-limit counters of
earlier days are deleted."""

from django.tasks import task
from django.utils import timezone

from . import retention
from .models import PublicReportQuota


def run_daily(day=None) -> int:
    from varna.organisation.models import MunicipalGroup

    day = day or timezone.localdate()
    # Yesterday's rate-limit counters of the public form have served their purpose.
    PublicReportQuota.objects.filter(day__lt=day).delete()
    return sum(log.incidents for group in MunicipalGroup.objects.all() for log in retention.thin_group(group, day))


@task
def daily() -> int:
    return run_daily()
