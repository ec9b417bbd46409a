"""Risks, analyses and the risk matrix."""

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from varna.core.access_log import get_logged_or_404, log_read
from varna.core.forms import STALE_MESSAGE
from varna.core.history import history_entries
from varna.core.models import StaleEditError
from varna.core.params import int_param
from varna.core.permissions import get_access
from varna.core.views import VersionedUpdateView, create_view
from varna.core.views import scoped_group as _group
from varna.organisation.models import OrgUnit

from . import report, services
from .forms import AcceptanceForm, AnalysisForm, AssessmentForm, RiskForm
from .models import Analysis, Measure, Risk, matrix_for
from .scoring import ScoringError, text_colour

PAGE_SIZE = 50
STALE_ASSESSMENT = gettext_lazy(
    "Someone else changed the risk after you opened the form. Nothing was saved: "
    "look at the risk again and redo your assessment."
)


def _units(request, group):
    return OrgUnit.objects.restrict(request.user).filter(group=group, depth__lte=2).order_by("path").only("pk", "name")


def _analysis_choices(request, group, selected):
    """The analyses offered in the filters: RSAs, ongoing analyses and the chosen one (a large
    municipality has hundreds of finished unit analyses; those are reached from their page)."""
    choice = Q(kind=Analysis.Kind.RVA) | Q(status=Analysis.State.ONGOING)
    if selected is not None:
        choice |= Q(pk=selected.pk)
    # The classification is loaded too: a classified analysis offered is a read, and is logged.
    return (
        Analysis.objects.restrict(request.user)
        .filter(group=group)
        .filter(choice)
        .only("pk", "title", "classification", "unit")
    )


def _with_group(risks, group) -> list[Risk]:
    """The risks with their group set, so that their zones are looked up without a query each."""
    risks = list(risks)
    for risk in risks:
        risk.group = group
    return risks


def filter_risks(request, group):
    """The risks the list's filters (?q, zon, status, enhet, analys, liv, granskning) leave,
    within what the user may see: (queryset, filters, chosen unit, chosen analysis)."""
    matrix = matrix_for(group)
    risks = Risk.objects.restrict(request.user).filter(group=group)
    filters = {
        "q": request.GET.get("q", "").strip(),
        "zon": request.GET.get("zon", ""),
        "status": request.GET.get("status", ""),
        "liv": request.GET.get("liv", ""),
        "granskning": request.GET.get("granskning", ""),
        "sannolikhet": int_param(request, "sannolikhet"),
        "konsekvens": int_param(request, "konsekvens"),
    }
    if filters["q"]:
        risks = risks.filter(Q(title__icontains=filters["q"]) | Q(description__icontains=filters["q"]))
    if filters["zon"] in matrix.zones:
        risks = risks.filter(zone=filters["zon"])
    if filters["status"] in Risk.State.values:
        risks = risks.filter(status=filters["status"])
    if filters["liv"] == "1":
        risks = risks.filter(flagged=True)
    if filters["granskning"] == "forsenad":
        risks = risks.active().filter(next_review__lt=timezone.localdate())
    elif filters["granskning"] == "ej-bedomd":
        risks = risks.filter(likelihood__isnull=True)
    if filters["sannolikhet"] is not None and filters["konsekvens"] is not None:
        risks = risks.filter(likelihood=filters["sannolikhet"], consequence=filters["konsekvens"])
    unit = analysis = None
    if int_param(request, "enhet") is not None:
        unit = OrgUnit.objects.restrict(request.user).filter(group=group, pk=int_param(request, "enhet")).first()
        if unit:
            risks = risks.filter(unit__path__startswith=unit.path)
    if int_param(request, "analys") is not None:
        analysis = Analysis.objects.restrict(request.user).filter(group=group, pk=int_param(request, "analys")).first()
        if analysis:
            risks = risks.filter(analysis=analysis)
    return risks, filters, unit, analysis


