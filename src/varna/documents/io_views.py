"""The register of governing documents to Excel, and an existing register from Excel or CSV:
upload → dry run → import (register_io.py holds the rules)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from varna.core.access_log import log_reads
from varna.core.context_processors import current_group
from varna.core.import_forms import RegisterImportForm
from varna.core.import_views import FileImport
from varna.core.permissions import get_access
from varna.core.spreadsheets import xlsx_response

from . import register_io
from .views import filter_documents


def _group(request):
    group = current_group(request)
    if group is None or not get_access(request.user).anything:
        raise PermissionDenied
    return group


@login_required
def register_export(request):
    """The register as the list shows it (same filters, same scope) as an Excel file."""
    group = _group(request)
    documents, _filters, _unit = filter_documents(request, group)
    documents = documents.select_related("unit", "owner").order_by("title", "pk")
    day = timezone.localdate().isoformat()
    classified = []  # the classified documents written, logged as read once the file is
    response = xlsx_response(
        f"styrdokument-{day}.xlsx",
        _("Governing documents"),
        register_io.export_headers(),
        register_io.export_rows(documents, group, written=classified.append),
    )
    log_reads(request, classified, "export")
    return response


def _may_import(request):
    """The group, if the user manages a unit (the documents are registered for units they manage)."""
    group = _group(request)
    access = get_access(request.user)
    if not (access.is_superuser or access.scopes("manage")):
        raise PermissionDenied
    return group


def _done(request, plan):
    message = _("The import is done: %(n)s documents were added to the register.") % {"n": len(plan.documents)}
    return message, reverse("documents:list")


# upload → (columns) → dry run → (words) → import, as every import page runs (core/import_views.py).
IMPORT = FileImport(
    kind=register_io.IMPORT_KIND,
    url_name="documents:import",
    template="documents/import.html",
    may_import=_may_import,
    parse=register_io.parse_file,
    build=lambda table, group, user, options: register_io.build_plan(
        table, group, user, skip_registered=bool(options.get("skip_registered"))
    ),
    write=lambda data, filename, group, user, options: register_io.import_file(
        data, filename, group, user, skip_registered=bool(options.get("skip_registered"))
    ),
    done=_done,
    columns=lambda group: register_io.COLUMNS,
    required=register_io.REQUIRED,
    value_choices=register_io.value_choices,
    form_class=RegisterImportForm,
    record_label=gettext_lazy("Document"),
)


@login_required
def register_import(request):
    if request.method == "GET" and request.GET.get("mall") == "xlsx":
        group = _may_import(request)
        headers, rows = register_io.template_rows(group)
        return xlsx_response("styrdokument-mall.xlsx", _("Governing documents"), headers, rows)
    return IMPORT.view(request)
