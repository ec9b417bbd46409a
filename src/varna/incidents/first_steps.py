"""The incidents' first step for a new municipality: the earlier reports imported."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from varna.core.areas import FirstStep
from varna.core.formatting import count

from .models import Incident


def first_steps(group) -> list[FirstStep]:
    incidents = Incident.objects.filter(group=group).count()
    return [
        FirstStep(
            _("Import the earlier incidents (another system's export)"),
            "incidents:import",
            incidents > 0,
            ngettext("%(n)s incident", "%(n)s incidents", incidents) % {"n": count(incidents)},
        )
    ]