@login_required
def risk_list(request):
    group = _group(request)
    matrix = matrix_for(group)
    risks, filters, unit, analysis = filter_risks(request, group)
    page = Paginator(risks.select_related("unit").priority_order(), PAGE_SIZE).get_page(request.GET.get("sida"))
    page.object_list = _with_group(page.object_list, group)
    return render(
        request,
        "risks/list.html",
        {
            "page": page,
            "filters": filters,
            "filter_unit": unit,
            "filter_analysis": analysis,
            "matrix": matrix,
            "zones": matrix.ordered_zones(),
            "statuses": Risk.State.choices,
            "units": _units(request, group),
            "analyses": _analysis_choices(request, group, analysis),
            "filter_unit_id": unit.pk if unit else None,
            "filter_analysis_id": analysis.pk if analysis else None,
            "can_create": bool(get_access(request.user).scopes("change")),
        },
    )


def _risk(request, pk, action="view"):
    return get_logged_or_404(
        request,
        Risk.objects.restrict(request.user, action).select_related("group", "unit", "owner", "analysis__unit"),
        pk=pk,
    )


def _may_accept(access, risk) -> bool:
    role = services.acceptance_role(risk.group)
    if access.person is None or not any(a.role == role for a in access.roles):
        return False  # holds the role nowhere: no need to look up the holders
    return access.person in services.who_may_accept(risk)


@login_required
def risk_detail(request, pk):
    risk = _risk(request, pk)
    access = get_access(request.user)
    matrix = risk.matrix
    assessments = list(risk.assessments.select_related("assessed_by")[:50])
    acceptances = list(risk.acceptances.select_related("accepted_by")[:10])
    for a in assessments:
        a.zone_info = matrix.zones.get(a.zone)
        a.dimension_rows = [(matrix.dimension_name(k), a.consequences.get(k)) for k in matrix.dimension_keys()]
    return render(
        request,
        "risks/detail.html",
        {
            "risk": risk,
            "matrix": matrix,
            "assessments": assessments,
            "likelihood_name": matrix.likelihood_name(risk.likelihood or 0),
            "consequence_name": matrix.consequence_name(risk.consequence or 0),
            "measures": list(risk.measures.restrict(request.user).select_related("unit", "owner")),
            "affected_units": list(risk.affected_units.all()),
            "vital_functions": list(risk.vital_functions.restrict(request.user)),
            # Named only to those who may see it (an RSA is often the group's, above the reader).
            "analysis": risk.analysis if risk.analysis and access.may_read(risk.analysis) else None,
            "history": history_entries(risk, request.user),
            "can_change": access.can("change", risk.unit),
            "acceptance": next((a for a in acceptances if a.ended_on is None), None),
            "acceptances": acceptances,
            "may_accept": _may_accept(access, risk),
        },
    )


@login_required
def risk_create(request):
    initial = {"analysis": int_param(request, "analys"), "unit": int_param(request, "enhet")}
    return create_view(
        request,
        RiskForm,
        title=_("New risk"),
        message=_("The risk was registered. Assess its likelihood and consequences next."),
        initial=initial,
        next_url=lambda risk: reverse("risks:assess", args=[risk.pk]),
    )


class RiskUpdateView(VersionedUpdateView):
    model = Risk
    form_class = RiskForm


@login_required
def assess(request, pk):
    risk = _risk(request, pk, "change")
    form = AssessmentForm(request.POST or None, risk=risk, initial={"kind": request.GET.get("typ") or "current"})
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["expected_version"] != risk.version:
            form.add_error(None, STALE_ASSESSMENT)
        else:
            try:
                services.assess(
                    risk,
                    likelihood=form.cleaned_data["likelihood"],
                    consequences=form.consequences(),
                    kind=form.cleaned_data["kind"],
                    reasoning=form.cleaned_data["reasoning"],
                    user=request.user,
                    on=form.cleaned_data["assessed_on"],
                )
            except ScoringError:
                form.add_error(None, _("The values are outside the profile's scales."))
            except StaleEditError:
                form.add_error(None, STALE_ASSESSMENT)
            else:
                messages.success(request, _("The assessment was saved."))
                return redirect(risk)
    return render(request, "risks/assess.html", {"risk": risk, "form": form, "matrix": risk.matrix})


