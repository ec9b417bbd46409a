"""The register of governing documents to Excel, and an existing register from Excel or CSV:
upload → dry run → import (register_io.py holds the rules)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from varna.core import tabular
from varna.core.access_log import log_reads
from varna.core.context_processors import current_group
from varna.core.models import StaleEditError
from varna.core.pending_uploads import PendingUploads
from varna.core.permissions import get_access
from varna.core.spreadsheets import xlsx_response

from . import register_io
from .views import filter_documents

# The file waits between the dry run and the confirmation: see core/pending_uploads.py.
PENDING = PendingUploads("documents", "varna_document_import")
DISPLAY_LIMIT = 500
ACCEPT = ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "A CSV file (separated by semicolons or commas) or an Excel workbook (.xlsx). "
            "The first row holds the column names."
        ),
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > tabular.MAX_BYTES:
            raise ValidationError(tabular.too_large_message())
        return upload


def _render(request, form, plan=None, token=None, alert=None):
    context = {
        "form": form,
        "plan": plan,
        "token": token,
        "alert": alert,
        "columns": register_io.COLUMNS,
        "required": register_io.REQUIRED,
        "limit": DISPLAY_LIMIT,
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

    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    plan = token = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read(tabular.MAX_BYTES + 1)
        plan = register_io.build_plan(register_io.parse_file(data, upload.name or ""), group, request.user)
        if plan.file_errors:
            for message in plan.file_errors:
                form.add_error("file", message)
            plan = None
            PENDING.discard(request)
        elif plan.can_apply:
            token = PENDING.store(request, data, plan.filename, group)
        else:
            PENDING.discard(request)
    return _render(request, form, plan, token)


def _apply(request, group):
    loaded = PENDING.load(request, request.POST.get("token", ""), group)
    if loaded is None:
        messages.error(request, _("The checked file is no longer available. Upload it again."))
        return redirect("documents:import")
    data, filename = loaded
    try:
        plan = register_io.import_file(data, filename, group, request.user)
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
        _("The import is done: %(n)s documents were added to the register.") % {"n": len(plan.documents)},
    )
    return redirect("documents:list")
