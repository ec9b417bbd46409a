"""Historical incidents from Excel or CSV: upload → dry run → import (register_io.py holds the
rules). The same steps and page as the import of risks (risks/io_views.py). Large files are
checked and written in the background (import_jobs.py) with a page that shows how far they have
come; the dry run it ends with offers the same choices as the page of a small file."""

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from varna.core import refused_rows
from varna.core.column_mapping import MappingStep
from varna.core.import_forms import RegisterImportForm
from varna.core.models import StaleEditError
from varna.core.permissions import get_access
from varna.core.spreadsheets import XLSX_CONTENT_TYPE, xlsx_response

from . import import_jobs, register_io
from .views import _group

PENDING = import_jobs.PENDING
# The number of rows of the checked file, beside it in the session (None while a large file is
# checked in the background): above import_jobs.BACKGROUND_ROWS it is written in the background.
ROWS_KEY = "varna_incident_import_rows"
# When the file's columns are not the ones known (another system's export): the user says what
# they hold (core/column_mapping.py), before any check, also of a large file.
MAPPING = MappingStep(
    register_io.IMPORT_KIND,
    PENDING,
    lambda data, filename, group: register_io.parse_file(data, filename, group, header_only=True),
    lambda group: register_io.COLUMNS,
    register_io.REQUIRED,
    register_io.value_choices,
)


def _may_import(request):
    """The group, if the user may change incidents somewhere (the rows are checked one by one)."""
    group = _group(request)
    access = get_access(request.user)
    if not (access.is_superuser or access.scopes("change")):
        raise PermissionDenied
    return group


class ImportForm(RegisterImportForm):
    max_bytes = register_io.MAX_BYTES


def _dry_run_context(summary: dict, token: str | None) -> dict:
    """What templates/incidents/_dry_run.html shows, from import_jobs.dry_run_summary."""
    counts = summary["counts"]
    return {
        "run": summary,
        "counts": counts,
        "token": token if summary["can_apply"] else None,
        "background": counts[register_io.ADDED] > import_jobs.BACKGROUND_ROWS,
        "limit": import_jobs.SHOWN_ROWS,
    }


def _render(request, form, plan=None, token=None, alert=None, mapping=None, mapping_token=None, values_form=None):
    context = {
        "form": form,
        "plan": plan,
        "token": None,
        "mapping_token": mapping_token,
        "mapping": mapping,
        "values_form": values_form,
        "alert": alert,
        "columns": register_io.COLUMNS,
        "required": register_io.REQUIRED,
        "max_rows": register_io.MAX_ROWS,
        "max_megabytes": f"{register_io.MAX_BYTES / 1048576:.3g}".replace(".", ","),
    }
    if plan is not None:
        context.update(_dry_run_context(import_jobs.dry_run_summary(plan), token))
    return render(request, "incidents/import.html", context)


def _discard(request):
    PENDING.discard(request)
    request.session.pop(ROWS_KEY, None)


def _language() -> str:
    return translation.get_language() or "sv"


@login_required
def incident_import(request):
    group = _may_import(request)
    action = request.POST.get("action", "preview") if request.method == "POST" else ""
    if action == "apply":
        return _apply(request, group)
    if action == "cancel":
        _discard(request)
        messages.info(request, _("The import was cancelled. Nothing was changed."))
        return redirect("incidents:import")

    refused = refused_rows.handle(
        request,
        PENDING,
        group,
        lambda data, filename: _read(request, group, data, filename, PENDING.options(request)),
        reverse("incidents:import"),
    )
    if refused is not None:
        return refused
    mapped = _mapping_step(
        request, group, lambda data, filename: _read(request, group, data, filename, PENDING.options(request))
    )
    if mapped is not None:
        return mapped

    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read(register_io.MAX_BYTES + 1)
        return _check(request, group, form, data, (upload.name or "")[:200], form.options())
    return _render(request, form)


