"""Measures: the security programme (HJ-2), one list across the whole system."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from varna.core.access_log import get_logged_or_404
from varna.core.forms import STALE_MESSAGE
from varna.core.history import history_entries
from varna.core.models import StaleEditError
from varna.core.params import int_param
from varna.core.permissions import get_access
from varna.core.views import VersionedUpdateView, create_view
from varna.organisation.models import OrgUnit

from . import services
from .forms import MeasureForm
from .models import Measure, Risk
from .views import PAGE_SIZE, _group, _units, _with_group


def filter_measures(request, group):
    measures = Measure.objects.restrict(request.user).filter(group=group)
    filters = {
        "q": request.GET.get("q", "").strip(),
        "status": request.GET.get("status", ""),
        "forfallen": request.GET.get("forfallen", ""),
        "oppenhet": request.GET.get("oppenhet", ""),
    }
    if filters["q"]:
        measures = measures.filter(Q(title__icontains=filters["q"]) | Q(description__icontains=filters["q"]))
    if filters["status"] == "oppna":
        measures = measures.open()
    elif filters["status"] in Measure.State.values:
        measures = measures.filter(status=filters["status"])
    if filters["forfallen"] == "1":
        measures = measures.overdue()
    if filters["oppenhet"] == "ej-bedomd":
        measures = measures.filter(openness=Measure.Openness.NOT_ASSESSED)
    elif filters["oppenhet"] and filters["oppenhet"] in Measure.Openness.values:
        measures = measures.filter(openness=filters["oppenhet"])
    unit = None
    if int_param(request, "enhet") is not None:
        unit = OrgUnit.objects.restrict(request.user).filter(group=group, pk=int_param(request, "enhet")).first()
        if unit:
            measures = measures.filter(unit__path__startswith=unit.path)
    return measures, filters, unit


@login_required
def measure_list(request):
    group = _group(request)
    measures, filters, unit = filter_measures(request, group)
    ordered = measures.select_related("unit", "owner").order_by("due_date", "title", "pk")
    page = Paginator(ordered, PAGE_SIZE).get_page(request.GET.get("sida"))
    return render(
        request,
        "risks/measures.html",
        {
            "page": page,
            "filters": filters,
            "filter_unit": unit,
            "statuses": Measure.State.choices,
            "openness_choices": [c for c in Measure.Openness.choices if c[0]],
            "units": _units(request, group),
            "filter_unit_id": unit.pk if unit else None,
            "today": timezone.localdate(),
            "can_create": bool(get_access(request.user).scopes("change")),
        },
    )


def _measure(request, pk, action="view"):
    return get_logged_or_404(
        request,
        Measure.objects.restrict(request.user, action).select_related("group", "unit", "owner", "document__unit"),
        pk=pk,
    )


@login_required
def measure_detail(request, pk):
    measure = _measure(request, pk)
    document = measure.document
    if document is not None and not get_access(request.user).may_read(document):
        document = None  # the link is not shown to someone who may not see the document
    return render(
        request,
        "risks/measure_detail.html",
        {
            "measure": measure,
            "risks": _with_group(measure.risks.restrict(request.user).select_related("unit"), measure.group),
            "document": document,
            "history": history_entries(measure, request.user),
            "can_change": get_access(request.user).can("change", measure.unit),
        },
    )


@login_required
def measure_create(request):
    initial, risk = {}, None
    if int_param(request, "risk") is not None:
        risk = Risk.objects.restrict(request.user).filter(pk=int_param(request, "risk")).first()
        if risk:
            initial = {"risks": [risk.pk], "unit": risk.unit_id, "owner": risk.owner_id, "source": "risk"}
    return create_view(
        request,
        MeasureForm,
        title=_("New measure"),
        message=_("The measure was added to the security programme."),
        initial=initial,
        cancel=risk,
    )


class MeasureUpdateView(VersionedUpdateView):
    model = Measure
    form_class = MeasureForm


@login_required
@require_POST
def measure_complete(request, pk):
    measure = _measure(request, pk, "change")
    if not measure.is_open:
        messages.error(request, _("Only a planned or ongoing measure can be marked as done."))
        return redirect(measure)
    try:
        tasks = services.complete_measure(
            measure, user=request.user, expected_version=int_param(request, "version", source="POST") or 0
        )
    except StaleEditError:
        messages.error(request, str(STALE_MESSAGE))
    else:
        messages.success(
            request,
            _("The measure is done. The risks it treats are due for re-assessment (%(n)s tasks created).")
            % {"n": len(tasks)},
        )
    return redirect(measure)
