"""Historical incidents from Excel or CSV: upload → dry run → import (register_io.py holds the
rules). The same steps and page as the import of risks (risks/io_views.py). Large files are
checked and written in the background (import_jobs.py) with a page that shows how far they have
come; the dry run it ends with offers the same choice as the page of a small file."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from varna.core import tabular
from varna.core.models import StaleEditError
from varna.core.permissions import get_access
from varna.core.spreadsheets import xlsx_response

from . import import_jobs, register_io
from .views import _group

PENDING = import_jobs.PENDING
# The number of rows of the checked file, beside it in the session (None while a large file is
# checked in the background): above import_jobs.BACKGROUND_ROWS it is written in the background.
ROWS_KEY = "varna_incident_import_rows"
ACCEPT = ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _may_import(request):
    """The group, if the user may change incidents somewhere (the rows are checked one by one)."""
    group = _group(request)
    access = get_access(request.user)
    if not (access.is_superuser or access.scopes("change")):
        raise PermissionDenied
    return group


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
        if upload.size > register_io.MAX_BYTES:
            raise ValidationError(tabular.too_large_message(register_io.MAX_BYTES))
        return upload


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


def _render(request, form, plan=None, token=None, alert=None):
    context = {
        "form": form,
        "plan": plan,
        "token": None,
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

    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    plan = token = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read(register_io.MAX_BYTES + 1)
        filename = (upload.name or "")[:200]
        if len(data) > import_jobs.BACKGROUND_BYTES:
            # Reading and checking it could outlast the request: the dry run runs in the background.
            token = PENDING.store(request, data, filename, group)
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
            )
            return redirect("incidents:import-progress", token=token)
        with register_io.without_cyclic_gc():
            table = register_io.parse_file(data, filename)
            plan = register_io.build_plan(table, group, request.user)
            del table
        if plan.file_errors:
            for message in plan.file_errors:
                form.add_error("file", message)
            plan = None
            _discard(request)
        elif plan.can_apply:
            token = PENDING.store(request, data, plan.filename, group)
            request.session[ROWS_KEY] = {"token": token, "rows": len(plan.rows)}
        else:
            _discard(request)
    return _render(request, form, plan, token)


def _apply(request, group):
    token = request.POST.get("token", "")
    loaded = PENDING.load(request, token, group)
    stored = request.session.get(ROWS_KEY)
    if loaded is None or not isinstance(stored, dict) or stored.get("token") != token:
        messages.error(request, _("The checked file is no longer available. Upload it again."))
        return redirect("incidents:import")
    data, filename = loaded
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
        )
        return redirect("incidents:import-progress", token=token)
    try:
        plan = register_io.import_file(data, filename, group, request.user)
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
    messages.success(request, _added_message(plan.created))
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
    response = render(request, "incidents/import_progress.html", context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
def import_template(request):
    """A file to fill in: the column names and an example row."""
    group = _may_import(request)
    headers, rows = register_io.template_rows(group, request.user)
    return xlsx_response("handelser-mall.xlsx", _("Incidents"), headers, rows)
