"""The register of governing documents to Excel, and an existing register from Excel or CSV:
upload → dry run → import (register_io.py holds the rules)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from varna.core import refused_rows, tabular
from varna.core.access_log import log_reads
from varna.core.column_mapping import MappingStep
from varna.core.context_processors import current_group
from varna.core.import_forms import RegisterImportForm as ImportForm
from varna.core.models import StaleEditError
from varna.core.pending_uploads import PendingUploads
from varna.core.permissions import get_access
from varna.core.spreadsheets import xlsx_response

from . import register_io
from .views import filter_documents

# The file waits between the dry run and the confirmation: see core/pending_uploads.py.
PENDING = PendingUploads("documents", "varna_document_import")
# When the file's columns are not the ones known: the user says what they hold (core/column_mapping.py).
MAPPING = MappingStep(
    register_io.IMPORT_KIND,
    PENDING,
    lambda data, filename, group: register_io.parse_file(data, filename, group, header_only=True),
    lambda group: register_io.COLUMNS,
    register_io.REQUIRED,
    register_io.value_choices,
)
DISPLAY_LIMIT = 500


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


def _render(request, form, plan=None, token=None, alert=None, mapping=None, mapping_token=None, values_form=None):
    context = {
        "form": form,
        "plan": plan,
        "token": token,
        "mapping_token": mapping_token,
        "alert": alert,
        "columns": register_io.COLUMNS,
        "required": register_io.REQUIRED,
        "limit": DISPLAY_LIMIT,
        "mapping": mapping,
        "values_form": values_form,
    }
    if plan is not None:
        context.update(counts=plan.counts(), refused=plan.refused[:DISPLAY_LIMIT], added=plan.added[:DISPLAY_LIMIT])
    return render(request, "documents/import.html", context)


@login_required
def register_import(request):
    group = _group(request)
    access = get_access(request.user)
    if not (access.is_superuser or access.scopes("manage")):
        raise PermissionDenied
    if request.method == "GET" and request.GET.get("mall") == "xlsx":
        headers, rows = register_io.template_rows(group)
        return xlsx_response("styrdokument-mall.xlsx", _("Governing documents"), headers, rows)
    action = request.POST.get("action", "preview") if request.method == "POST" else ""
    if action == "apply":
        return _apply(request, group)
    if action == "cancel":
        PENDING.discard(request)
        messages.info(request, _("The import was cancelled. Nothing was changed."))
        return redirect("documents:import")
    refused = refused_rows.handle(
        request,
        PENDING,
        group,
        lambda data, filename: _read(request, group, data, filename, PENDING.options(request)),
        reverse("documents:import"),
    )
    if refused is not None:
        return refused

    def check_waiting(data, filename):
        options = PENDING.options(request)
        return _check(request, group, ImportForm(initial=options), data, filename, options)

    mapped = MAPPING.handle(
        request,
        group,
        check=check_waiting,
        render=lambda mapping: _render(request, ImportForm(initial=PENDING.options(request)), **mapping),
        back=reverse("documents:import"),
        read=lambda data, filename: _read(request, group, data, filename, PENDING.options(request)),
    )
    if mapped is not None:
        return mapped

    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read(tabular.MAX_BYTES + 1)
        return _check(request, group, form, data, upload.name or "", form.options())
    return _render(request, form)


def _read(request, group, data: bytes, filename: str, options: dict):
    """The file read and checked as the import reads it, with the options chosen with it: (table, plan)."""
    table = register_io.parse_file(data, filename, group)
    skip = bool(options.get("skip_registered"))
    return table, register_io.build_plan(table, group, request.user, skip_registered=skip)


def _check(request, group, form, data: bytes, filename: str, options: dict):
    """The dry run of a file; or, when its columns are not the ones known, the mapping step."""
    table, plan = _read(request, group, data, filename, options)
    if table.needs_mapping:
        return _render(request, form, **MAPPING.start(request, group, data, filename, table, options))
    if plan.file_errors:
        PENDING.discard(request)
        if form.is_bound:
            for message in plan.file_errors:
                form.add_error("file", message)
            return _render(request, form)
        return _render(request, form, alert=" ".join(plan.file_errors))
    token = PENDING.store(request, data, plan.filename, group, options)  # also for choosing the columns again
    values_form = MAPPING.values_form(group, request.user, plan)
    return _render(request, form, plan, token if plan.can_apply else None, mapping_token=token, values_form=values_form)


def _apply(request, group):
    loaded = PENDING.load(request, request.POST.get("token", ""), group)
    if loaded is None:
        messages.error(request, _("The checked file is no longer available. Upload it again."))
        return redirect("documents:import")
    data, filename = loaded
    skip = bool(PENDING.options(request).get("skip_registered"))
    try:
        plan = register_io.import_file(data, filename, group, request.user, skip_registered=skip)
    except (DatabaseError, StaleEditError):
        PENDING.discard(request)
        alert = _("Nothing was imported: the register changed while importing. Check the file again.")
        return _render(request, ImportForm(), alert=alert)
    PENDING.discard(request)
    if not plan.applied:
        if plan.file_errors:
            alert = " ".join([_("Nothing was imported:"), *plan.file_errors])
        else:
            alert = _(
                "Nothing was imported: when checked again, the file no longer passes (someone may have "
                "changed the register meanwhile). Correct the rows below and upload the file again."
            )
        return _render(request, ImportForm(), plan, alert=alert)
    messages.success(
        request,
        _("The import is done: %(n)s documents were added to the register.") % {"n": len(plan.documents)}
        + plan.skipped_note(),
    )
    return redirect("documents:list")
