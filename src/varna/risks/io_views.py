"""An existing risk register from Excel or CSV: upload → dry run → import (register_io.py holds
the rules). The same steps and page as the import of governing documents (documents/io_views.py);
the analysis the risks go to is chosen on the form."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from varna.core import refused_rows, tabular
from varna.core.column_mapping import MappingStep
from varna.core.import_forms import RegisterImportForm
from varna.core.models import StaleEditError
from varna.core.params import int_param
from varna.core.pending_uploads import PendingUploads
from varna.core.permissions import get_access
from varna.core.spreadsheets import xlsx_response

from . import register_io
from .models import Analysis
from .views import _group

# The file waits between the dry run and the confirmation: see core/pending_uploads.py. The
# analysis chosen for it and whether to skip risks already registered are kept beside it, so
# that the import goes where the dry run said.
PENDING = PendingUploads("risks", "varna_risk_import")
# When the file's columns are not the ones known: the user says what they hold (core/column_mapping.py).
MAPPING = MappingStep(
    register_io.IMPORT_KIND,
    PENDING,
    lambda data, filename, group: register_io.parse_file(data, filename, group, header_only=True),
    register_io.columns_for,
    register_io.REQUIRED,
    register_io.value_choices,
)
DISPLAY_LIMIT = 500


def _may_import(request):
    """The group, if the user may register risks somewhere (as for the form for a new risk)."""
    group = _group(request)
    access = get_access(request.user)
    if not (access.is_superuser or access.scopes("change")):
        raise PermissionDenied
    return group


def _analyses(user, group, chosen: int | None):
    """The analyses offered: RSAs, ongoing analyses and the one asked for, as far as the user
    may see them (the same choice as the risk list's filter)."""
    choice = Q(kind=Analysis.Kind.RVA) | Q(status=Analysis.State.ONGOING)
    if chosen is not None:
        choice |= Q(pk=chosen)
    return Analysis.objects.restrict(user).filter(group=group).filter(choice).order_by("-started_on", "title")


class ImportForm(RegisterImportForm):
    analysis = forms.ModelChoiceField(
        label=gettext_lazy("Analysis"),
        queryset=Analysis.objects.none(),
        required=False,
        empty_label=gettext_lazy("– No analysis –"),
        help_text=gettext_lazy("Every risk in the file is added to this analysis."),
    )
    field_order = ["analysis", "file", "skip_registered"]

    def __init__(self, *args, user, group, chosen=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["analysis"].queryset = _analyses(user, group, chosen)

    def options(self) -> dict:
        analysis = self.cleaned_data.get("analysis")
        return {**super().options(), "analysis": analysis.pk if analysis else None}


def _render(
    request, form, plan=None, token=None, alert=None, columns=(), mapping=None, mapping_token=None, values_form=None
):
    context = {
        "form": form,
        "plan": plan,
        "token": token,
        "mapping_token": mapping_token,
        "mapping": mapping,
        "values_form": values_form,
        "alert": alert,
        "columns": columns,
        "required": register_io.REQUIRED,
        "limit": DISPLAY_LIMIT,
    }
    if plan is not None:
        context.update(counts=plan.counts(), refused=plan.refused[:DISPLAY_LIMIT], added=plan.added[:DISPLAY_LIMIT])
    return render(request, "risks/import.html", context)


def _form(request, group, data=None, files=None, options=None):
    """The upload form; after the mapping step, with the options chosen with the file waiting."""
    if options is not None:
        chosen = options.get("analysis")
        return ImportForm(initial=options, user=request.user, group=group, chosen=chosen)
    chosen = int_param(request, "analysis", source="POST") if data is not None else int_param(request, "analys")
    form = ImportForm(data, files, user=request.user, group=group, chosen=chosen)
    if data is None and chosen is not None:
        form.initial["analysis"] = chosen
    return form


NO_ANALYSIS = object()
"""The analysis chosen with a file is no longer one the user may see."""


def _analysis(request, group, options: dict):
    """The analysis chosen with the file (None for none), or NO_ANALYSIS."""
    chosen = options.get("analysis")
    if chosen is None:
        return None
    return Analysis.objects.restrict(request.user).filter(group=group, pk=chosen).first() or NO_ANALYSIS


@login_required
def risk_import(request):
    group = _may_import(request)
    columns = register_io.columns_for(group)
    action = request.POST.get("action", "preview") if request.method == "POST" else ""
    if action == "apply":
        return _apply(request, group, columns)
    if action == "cancel":
        PENDING.discard(request)
        messages.info(request, _("The import was cancelled. Nothing was changed."))
        return redirect("risks:import")

    refused = refused_rows.handle(
        request,
        PENDING,
        group,
        lambda data, filename: _read(request, group, data, filename, PENDING.options(request)),
        reverse("risks:import"),
    )
    if refused is not None:
        return refused

    def check_waiting(data, filename):
        options = PENDING.options(request)
        return _check(request, group, _form(request, group, options=options), columns, data, filename, options)

    mapped = MAPPING.handle(
        request,
        group,
        check=check_waiting,
        render=lambda mapping: _render(
            request, _form(request, group, options=PENDING.options(request)), columns=columns, **mapping
        ),
        back=reverse("risks:import"),
        read=lambda data, filename: _read(request, group, data, filename, PENDING.options(request)),
    )
    if mapped is not None:
        return mapped

    form = _form(request, group, request.POST, request.FILES) if request.method == "POST" else _form(request, group)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read(tabular.MAX_BYTES + 1)
        return _check(request, group, form, columns, data, upload.name or "", form.options())
    return _render(request, form, columns=columns)


def _read(request, group, data: bytes, filename: str, options: dict):
    """The file read and checked as the import reads it, with the options chosen with it: (table, plan)."""
    analysis = _analysis(request, group, options)
    table = register_io.parse_file(data, filename, group)
    analysis = None if analysis is NO_ANALYSIS else analysis
    skip = bool(options.get("skip_registered"))
    return table, register_io.build_plan(table, group, request.user, analysis, skip_registered=skip)


def _analysis_gone(request, group, columns):
    PENDING.discard(request)
    alert = _("Nothing was imported: the analysis is no longer available to you.")
    return _render(request, _form(request, group), alert=alert, columns=columns)


def _check(request, group, form, columns, data: bytes, filename: str, options: dict):
    """The dry run of a file; or, when its columns are not the ones known, the mapping step."""
    analysis = _analysis(request, group, options)
    if analysis is NO_ANALYSIS:
        return _analysis_gone(request, group, columns)
    table = register_io.parse_file(data, filename, group)
    if table.needs_mapping:
        return _render(request, form, columns=columns, **MAPPING.start(request, group, data, filename, table, options))
    skip = bool(options.get("skip_registered"))
    plan = register_io.build_plan(table, group, request.user, analysis, skip_registered=skip)
    if plan.file_errors:
        PENDING.discard(request)
        if form.is_bound:
            for message in plan.file_errors:
                form.add_error("file", message)
            return _render(request, form, columns=columns)
        return _render(request, form, alert=" ".join(plan.file_errors), columns=columns)
    token = PENDING.store(request, data, plan.filename, group, options)  # also for choosing the columns again
    values_form = MAPPING.values_form(group, request.user, plan)
    token_if = token if plan.can_apply else None
    return _render(request, form, plan, token_if, columns=columns, mapping_token=token, values_form=values_form)


def _apply(request, group, columns):
    loaded = PENDING.load(request, request.POST.get("token", ""), group)
    if loaded is None:
        messages.error(request, _("The checked file is no longer available. Upload it again."))
        return redirect("risks:import")
    data, filename = loaded
    options = PENDING.options(request)
    analysis = _analysis(request, group, options)
    if analysis is NO_ANALYSIS:
        return _analysis_gone(request, group, columns)
    skip = bool(options.get("skip_registered"))
    try:
        plan = register_io.import_file(data, filename, group, request.user, analysis, skip_registered=skip)
    except (DatabaseError, StaleEditError):
        PENDING.discard(request)
        alert = _("Nothing was imported: the register changed while importing. Check the file again.")
        return _render(request, _form(request, group), alert=alert, columns=columns)
    PENDING.discard(request)
    if not plan.applied:
        if plan.file_errors:
            alert = " ".join([_("Nothing was imported:"), *plan.file_errors])
        else:
            alert = _(
                "Nothing was imported: when checked again, the file no longer passes (someone may have "
                "changed the register meanwhile). Correct the rows below and upload the file again."
            )
        return _render(request, _form(request, group), plan, alert=alert, columns=columns)
    n = len(plan.risks)
    messages.success(
        request,
        ngettext(
            "The import is done: %(n)s risk was added to the register.",
            "The import is done: %(n)s risks were added to the register.",
            n,
        )
        % {"n": n}
        + plan.skipped_note(),
    )
    url = reverse("risks:list")
    return redirect(f"{url}?analys={analysis.pk}" if analysis else url)


@login_required
def import_template(request):
    """A file to fill in: the column names of the group's profile and an example row."""
    group = _may_import(request)
    headers, rows = register_io.template_rows(group, request.user)
    return xlsx_response("risker-mall.xlsx", _("Risks"), headers, rows)
