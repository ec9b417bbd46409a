"""Obligation checks for risks and measures (HJ-1, HJ-2, HJ-5, AL-1, AL-2, KK-3, KK-7).

Every check counts in the database and names at most EVIDENCE_SHOWN records, so that its cost
does not grow with a large municipality's tens of thousands of risks and measures."""

from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from varna.core.obligations import Evidence, Result, Status, registry
from varna.organisation import mandate

from .models import Analysis, Measure, Risk, matrix_for

EVIDENCE_SHOWN = 10


def _evidence(records) -> list[Evidence]:
    """At most EVIDENCE_SHOWN records (a queryset of risks or measures), each with its unit: the
    page shows it only to readers who may read it, and a classified one by its kind only."""
    records = records.select_related("unit").only("pk", "title", "classification", "unit__path")
    return [Evidence.of(r) for r in records[:EVIDENCE_SHOWN]]


def _active(group):
    return Risk.objects.filter(group=group).active()


@registry.register("rva_for_mandate_period")
def rva_for_mandate_period(group, profile):
    """A risk and vulnerability analysis exists for the current mandate period, and is reported
    to the county board by its deadline (31 October of the first year after the election)."""
    today = timezone.localdate()
    period = mandate.current(today)
    rva = (
        Analysis.objects.filter(group=group, kind=Analysis.Kind.RVA, election_year=period.election_year)
        .select_related("unit")
        .order_by("-started_on")
        .first()
    )
    deadline = period.rva_deadline
    if rva is None:
        status = Status.NOT_MET if today > deadline else Status.PARTLY
        return Result(
            status,
            _("No risk and vulnerability analysis is registered for the mandate period %(period)s (due %(deadline)s).")
            % {"period": period.label, "deadline": deadline.isoformat()},
        )
    if rva.status == Analysis.State.REPORTED:
        return Result(
            Status.MET,
            _("The RSA for %(period)s was reported on %(day)s.")
            % {"period": period.label, "day": rva.reported_on.isoformat() if rva.reported_on else "–"},
            [Evidence.of(rva)],
        )
    if today > deadline:
        return Result(
            Status.NOT_MET,
            _("The RSA for %(period)s is not reported; it was due %(deadline)s.")
            % {"period": period.label, "deadline": deadline.isoformat()},
            [Evidence.of(rva)],
        )
    return Result(
        Status.MET,
        _("The RSA for %(period)s is under way (%(status)s); it is due %(deadline)s.")
        % {"period": period.label, "status": rva.get_status_display().lower(), "deadline": deadline.isoformat()},
        [Evidence.of(rva)],
    )


@registry.register("risks_reviewed")
def risks_reviewed(group, profile):
    """Every active risk is assessed, and re-assessed by the date its zone's cadence sets."""
    today = timezone.localdate()
    risks = _active(group)
    unassessed_q, overdue_q = Q(likelihood__isnull=True), Q(next_review__lt=today)
    counts = risks.aggregate(
        total=Count("pk"), unassessed=Count("pk", filter=unassessed_q), overdue=Count("pk", filter=overdue_q)
    )
    total, n_unassessed, n_overdue = counts["total"], counts["unassessed"], counts["overdue"]
    if not total:
        return Result(Status.NOT_MET, _("No risks are registered."))
    if not n_unassessed and not n_overdue:
        return Result(
            Status.MET,
            ngettext(
                "The %(n)s active risk is assessed and reviewed on time.",
                "All %(n)s active risks are assessed and reviewed on time.",
                total,
            )
            % {"n": total},
        )
    parts = []
    if n_overdue:
        parts.append(
            ngettext(
                "%(k)s of %(n)s risks is past its review date.",
                "%(k)s of %(n)s risks are past their review date.",
                n_overdue,
            )
            % {"k": n_overdue, "n": total}
        )
    if n_unassessed:
        parts.append(
            ngettext("%(k)s risk is not assessed.", "%(k)s risks are not assessed.", n_unassessed) % {"k": n_unassessed}
        )
    # Overdue first (oldest review date first), then the unassessed.
    shown = risks.filter(overdue_q | unassessed_q).order_by(F("next_review").asc(nulls_last=True), "pk")
    status = Status.NOT_MET if (n_overdue + n_unassessed) * 2 > total else Status.PARTLY
    return Result(status, " ".join(parts), _evidence(shown))


