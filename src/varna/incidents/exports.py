"""The incident register as an Excel file: the list's filters and scope, every row: what the list
shows (a classified incident only to roles cleared for it and to its reporter). Persons involved
are never exported, nor what a classified incident says happened; every classified row written
is logged as a read (action "export")."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from varna.core.access_log import log_reads
from varna.core.models import Classification
from varna.core.permissions import get_access
from varna.core.spreadsheets import xlsx_response

from .models import Category, Incident
from .views import _group, filter_incidents

CHUNK = 2000


@login_required
def incident_export(request):
    group = _group(request)
    if not get_access(request.user).anything:
        raise PermissionDenied
    incidents, _filters, _unit = filter_incidents(request, group)
    incidents = incidents.select_related("unit").order_by("-occurred_at", "-pk")
    headers = [
        _("When it happened"),
        _("Category"),
        _("Responsible unit"),
        _("Where"),
        _("What happened"),
        _("Immediate actions"),
        _("Status"),
        _("Police report number"),
        _("Insurance claim number"),
        _("Estimated (SEK)"),
        _("Final (SEK)"),
        _("Damage cost (SEK)"),
        _("Insurer's deductible (SEK)"),
        _("Internal deductible (SEK)"),
        _("Paid by the insurer (SEK)"),
        _("Deliberately set"),
        _("Detected by an alarm"),
        _("Classification"),
    ]

    # The labels once, not per row (get_FOO_display rebuilds its choices on every call).
    categories = {key: str(label) for key, label in Category.choices}
    states = {key: str(label) for key, label in Incident.State.choices}
    classifications = {key: str(label) for key, label in Classification.choices}
    answers = {None: "", True: _("yes"), False: _("no")}

    def yes_no(value):
        return answers[value]

    written_classified = []  # logged as read once the file is written

    def rows():
        for i in incidents.iterator(chunk_size=CHUNK):
            classified = i.is_classified
            if classified:
                written_classified.append(i)
            yield [
                timezone.localtime(i.occurred_at),
                categories.get(i.category, i.category),
                i.unit.name,
                i.place,
                "" if classified else i.description,
                "" if classified else i.immediate_actions,
                states.get(i.status, i.status),
                i.police_report_number,
                i.insurance_claim_number,
                i.cost_estimated,
                i.cost_final,
                i.cost,
                i.deductible,
                i.internal_deductible,
                i.insurer_paid,
                yes_no(i.fire_deliberate),
                yes_no(i.fire_alarm_detected),
                classifications.get(i.classification, i.classification),
            ]

    response = xlsx_response(f"handelser-{timezone.localdate().isoformat()}.xlsx", _("Incidents"), headers, rows())
    log_reads(request, written_classified, "export")
    return response
