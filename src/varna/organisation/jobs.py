"""The organisation's periodic job (declared in area.py): every group's obligations checked."""

from django.tasks import task

from varna.core.jobs import record_group_statuses

from .models import MunicipalGroup


@task
def record_obligation_statuses() -> int:
    """Keep each obligation's status over time, for the start page, trends and the yearly report."""
    return sum(record_group_statuses(group) for group in MunicipalGroup.objects.all())
