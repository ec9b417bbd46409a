"""The daily job of physical security (declared in area.py): key administrators are told of
the keys that fell due for return."""

from django.tasks import task

from . import key_services


def run_daily(day=None) -> int:
    return key_services.notify_keys_due(day)


@task
def daily() -> int:
    return run_daily()