def _mapping_step(request, group, read):
    """MAPPING's actions on a dry run (None for any other); `read(data, filename)` → (table, plan)
    for the meanings of words."""

    def check_waiting(data, filename):
        options = PENDING.options(request)
        return _check(request, group, ImportForm(initial=options), data, filename, options)

    return MAPPING.handle(
        request,
        group,
        check=check_waiting,
        render=lambda mapping: _render(request, ImportForm(initial=PENDING.options(request)), **mapping),
        back=reverse("incidents:import"),
        read=read,
    )


def _read(request, group, data: bytes, filename: str, options: dict):
    """The file read and checked as the import reads it, with the options chosen with it: (table, plan)."""
    table = register_io.parse_file(data, filename, group)
    skip = bool(options.get("skip_registered"))
    return table, register_io.build_plan(table, group, request.user, skip_registered=skip)


def _check(request, group, form, data: bytes, filename: str, options: dict):
    """The dry run of a file (in the background for a large one); or, when its columns are not
    the ones known, the mapping step."""
    if len(data) > import_jobs.BACKGROUND_BYTES:
        header = register_io.parse_file(data, filename, group, header_only=True)
        if header.needs_mapping:
            return _render(request, form, **MAPPING.start(request, group, data, filename, header, options))
        # Reading and checking it could outlast the request: the dry run runs in the background.
        token = PENDING.store(request, data, filename, group, options)
        request.session[ROWS_KEY] = {"token": token, "rows": None}
        import_jobs.start(
            import_jobs.CHECK,
            token=token,
            data=data,
            filename=filename,
            group=group,
            user=request.user,
            rows=None,
            language=_language(),
            skip_registered=bool(options.get("skip_registered")),
        )
        return redirect("incidents:import-progress", token=token)
    with register_io.without_cyclic_gc():
        table = register_io.parse_file(data, filename, group)
        if table.needs_mapping:
            return _render(request, form, **MAPPING.start(request, group, data, filename, table, options))
        plan = register_io.build_plan(table, group, request.user, skip_registered=bool(options.get("skip_registered")))
        del table
    if plan.file_errors:
        _discard(request)
        if form.is_bound:
            for message in plan.file_errors:
                form.add_error("file", message)
            return _render(request, form)
        return _render(request, form, alert=" ".join(plan.file_errors))
    token = PENDING.store(request, data, plan.filename, group, options)  # also for choosing the columns again
    request.session[ROWS_KEY] = {"token": token, "rows": len(plan.rows)}
    values_form = MAPPING.values_form(group, request.user, plan)
    return _render(request, form, plan, token, mapping_token=token, values_form=values_form)


def _apply(request, group):
    token = request.POST.get("token", "")
    loaded = PENDING.load(request, token, group)
    stored = request.session.get(ROWS_KEY)
    if loaded is None or not isinstance(stored, dict) or stored.get("token") != token:
        messages.error(request, _("The checked file is no longer available. Upload it again."))
        return redirect("incidents:import")
    data, filename = loaded
    skip = bool(PENDING.options(request).get("skip_registered"))
    rows = stored.get("rows")
    if rows is None:
        # Checked in the background: its dry run must have ended, and passed.
        state = import_jobs.read_progress(token) or {}
        if state.get("state") != import_jobs.CHECKED or not state.get("can_apply"):
            return redirect("incidents:import-progress", token=token)
        rows = state["counts"][register_io.ADDED]
    if not isinstance(rows, int) or rows > import_jobs.BACKGROUND_ROWS:
        # The task owns the file from now on: out of the session, so that a new upload does not
        # remove it; the task removes it when done (or the day-old sweep does).
        request.session.pop(PENDING.session_key, None)
        request.session.pop(ROWS_KEY, None)
        import_jobs.start(
            import_jobs.IMPORT,
            token=token,
            data=data,
            filename=filename,
            group=group,
            user=request.user,
            rows=rows if isinstance(rows, int) else None,
            language=_language(),
            skip_registered=skip,
        )
        return redirect("incidents:import-progress", token=token)
    try:
        plan = register_io.import_file(data, filename, group, request.user, skip_registered=skip)
    except (DatabaseError, StaleEditError):
        _discard(request)
        alert = _("Nothing was imported: the register changed while importing. Check the file again.")
        return _render(request, ImportForm(), alert=alert)
    _discard(request)
    if not plan.applied:
        if plan.file_errors:
            alert = " ".join([_("Nothing was imported:"), *plan.file_errors])
        else:
            alert = _(
                "Nothing was imported: when checked again, the file no longer passes (someone may have "
                "changed the register meanwhile). Correct the rows below and upload the file again."
            )
        return _render(request, ImportForm(), plan, alert=alert)
    messages.success(request, _added_message(plan.created) + plan.skipped_note())
    return redirect("incidents:list")


