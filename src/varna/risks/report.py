"""The risk and vulnerability analysis report (MSBFS 2015:5), in its seven parts, as HTML, PDF
and an editable DOCX.

The full version holds what the reader may see, classified records included (each read is
logged); the public version leaves every classified record out and says how many were left
out, so it can be handed out under the principle of public access.
"""

from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone

from varna.core.access_log import log_reads

from . import services
from .models import Analysis, Dependency, Measure, Risk, VitalFunction, matrix_for

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# Capability levels from this one on are shortcomings (on the default scale: deficient, very deficient).
SHORTCOMING_FROM = 3


@dataclass
class Report:
    analysis: Analysis
    public: bool
    generated_at: object
    municipality: str
    group_name: str
    companies: list
    functions: list
    risks: list
    matrix_rows: list
    consequence_levels: list
    shortcomings: list = field(default_factory=list)
    unprotected: list = field(default_factory=list)
    untreated: list = field(default_factory=list)
    measures: list = field(default_factory=list)
    left_out: int = 0


def _visible(queryset, user, public: bool):
    queryset = queryset.restrict(user)
    return queryset.exclude(classification="classified") if public else queryset


def build(analysis: Analysis, user, *, public: bool, request=None) -> Report:
    group = analysis.group
    matrix = matrix_for(group)
    profile = group.profile
    risks_all = Risk.objects.filter(analysis=analysis).exclude(status=Risk.State.CLOSED)
    risks = list(_visible(risks_all, user, public).select_related("unit").with_measure_flag().priority_order())
    for risk in risks:
        risk.group = group
    functions_all = VitalFunction.objects.filter(group=group)
    functions = list(
        _visible(functions_all, user, public)
        .select_related("unit")
        .prefetch_related(Prefetch("dependencies", queryset=Dependency.objects.select_related("depends_on")))
    )
    services.attach_newest_capabilities(functions, matrix)
    visible_function_ids = {f.pk for f in functions}
    shortcomings, unprotected = [], []
    for function in functions:
        shortcomings += [(function, a) for a in function.capabilities if a.level >= SHORTCOMING_FROM]
        function.visible_dependencies = [
            d for d in function.dependencies.all() if not d.depends_on_id or d.depends_on_id in visible_function_ids
        ]
        unprotected += [(function, d) for d in function.visible_dependencies if d.lacks_reserve]
    top_zone = matrix.ordered_zones()[-1].key
    # "Without a measure" as the checks HJ-2/KK-7 and AL-1 count it (RiskQuerySet.has_measure).
    untreated = [
        r for r in risks if (r.zone == top_zone or r.flagged) and r.status == Risk.State.ACTIVE and not r.has_measure
    ]
    measures = list(
        _visible(Measure.objects.filter(risks__analysis=analysis), user, public)
        .open()
        .select_related("unit", "owner")
        .distinct()
        .order_by("due_date", "title")
    )
    counts: dict = {}
    for risk in risks:
        if risk.likelihood and risk.consequence:
            counts[(risk.likelihood, risk.consequence)] = counts.get((risk.likelihood, risk.consequence), 0) + 1
    left_out = 0
    if public:
        left_out = (
            risks_all.filter(classification="classified").count()
            + functions_all.filter(classification="classified").count()
            + Measure.objects.filter(risks__analysis=analysis, classification="classified").distinct().count()
        )
    elif request is not None:
        log_reads(request, [*risks, *functions, *measures], "report")  # the classified ones, in one INSERT
    company_levels = profile.company_levels()
    return Report(
        analysis=analysis,
        public=public,
        generated_at=timezone.localtime(),
        municipality=group.municipality_name,
        group_name=group.name,
        companies=list(group.units.filter(kind__in=company_levels).order_by("name")) if company_levels else [],
        functions=functions,
        risks=risks,
        matrix_rows=matrix.rows(counts),
        consequence_levels=[(s["level"], matrix.consequence_name(s["level"])) for s in matrix.consequence],
        shortcomings=shortcomings,
        unprotected=unprotected,
        untreated=untreated,
        measures=measures,
        left_out=left_out,
    )


def docx(report: Report) -> bytes:
    """The report as an editable Word document, written from the same `Report` (report_docx.py)."""
    from .report_docx import render

    return render(report)


def pdf(report_html: str, base_url: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=report_html, base_url=base_url).write_pdf()