@registry.register("risks_have_measures", zones=("zones[]", False))
def risks_have_measures(group, profile, zones=None):
    """Every active risk in the given zones (the most severe by default) is treated by a
    planned, ongoing or completed measure — or formally accepted."""
    matrix = matrix_for(group)
    zones = zones or [matrix.ordered_zones()[-1].key]
    names = ", ".join(matrix.zones[z].label.lower() for z in zones)
    risks = _active(group).filter(zone__in=zones).exclude(status=Risk.State.ACCEPTED)
    untreated_q = ~Q(Risk.objects.has_measure())
    counts = risks.aggregate(total=Count("pk"), untreated=Count("pk", filter=untreated_q))
    total, n = counts["total"], counts["untreated"]
    if not total:
        return Result(Status.MET, _("No active risks in the zone (%(zones)s).") % {"zones": names})
    untreated = risks.filter(untreated_q)
    if not n:
        return Result(
            Status.MET,
            ngettext(
                "The %(n)s risk in the zone (%(zones)s) has a measure.",
                "All %(n)s risks in the zone (%(zones)s) have a measure.",
                total,
            )
            % {"n": total, "zones": names},
        )
    return Result(
        Status.NOT_MET,
        ngettext(
            "%(k)s of %(n)s risks in the zone (%(zones)s) has no planned measure.",
            "%(k)s of %(n)s risks in the zone (%(zones)s) have no planned measure.",
            n,
        )
        % {"k": n, "n": total, "zones": names},
        _evidence(untreated.priority_order()),
    )


@registry.register("measures_followed_up")
def measures_followed_up(group, profile):
    """The security programme is carried out: every open measure has an owner and a due date,
    and none is overdue."""
    today = timezone.localdate()
    measures = Measure.objects.filter(group=group).open()
    unowned_q, overdue_q = Q(owner__isnull=True) | Q(due_date__isnull=True), Q(due_date__lt=today)
    counts = measures.aggregate(
        total=Count("pk"), unowned=Count("pk", filter=unowned_q), overdue=Count("pk", filter=overdue_q)
    )
    total, n_unowned, n_overdue = counts["total"], counts["unowned"], counts["overdue"]
    if not total:
        done = Measure.objects.filter(group=group, status=Measure.State.DONE).exists()
        if done:
            return Result(Status.MET, _("Every measure of the security programme is carried out."))
        return Result(Status.NOT_MET, _("The security programme has no measures."))
    if not n_unowned and not n_overdue:
        return Result(
            Status.MET,
            ngettext(
                "The %(n)s open measure has an owner and a due date, and is on time.",
                "All %(n)s open measures have an owner and a due date, and are on time.",
                total,
            )
            % {"n": total},
        )
    parts = []
    if n_overdue:
        parts.append(
            ngettext("%(k)s of %(n)s open measures is overdue.", "%(k)s of %(n)s open measures are overdue.", n_overdue)
            % {"k": n_overdue, "n": total}
        )
    if n_unowned:
        parts.append(
            ngettext("%(k)s has no owner or no due date.", "%(k)s have no owner or no due date.", n_unowned)
            % {"k": n_unowned}
        )
    shown = measures.filter(overdue_q | unowned_q).order_by(F("due_date").asc(nulls_last=True), "pk")
    return Result(Status.PARTLY, " ".join(parts), _evidence(shown))


@registry.register("measures_trace_documents")
def measures_trace_documents(group, profile):
    """Every open measure traces to the governing document it implements and the risk (or
    other source) it serves (HJ-5)."""
    measures = Measure.objects.filter(group=group).open()
    treats_a_risk = Exists(Measure.risks.through.objects.filter(measure=OuterRef("pk")))
    loose_q = Q(document__isnull=True) | (Q(source=Measure.Source.RISK) & ~Q(treats_a_risk))
    counts = measures.aggregate(total=Count("pk"), loose=Count("pk", filter=loose_q))
    total, n = counts["total"], counts["loose"]
    if not total:
        return Result(Status.NOT_CHECKABLE, _("There are no open measures to trace."))
    loose = measures.filter(loose_q)
    if not n:
        return Result(
            Status.MET,
            ngettext(
                "The open measure names the document it implements and what it serves.",
                "All %(n)s open measures name the document they implement and what they serve.",
                total,
            )
            % {"n": total},
        )
    return Result(
        Status.PARTLY,
        ngettext(
            "%(k)s of %(n)s open measures names no governing document or no risk.",
            "%(k)s of %(n)s open measures name no governing document or no risk.",
            n,
        )
        % {"k": n, "n": total},
        _evidence(loose.order_by("due_date", "pk")),
    )