def _added_message(n: int) -> str:
    return ngettext(
        "The import is done: %(n)s incident was added to the register.",
        "The import is done: %(n)s incidents were added to the register.",
        n,
    ) % {"n": n}


@login_required
def import_progress(request, token):
    """How far a background check or import has come; the page updates itself (varna/poll.js)
    until it has ended, and has a link to reload it without JavaScript."""
    group = _may_import(request)
    state = import_jobs.read_progress(token)
    if state is None or state.get("user") != request.user.pk or state.get("group") != group.pk:
        raise Http404
    if request.method == "POST":
        return _progress_choice(request, group, token, state)
    total = state.get("total") or 0
    done = min(state.get("done") or 0, total)
    context = {
        "state": state,
        "job": state.get("job"),
        "running": state.get("state") in import_jobs.RUNNING,
        "done": done,
        "total": total,
        "percent": int(done * 100 / total) if total else 0,
        "added_message": _added_message(state.get("added") or 0) if state.get("state") == import_jobs.DONE else "",
    }
    if state.get("state") in (import_jobs.CHECKED, import_jobs.REFUSED) and "counts" in state:
        context.update(_dry_run_context(state, token if state.get("state") == import_jobs.CHECKED else None))
    if state.get("state") == import_jobs.CHECKED:
        # The file waits, as after a small file's dry run, and the dry run's forms post here.
        context.update(mapping_token=token, values_form=MAPPING.values_form(group, request.user, _checked(state)))
    response = render(request, "incidents/import_progress.html", context)
    response["Cache-Control"] = "no-store"
    return response


@dataclass
class _Checked(register_io.Plan):
    """A background dry run as its page's choices read a plan: from the summary it kept, for the
    large file is not read again in the request."""

    unknown: dict = field(default_factory=dict)

    def unknown_values(self) -> dict[str, dict[str, int]]:
        return self.unknown


def _checked(state: dict) -> _Checked:
    return _Checked(filename=state.get("filename", ""), unknown=state.get("unknown") or {})


def _progress_choice(request, group, token: str, state: dict):
    """A choice on a background dry run's page, whose forms post to it: the refused rows the check
    wrote, the meanings of the words it did not know (the file is then checked again in the
    background); any other as on the import page."""
    if request.POST.get("action") == "refused":
        try:
            workbook = import_jobs.refused_path(token).open("rb")
        except OSError:
            messages.error(request, _("The checked file is no longer available. Upload it again."))
            return redirect("incidents:import")
        name = refused_rows.download_name(state.get("filename", ""))
        response = FileResponse(workbook, as_attachment=True, filename=name, content_type=XLSX_CONTENT_TYPE)
        response["Cache-Control"] = "private, no-store"
        return response
    checked = _checked(state)
    return _mapping_step(request, group, lambda data, filename: (None, checked)) or incident_import(request)


@login_required
def import_template(request):
    """A file to fill in: the column names and an example row."""
    group = _may_import(request)
    headers, rows = register_io.template_rows(group, request.user)
    return xlsx_response("handelser-mall.xlsx", _("Incidents"), headers, rows)