@login_required
def accept(request, pk):
    risk = _risk(request, pk)
    access = get_access(request.user)
    deciders = services.who_may_accept(risk)
    form = AcceptanceForm(request.POST or None, initial={"expected_version": risk.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.accept(
                risk,
                person=access.person,
                reason=form.cleaned_data["reason"],
                expires_on=form.cleaned_data["expires_on"],
                user=request.user,
                expected_version=form.cleaned_data["expected_version"],
            )
        except services.RuleError as exc:
            form.add_error(None, str(exc))
        except StaleEditError:
            form.add_error(None, str(STALE_MESSAGE))
        else:
            messages.success(
                request,
                _("The risk is accepted at its level until %(day)s.")
                % {"day": form.cleaned_data["expires_on"].isoformat()},
            )
            return redirect(risk)
    return render(request, "risks/accept.html", {"risk": risk, "form": form, "deciders": deciders})


@login_required
@require_POST
def acceptance_end(request, pk):
    risk = _risk(request, pk, "change")
    try:
        services.end_acceptance(risk, expected_version=int_param(request, "version", source="POST") or 0)
    except StaleEditError:
        messages.error(request, str(STALE_MESSAGE))
    else:
        messages.success(request, _("The acceptance has ended; the risk is active again."))
    return redirect(risk)


@dataclass
class MatrixSummary:
    cells: dict = field(default_factory=dict)  # (likelihood, consequence) -> active risks
    total: int = 0  # every risk, closed ones too
    unassessed: int = 0  # active risks without the assessment shown
    flagged: int = 0  # active risks with a high consequence for life and health

    def zone_totals(self, matrix) -> list:
        totals = {z.key: 0 for z in matrix.ordered_zones()}
        for (like, cons), n in self.cells.items():
            totals[matrix.zone_at(like, cons).key] += n
        return [(z, totals[z.key]) for z in matrix.ordered_zones()]


def summarise(risks, residual: bool = False) -> MatrixSummary:
    """The matrix's cells and the counts beside it, from one GROUP BY over indexed columns."""
    like, cons = ("residual_likelihood", "residual_consequence") if residual else ("likelihood", "consequence")
    summary = MatrixSummary()
    for row in risks.order_by().values(like, cons, "status", "flagged").annotate(n=Count("pk")):
        summary.total += row["n"]
        if row["status"] == Risk.State.CLOSED:
            continue
        summary.flagged += row["n"] if row["flagged"] else 0
        if row[like] and row[cons]:
            cell = (row[like], row[cons])
            summary.cells[cell] = summary.cells.get(cell, 0) + row["n"]
        else:
            summary.unassessed += row["n"]
    return summary


def matrix_counts(risks, residual: bool = False) -> dict[tuple[int, int], int]:
    """Active risks per (likelihood, consequence) cell."""
    return summarise(risks, residual).cells


@login_required
def risk_matrix(request):
    group = _group(request)
    matrix = matrix_for(group)
    risks, filters, unit, analysis = filter_risks(request, group)
    residual = request.GET.get("visa") == "rest"
    summary = summarise(risks, residual)
    return render(
        request,
        "risks/matrix.html",
        {
            "matrix": matrix,
            "rows": matrix.rows(summary.cells),
            "consequence_levels": [(s["level"], matrix.consequence_name(s["level"])) for s in matrix.consequence],
            "zone_totals": summary.zone_totals(matrix),
            "total": sum(summary.cells.values()),
            "unassessed": None if residual else summary.unassessed,
            "flagged": summary.flagged,
            "filters": filters,
            "filter_unit": unit,
            "filter_analysis": analysis,
            "residual": residual,
            "units": _units(request, group),
            "analyses": _analysis_choices(request, group, analysis),
            "filter_unit_id": unit.pk if unit else None,
            "filter_analysis_id": analysis.pk if analysis else None,
        },
    )


@login_required
def zone_styles(request):
    """The profile's zone colours as a style sheet: the content security policy allows no
    inline styles, and the colours are the municipality's to choose."""
    group = _group(request)
    matrix = matrix_for(group)
    rules = [
        f".zone-{z.key} {{ background: {z.colour}; color: {text_colour(z.colour)}; }}" for z in matrix.ordered_zones()
    ]
    response = HttpResponse("\n".join(rules) + "\n", content_type="text/css; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response


@login_required
def analysis_list(request):
    group = _group(request)
    analyses = (
        Analysis.objects.restrict(request.user)
        .filter(group=group)
        .select_related("unit")
        .annotate(n_risks=Count("risks", distinct=True))
    )
    return render(
        request,
        "risks/analyses.html",
        {
            "analyses": analyses,
            "can_create": bool(get_access(request.user).scopes("change")),
        },
    )


@login_required
def analysis_detail(request, pk):
    analysis = get_logged_or_404(
        request, Analysis.objects.restrict(request.user).select_related("group", "unit"), pk=pk
    )
    matrix = matrix_for(analysis.group)
    risks = Risk.objects.restrict(request.user).filter(analysis=analysis)
    summary = summarise(risks)
    treats_the_analysis = Exists(Measure.risks.through.objects.filter(measure=OuterRef("pk"), risk__analysis=analysis))
    measure_counts = (
        Measure.objects.restrict(request.user)
        .filter(treats_the_analysis)
        .open()
        .aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=timezone.localdate())))
    )
    return render(
        request,
        "risks/analysis_detail.html",
        {
            "analysis": analysis,
            "matrix": matrix,
            "rows": matrix.rows(summary.cells),
            "consequence_levels": [(s["level"], matrix.consequence_name(s["level"])) for s in matrix.consequence],
            "zone_totals": summary.zone_totals(matrix),
            "unassessed": summary.unassessed,
            "n_risks": summary.total,
            "top_risks": _with_group(risks.active().select_related("unit").priority_order()[:15], analysis.group),
            "open_measures": measure_counts["open"],
            "overdue_measures": measure_counts["overdue"],
            "history": history_entries(analysis, request.user),
            "can_change": get_access(request.user).can("change", analysis.unit),
            "filters": {},
        },
    )


