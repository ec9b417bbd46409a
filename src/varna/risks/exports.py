"""The risk register and the measures as Excel files: the list's filters and scope, every row.

Each row says what the record's page says: a linked record the reader may not read (a risk's
analysis, a measure's governing document or risks) is left out as the page leaves it out, and
every classified row written is logged as a read (action "export")."""

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from varna.core.access_log import log_reads
from varna.core.permissions import get_access
from varna.core.spreadsheets import xlsx_response

from .measure_views import filter_measures
from .models import Risk, matrix_for
from .views import _group, filter_risks

CHUNK = 2000


@login_required
def risk_export(request):
    group = _group(request)
    matrix = matrix_for(group)
    risks, _filters, _unit, _analysis = filter_risks(request, group)
    risks = risks.select_related("unit", "owner", "analysis__unit").priority_order()
    access = get_access(request.user)
    classified = []  # the classified records written, logged as read once the file is
    dimensions = matrix.dimension_keys()
    headers = [
        _("Title"),
        _("Kind"),
        _("Category"),
        _("Responsible unit"),
        _("Risk owner"),
        _("Analysis"),
        _("Status"),
        _("Likelihood"),
        *[matrix.dimension_name(k) for k in dimensions],
        _("Worst consequence"),
        _("Risk level"),
        _("Zone"),
        _("High consequence for life and health"),
        _("Assessed"),
        _("Next review"),
        _("Residual likelihood"),
        _("Residual consequence"),
        _("Residual zone"),
        _("Classification"),
    ]

    def rows():
        for risk in risks.iterator(chunk_size=CHUNK):
            analysis = risk.analysis if risk.analysis and access.may_read(risk.analysis) else None
            classified.extend(r for r in (risk, analysis) if r is not None and r.is_classified)
            zone, residual = matrix.zones.get(risk.zone), matrix.zones.get(risk.residual_zone)
            yield [
                risk.title,
                risk.get_kind_display(),
                risk.category,
                risk.unit.name,
                str(risk.owner) if risk.owner else "",
                analysis.title if analysis else "",
                risk.get_status_display(),
                risk.likelihood,
                *[risk.consequences.get(k) for k in dimensions],
                risk.consequence,
                risk.level,
                zone.label if zone else "",
                _("yes") if risk.flagged else _("no"),
                risk.assessed_on,
                risk.next_review,
                risk.residual_likelihood,
                risk.residual_consequence,
                residual.label if residual else "",
                risk.get_classification_display(),
            ]

    response = xlsx_response(f"risker-{timezone.localdate().isoformat()}.xlsx", _("Risks"), headers, rows())
    log_reads(request, classified, "export")
    return response


@login_required
def measure_export(request):
    group = _group(request)
    measures, _filters, _unit = filter_measures(request, group)
    # A measure's risks are listed only as far as the reader may see them.
    visible_risks = Risk.objects.restrict(request.user).only("pk", "group", "title", "classification").order_by("title")
    measures = (
        measures.select_related("unit", "owner", "document__unit")
        .prefetch_related(Prefetch("risks", queryset=visible_risks))
        .order_by("due_date", "title", "pk")
    )
    headers = [
        _("Title"),
        _("Owner unit"),
        _("Owner"),
        _("Due date"),
        _("Status"),
        _("Completed"),
        _("Cost estimate (SEK)"),
        _("Source"),
        _("Risks treated"),
        _("Governing document implemented"),
        _("Effect on openness"),
        _("How access and openness are kept"),
        _("Classification"),
    ]

    access = get_access(request.user)
    classified = []  # the classified records written, logged as read once the file is

    def rows():
        for m in measures.iterator(chunk_size=CHUNK):
            document = m.document if m.document and access.may_read(m.document) else None
            risks_treated = list(m.risks.all())
            classified.extend(r for r in (m, document, *risks_treated) if r is not None and r.is_classified)
            yield [
                m.title,
                m.unit.name,
                str(m.owner) if m.owner else "",
                m.due_date,
                m.get_status_display(),
                m.completed_on,
                m.cost_estimate,  # a Decimal: written as an amount (core.spreadsheets)
                m.get_source_display(),
                "; ".join(r.title for r in risks_treated),
                document.title if document else "",
                m.get_openness_display(),
                m.openness_note,
                m.get_classification_display(),
            ]

    response = xlsx_response(f"atgarder-{timezone.localdate().isoformat()}.xlsx", _("Measures"), headers, rows())
    log_reads(request, classified, "export")
    return response