@registry.register("life_health_prioritised")
def life_health_prioritised(group, profile):
    """Personal safety first (AL-1): every active risk with a high consequence for life and
    health has a measure or a formal acceptance, and every assessed risk has its life-and-health
    consequence assessed."""
    matrix = matrix_for(group)
    risks = _active(group)
    flagged_q = Q(flagged=True) & ~Q(status=Risk.State.ACCEPTED)
    untreated_q = flagged_q & ~Q(Risk.objects.has_measure())
    unassessed_q = Q(likelihood__isnull=False) & ~Q(consequences__has_key=matrix.life_dimension)
    counts = risks.aggregate(
        assessed=Count("pk", filter=Q(likelihood__isnull=False)),
        n_flagged=Count("pk", filter=flagged_q),
        n_untreated=Count("pk", filter=untreated_q),
        n_unassessed=Count("pk", filter=unassessed_q),
    )
    n_flagged, n_untreated, n_unassessed = counts["n_flagged"], counts["n_untreated"], counts["n_unassessed"]
    untreated, unassessed = risks.filter(untreated_q), risks.filter(unassessed_q)
    if n_untreated:
        return Result(
            Status.NOT_MET,
            ngettext(
                "%(k)s of %(n)s risks with a high consequence for life and health has no measure.",
                "%(k)s of %(n)s risks with a high consequence for life and health have no measure.",
                n_untreated,
            )
            % {"k": n_untreated, "n": n_flagged},
            _evidence(untreated.priority_order()),
        )
    if n_unassessed:
        return Result(
            Status.PARTLY,
            ngettext(
                "%(k)s assessed risk has no assessment of its consequence for life and health.",
                "%(k)s assessed risks have no assessment of their consequence for life and health.",
                n_unassessed,
            )
            % {"k": n_unassessed},
            _evidence(unassessed.order_by("title")),
        )
    if not counts["assessed"]:
        return Result(Status.NOT_MET, _("No risks are assessed yet."))
    if not n_flagged:
        return Result(
            Status.MET, _("No active risk has a high consequence for life and health; every assessment weighs it.")
        )
    return Result(
        Status.MET,
        ngettext(
            "The %(n)s risk with a high consequence for life and health has a measure.",
            "All %(n)s risks with a high consequence for life and health have a measure.",
            n_flagged,
        )
        % {"n": n_flagged},
    )


@registry.register("openness_recorded")
def openness_recorded(group, profile):
    """Every open measure records its effect on access to and the openness of municipal services,
    and a measure that restricts them says how access is kept (AL-2)."""
    measures = Measure.objects.filter(group=group).open()
    counts = measures.aggregate(
        total=Count("pk"),
        missing=Count("pk", filter=Q(openness=Measure.Openness.NOT_ASSESSED)),
        restricting=Count("pk", filter=Q(openness=Measure.Openness.RESTRICTS)),
    )
    total, n, restricting = counts["total"], counts["missing"], counts["restricting"]
    if not total:
        return Result(Status.NOT_CHECKABLE, _("There are no open measures."))
    missing = measures.filter(openness=Measure.Openness.NOT_ASSESSED)
    note = (
        " "
        + ngettext(
            "%(k)s measure restricts openness and says how access is kept.",
            "%(k)s measures restrict openness and say how access is kept.",
            restricting,
        )
        % {"k": restricting}
        if restricting
        else ""
    )
    if n:
        return Result(
            Status.PARTLY,
            ngettext(
                "%(k)s of %(n)s open measures has no assessment of its effect on openness.",
                "%(k)s of %(n)s open measures have no assessment of their effect on openness.",
                n,
            )
            % {"k": n, "n": total}
            + note,
            _evidence(missing.order_by("due_date", "pk")),
        )
    return Result(
        Status.MET,
        _("All %(n)s open measures record their effect on openness.") % {"n": total} + note,
    )


@registry.register("dimensions_assessed", dimensions=("dimensions[]", True))
def dimensions_assessed(group, profile, dimensions):
    """Every assessed active risk is assessed in each of the named consequence dimensions (for
    Karlskrona's vision, KK-3: people, environment, cultural and economic values)."""
    matrix = matrix_for(group)
    assessed = _active(group).filter(likelihood__isnull=False)
    missing_q = Q()
    for key in dimensions:
        missing_q |= ~Q(consequences__has_key=key)
    counts = assessed.aggregate(total=Count("pk"), missing=Count("pk", filter=missing_q))
    total, n = counts["total"], counts["missing"]
    names = ", ".join(matrix.dimension_name(d).lower() for d in dimensions)
    if not total:
        return Result(Status.NOT_MET, _("No risks are assessed yet."))
    missing = assessed.filter(missing_q)
    if not n:
        return Result(
            Status.MET,
            _("All %(n)s assessed risks are assessed for %(dims)s.") % {"n": total, "dims": names},
        )
    return Result(
        Status.PARTLY,
        ngettext(
            "%(k)s of %(n)s assessed risks lacks an assessment of one of: %(dims)s.",
            "%(k)s of %(n)s assessed risks lack an assessment of one of: %(dims)s.",
            n,
        )
        % {"k": n, "n": total, "dims": names},
        _evidence(missing.priority_order()),
    )