@login_required
def analysis_create(request):
    return create_view(
        request,
        AnalysisForm,
        title=_("New risk analysis"),
        message=_("The analysis was created. Register its risks next."),
    )


class AnalysisUpdateView(VersionedUpdateView):
    model = Analysis
    form_class = AnalysisForm


def _report(request, pk):
    analysis = get_object_or_404(
        Analysis.objects.restrict(request.user).select_related("group", "unit"), pk=pk, kind=Analysis.Kind.RVA
    )
    public = request.GET.get("version") == "public"
    log_read(request, analysis, "report")
    return report.build(analysis, request.user, public=public, request=request)


@login_required
def report_view(request, pk):
    return render(request, "risks/report.html", {"report": _report(request, pk)})


def _report_download(built, content: bytes, content_type: str, extension: str) -> HttpResponse:
    """A downloaded report (PDF or DOCX): named by the mandate period and the version, never cached."""
    period = built.analysis.mandate_period
    name = f"rsa-{period.election_year + 1 if period else built.analysis.pk}"
    name += "-offentlig" if built.public else "-fullstandig"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}.{extension}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def report_pdf(request, pk):
    built = _report(request, pk)
    matrix = matrix_for(built.analysis.group)
    zones = [{"key": z.key, "colour": z.colour, "text": text_colour(z.colour)} for z in matrix.ordered_zones()]
    html = render_to_string("risks/report_pdf.html", {"report": built, "zones": zones}, request=request)
    return _report_download(built, report.pdf(html, request.build_absolute_uri("/")), "application/pdf", "pdf")


@login_required
def report_docx(request, pk):
    """The report as an editable Word document, with the same access checks and read logging
    as the page and the PDF (`_report`)."""
    built = _report(request, pk)
    return _report_download(built, report.docx(built), report.DOCX_CONTENT_TYPE, "docx")
