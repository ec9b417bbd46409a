"""The risks' first step for a new municipality: the risk and vulnerability analysis started."""

from django.utils.translation import gettext as _

from varna.core.areas import FirstStep

from .models import Analysis


def first_steps(group) -> list[FirstStep]:
    started = Analysis.objects.filter(group=group, kind=Analysis.Kind.RVA).exists()
    return [
        FirstStep(
            _("Start the risk and vulnerability analysis (RSA) of the mandate period"),
            "risks:analysis-create",
            started,
            _("started") if started else _("not started"),
        )
    ]
