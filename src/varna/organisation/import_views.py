"""Import of people and units from a file: upload → dry run → import (see importer.py, docs/import.md)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from varna.core import tabular
from varna.core.context_processors import current_group
from varna.core.models import StaleEditError
from varna.core.pending_uploads import PendingUploads
from varna.core.permissions import get_access

from . import importer

# The file waits between the dry run and the confirmation: see core/pending_uploads.py.
PENDING = PendingUploads("people", "varna_import")
DISPLAY_LIMIT = 500
"""Rows shown per table on the dry-run page; the counts always cover the whole file."""

ACCEPT = ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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
        if upload.size > importer.MAX_BYTES:
            raise ValidationError(tabular.too_large_message(importer.MAX_BYTES))
        return upload


def _render(request, form, plan=None, token=None, alert=None):
    context = {
        "form": form,
        "plan": plan,
        "token": token,
        "alert": alert,
        "columns": importer.COLUMNS,
        "limit": DISPLAY_LIMIT,
    }
    if plan is not None:
        counts = plan.counts()
        context.update(
            counts=counts,
            refused=plan.refused[:DISPLAY_LIMIT],
            added=plan.added[:DISPLAY_LIMIT],
            changed=plan.changed[:DISPLAY_LIMIT],
            unchanged=plan.unchanged[:DISPLAY_LIMIT],
        )
    return render(request, "organisation/import.html", context)


@login_required
def import_people(request):
    group = current_group(request)
    if group is None:
        raise PermissionDenied  # a user in no municipal group may import nothing
    access = get_access(request.user)
    if not (access.is_superuser or access.scopes("manage")):
        raise PermissionDenied
    action = request.POST.get("action", "preview") if request.method == "POST" else ""
    if action == "apply":
        return _apply(request, group)
    if action == "cancel":
        PENDING.discard(request)
        messages.info(request, _("The import was cancelled. Nothing was changed."))
        return redirect("organisation:import")

    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    plan = token = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read(importer.MAX_BYTES + 1)
        plan = importer.build_plan(importer.parse_file(data, upload.name or ""), group, request.user)
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
        return redirect("organisation:import")
    data, filename = loaded
    try:
        plan = importer.import_file(data, filename, group, request.user)
    except (DatabaseError, StaleEditError):
        # Someone changed the same records at the same moment; the transaction was rolled back.
        PENDING.discard(request)
        alert = _("Nothing was imported: the organisation changed while importing. Check the file again.")
        return _render(request, ImportForm(), alert=alert)
    PENDING.discard(request)
    if not plan.applied:
        if plan.file_errors:
            alert = " ".join([_("Nothing was imported:"), *plan.file_errors])
        elif plan.refused:
            alert = _(
                "Nothing was imported: when checked again, the file no longer passes (someone may have "
                "changed the organisation meanwhile). Correct the rows below and upload the file again."
            )
        else:
            alert = _("Nothing was imported: there is nothing to add or change.")
        return _render(request, ImportForm(), plan, alert=alert)
    counts = plan.counts()
    messages.success(
        request,
        _("The import is done: %(added)s added, %(changed)s changed, %(unchanged)s unchanged.")
        % {"added": counts["added"], "changed": counts["changed"], "unchanged": counts["unchanged"]},
    )
    return redirect("organisation:group")
