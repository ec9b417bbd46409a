"""An existing risk register from Excel or CSV: upload → dry run → import (register_io.py holds
the rules). The same steps and page as the import of governing documents (documents/io_views.py);
the analysis the risks go to is chosen on the form."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from varna.core import tabular
from varna.core.models import StaleEditError
from varna.core.params import int_param
from varna.core.pending_uploads import PendingUploads
from varna.core.permissions import get_access
from varna.core.spreadsheets import xlsx_response

from . import register_io
from .models import Analysis
from .views import _group

# The file waits between the dry run and the confirmation: see core/pending_uploads.py. The
# analysis chosen for it is kept in the session beside it, so that the import goes where the
# dry run said.
PENDING = PendingUploads("risks", "varna_risk_import")
ANALYSIS_KEY = "varna_risk_import_analysis"
DISPLAY_LIMIT = 500
ACCEPT = ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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


class ImportForm(forms.Form):
    analysis = forms.ModelChoiceField(
        label=gettext_lazy("Analysis"),
        queryset=Analysis.objects.none(),
        required=False,
        empty_label=gettext_lazy("– No analysis –"),
        help_text=gettext_lazy("Every risk in the file is added to this analysis."),
    )
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "A CSV file (separated by semicolons or commas) or an Excel workbook (.xlsx). "
            "The first row holds the column names."
        ),
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
    )

    def __init__(self, *args, user, group, chosen=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["analysis"].queryset = _analyses(user, group, chosen)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > tabular.MAX_BYTES:
            raise ValidationError(tabular.too_large_message())
        return upload


def _render(request, form, plan=None, token=None, alert=None, columns=()):
    context = {
        "form": form,
        "plan": plan,
        "token": token,
        "alert": alert,
        "columns": columns,
        "required": register_io.REQUIRED,
        "limit": DISPLAY_LIMIT,
    }
    if plan is not None:
        context.update(counts=plan.counts(), refused=plan.refused[:DISPLAY_LIMIT], added=plan.added[:DISPLAY_LIMIT])
    return render(request, "risks/import.html", context)


def _form(request, group, data=None, files=None):
    chosen = int_param(request, "analysis", source="POST") if data is not None else int_param(request, "analys")
    form = ImportForm(data, files, user=request.user, group=group, chosen=chosen)
    if data is None and chosen is not None:
        form.initial["analysis"] = chosen
    return form


def _discard(request):
    PENDING.discard(request)
    request.session.pop(ANALYSIS_KEY, None)


@login_required
def risk_import(request):
    group = _may_import(request)
    columns = register_io.columns_for(group)
    action = request.POST.get("action", "preview") if request.method == "POST" else ""
    if action == "apply":
        return _apply(request, group, columns)
    if action == "cancel":
        _discard(request)
        messages.info(request, _("The import was cancelled. Nothing was changed."))
        return redirect("risks:import")

    form = _form(request, group, request.POST, request.FILES) if request.method == "POST" else _form(request, group)
    plan = token = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        analysis = form.cleaned_data["analysis"]
        data = upload.read(tabular.MAX_BYTES + 1)
        table = register_io.parse_file(data, upload.name or "", group)
        plan = register_io.build_plan(table, group, request.user, analysis)
        if plan.file_errors:
            for message in plan.file_errors:
                form.add_error("file", message)
            plan = None
            _discard(request)
        elif plan.can_apply:
            token = PENDING.store(request, data, plan.filename, group)
            request.session[ANALYSIS_KEY] = {"token": token, "analysis": analysis.pk if analysis else None}
        else:
            _discard(request)
    return _render(request, form, plan, token, columns=columns)


def _apply(request, group, columns):
    token = request.POST.get("token", "")
    loaded = PENDING.load(request, token, group)
    stored = request.session.get(ANALYSIS_KEY)
    if loaded is None or not isinstance(stored, dict) or stored.get("token") != token:
        messages.error(request, _("The checked file is no longer available. Upload it again."))
        return redirect("risks:import")
    data, filename = loaded
    analysis = None
    if stored.get("analysis") is not None:
        analysis = Analysis.objects.restrict(request.user).filter(group=group, pk=stored["analysis"]).first()
        if analysis is None:
            _discard(request)
            alert = _("Nothing was imported: the analysis is no longer available to you.")
            return _render(request, _form(request, group), alert=alert, columns=columns)
    try:
        plan = register_io.import_file(data, filename, group, request.user, analysis)
    except (DatabaseError, StaleEditError):
        _discard(request)
        alert = _("Nothing was imported: the register changed while importing. Check the file again.")
        return _render(request, _form(request, group), alert=alert, columns=columns)
    _discard(request)
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
        % {"n": n},
    )
    url = reverse("risks:list")
    return redirect(f"{url}?analys={analysis.pk}" if analysis else url)


@login_required
def import_template(request):
    """A file to fill in: the column names of the group's profile and an example row."""
    group = _may_import(request)
    headers, rows = register_io.template_rows(group, request.user)
    return xlsx_response("risker-mall.xlsx", _("Risks"), headers, rows)
