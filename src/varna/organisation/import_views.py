"""Import of people and units from a file: upload → dry run → import (see importer.py, docs/import.md)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from varna.core import import_forms, refused_rows
from varna.core.column_mapping import MappingStep
from varna.core.context_processors import current_group
from varna.core.models import StaleEditError
from varna.core.pending_uploads import PendingUploads
from varna.core.permissions import get_access

from . import importer

# The file waits between the dry run and the confirmation: see core/pending_uploads.py.
PENDING = PendingUploads("people", "varna_import")
# When the file's columns are not the ones known (an HR system's own export): the user says what
# they hold (core/column_mapping.py).
MAPPING = MappingStep(
    importer.IMPORT_KIND,
    PENDING,
    lambda data, filename, group: importer.parse_file(data, filename, group, header_only=True),
    lambda group: importer.COLUMNS,
    importer.required_columns,
    importer.value_choices,
)
DISPLAY_LIMIT = 500
"""Rows shown per table on the dry-run page; the counts always cover the whole file."""


class ImportForm(import_forms.ImportForm):
    max_bytes = importer.MAX_BYTES


def _render(request, form, plan=None, token=None, alert=None, mapping=None, mapping_token=None, values_form=None):
    context = {
        "form": form,
        "plan": plan,
        "token": token,
        "mapping_token": mapping_token,
        "mapping": mapping,
        "values_form": values_form,
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

    refused = refused_rows.handle(
        request,
        PENDING,
        group,
        lambda data, filename: _read(request, group, data, filename),
        reverse("organisation:import"),
    )
    if refused is not None:
        return refused
    mapped = MAPPING.handle(
        request,
        group,
        check=lambda data, filename: _check(request, group, ImportForm(), data, filename),
        render=lambda mapping: _render(request, ImportForm(), **mapping),
        back=reverse("organisation:import"),
        read=lambda data, filename: _read(request, group, data, filename),
    )
    if mapped is not None:
        return mapped

    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        return _check(request, group, form, upload.read(importer.MAX_BYTES + 1), upload.name or "")
    return _render(request, form)


def _read(request, group, data: bytes, filename: str):
    """The file read and checked as the import reads it: (table, plan)."""
    table = importer.parse_file(data, filename, group)
    return table, importer.build_plan(table, group, request.user)


def _check(request, group, form, data: bytes, filename: str):
    """The dry run of a file; or, when its columns are not the ones known, the mapping step."""
    table, plan = _read(request, group, data, filename)
    if table.needs_mapping:
        return _render(request, form, **MAPPING.start(request, group, data, filename, table))
    if plan.file_errors:
        PENDING.discard(request)
        if form.is_bound:
            for message in plan.file_errors:
                form.add_error("file", message)
            return _render(request, form)
        return _render(request, form, alert=" ".join(plan.file_errors))
    token = PENDING.store(request, data, plan.filename, group)  # also for choosing the columns again
    values_form = MAPPING.values_form(group, request.user, plan)
    return _render(request, form, plan, token if plan.can_apply else None, mapping_token=token, values_form=values_form)


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
