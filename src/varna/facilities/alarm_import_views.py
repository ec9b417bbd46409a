"""Import of alarm events from an alarm receiving centre's log (alarm_import.py), as every import
page runs (core/import_views.py), and the workbook to fill in (?mall=xlsx)."""

from django.contrib.auth.decorators import login_required
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from varna.core.import_views import FileImport
from varna.core.spreadsheets import xlsx_response

from . import alarm_import
from .import_views import _may_import
from .models import AlarmEvent


def _done(request, plan):
    events = ngettext("%(n)s alarm event added", "%(n)s alarm events added", plan.written) % {"n": plan.written}
    return _("The import is done: %(events)s.") % {"events": events}, reverse("facilities:alarms")


IMPORT = FileImport(
    kind=alarm_import.IMPORT_KIND,
    url_name="facilities:alarm-import",
    template="facilities/alarms/import.html",
    may_import=_may_import,
    parse=alarm_import.parse_file,
    build=lambda table, group, user, options: alarm_import.build_plan(table, group, user),
    write=lambda data, filename, group, user, options: alarm_import.import_file(data, filename, group, user),
    done=_done,
    columns=lambda group: alarm_import.COLUMNS,
    required=alarm_import.REQUIRED,
    value_choices=alarm_import.value_choices,
    record_label=gettext_lazy("Alarm"),
    context=lambda request, group: {"kind_names": [str(label) for label in AlarmEvent.Kind.labels]},
)


@login_required
def event_import_view(request):
    if request.method == "GET" and request.GET.get("mall") == "xlsx":
        group = _may_import(request)
        headers, rows = alarm_import.template_rows(group, request.user)
        return xlsx_response("larmhandelser-mall.xlsx", _("Alarm events"), headers, rows)
    return IMPORT.view(request)
