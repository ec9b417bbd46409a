"""Obligation checks for governing documents (HJ-10, HJ-11, AL-3, AL-5, AL-6, AL-7, AL-11, KK-13), and
the acknowledgements of them by external parties (AL-9) and by the heads who spread them."""

from django.db.models import Count, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from varna.core.obligations import Evidence, Result, Status, registry
from varna.organisation.models import ExternalParty, RoleAssignment

from .models import APPLYING, Acknowledgement, Decision, Document, NotificationDuty
from .services import DecisionRules, decider_for, kind_label


def _kinds_name(profile, kinds) -> str:
    return ", ".join(kind_label(profile, k).lower() for k in kinds)


def _evidence(documents) -> list[Evidence]:
    """Documents with their unit: the page shows each only to readers who may read it, and a
    classified one by its kind only."""
    return [Evidence.of(d, d.title if not d.is_classified else None) for d in documents]


def _applying(group, kinds):
    return Document.objects.filter(group=group, kind__in=kinds, status__in=APPLYING).select_related("group", "unit")


# Evidence lists name at most this many records; the counts cover all of them.
EVIDENCE_SHOWN = 10


@registry.register("reviews_on_time", kinds=("document_kinds[]", True), require=("bool", False))
def reviews_on_time(group, profile, kinds, require=False):
    """Every applying document of the kinds is reviewed by its due date. Counted in the
    database: a large municipality has thousands of instructions (bench/RESULTS.md)."""
    today = timezone.localdate()
    applying = Document.objects.filter(group=group, kind__in=kinds, status__in=APPLYING)
    counts = applying.aggregate(total=Count("pk"), overdue=Count("pk", filter=Q(next_review__lt=today)))
    what = _kinds_name(profile, kinds)
    if not counts["total"]:
        status = Status.NOT_MET if require else Status.NOT_CHECKABLE
        return Result(status, _("No %(what)s in force are registered.") % {"what": what})
    if counts["overdue"]:
        oldest = (
            applying.filter(next_review__lt=today)
            .select_related("unit")
            .order_by("next_review")
            .only("pk", "title", "classification", "unit__path")[:EVIDENCE_SHOWN]
        )
        return Result(
            Status.NOT_MET,
            ngettext(
                "%(k)s of %(n)s documents (%(what)s) is past its review date.",
                "%(k)s of %(n)s documents (%(what)s) are past their review date.",
                counts["overdue"],
            )
            % {"k": counts["overdue"], "n": counts["total"], "what": what},
            _evidence(oldest),
        )
    return Result(
        Status.MET, _("All %(n)s documents (%(what)s) are reviewed on time.") % {"n": counts["total"], "what": what}
    )


@registry.register("decided_by_rule", kinds=("document_kinds[]", True))
def decided_by_rule(group, profile, kinds):
    """The latest decision of every applying document of the kinds was taken by the body or
    role the profile names (decisions recorded in Värna are checked when entered; imported or
    older ones are checked here)."""
    latest = Decision.objects.filter(document=OuterRef("pk")).order_by("-date", "-pk")
    documents = list(
        _applying(group, kinds).annotate(
            decision_body=Subquery(latest.values("body_id")[:1]),
            decision_person=Subquery(latest.values("person_id")[:1]),
            decision_date=Subquery(latest.values("date")[:1]),
        )
    )
    what = _kinds_name(profile, kinds)
    if not documents:
        return Result(Status.NOT_CHECKABLE, _("No %(what)s in force are registered.") % {"what": what})
    rules = DecisionRules(group, {decider_for(d).role for d in documents if decider_for(d).role})
    wrong = [
        d
        for d in documents
        if d.decision_date is None or not rules.allowed(d, d.decision_body, d.decision_person, d.decision_date)
    ]
    if wrong:
        return Result(
            Status.NOT_MET,
            ngettext(
                "%(k)s of %(n)s documents (%(what)s) lacks a decision by the body or role the policy names.",
                "%(k)s of %(n)s documents (%(what)s) lack a decision by the body or role the policy names.",
                len(wrong),
            )
            % {"k": len(wrong), "n": len(documents), "what": what},
            _evidence(wrong),
        )
    deciders = sorted({decider_for(d).label.lower() for d in documents})
    return Result(
        Status.MET,
        ngettext(
            "The document (%(what)s) is decided by the %(decider)s.",
            "All %(n)s documents (%(what)s) are decided by the %(decider)s.",
            len(documents),
        )
        % {"n": len(documents), "what": what, "decider": ", ".join(deciders)},
    )


@registry.register("notifications_delivered", kinds=("document_kinds[]", True))
def notifications_delivered(group, profile, kinds):
    """Every decided document of the kinds has been communicated to the body the profile names."""
    duties = NotificationDuty.objects.filter(document__group=group, document__kind__in=kinds)
    counts = duties.aggregate(total=Count("pk"), pending=Count("pk", filter=Q(delivered_on__isnull=True)))
    what = _kinds_name(profile, kinds)
    if not counts["total"]:
        return Result(Status.NOT_CHECKABLE, _("No decided %(what)s have had to be communicated yet.") % {"what": what})
    if counts["pending"]:
        pending = list(
            duties.filter(delivered_on__isnull=True)
            .select_related("document__unit", "body")
            .order_by("created_at")[:EVIDENCE_SHOWN]
        )
        return Result(
            Status.NOT_MET,
            _("%(k)s of %(n)s decided documents (%(what)s) have not been communicated to %(body)s.")
            % {"k": counts["pending"], "n": counts["total"], "what": what, "body": pending[0].body},
            _evidence([d.document for d in pending]),
        )
    return Result(
        Status.MET,
        _("All %(n)s decided documents (%(what)s) have been communicated.") % {"n": counts["total"], "what": what},
    )


@registry.register("required_routines_exist", kinds=("document_kinds[]", True))
def required_routines_exist(group, profile, kinds):
    """For each area the profile lists under `required_routines`, a document of the kinds in
    force covers it (AL-5)."""
    areas = profile.data["required_routines"]
    covered = set()
    for topics in _applying(group, kinds).values_list("topics", flat=True):
        covered.update(topics or [])
    missing = [a for a in areas if a["key"] not in covered]
    from varna.organisation.profiles import tr

    if not areas:
        return Result(Status.NOT_CHECKABLE, _("The profile lists no required routines."))
    if missing:
        status = Status.PARTLY if len(missing) < len(areas) else Status.NOT_MET
        return Result(
            status,
            _("%(k)s of %(n)s required areas have no routine in force: %(names)s.")
            % {"k": len(missing), "n": len(areas), "names": ", ".join(tr(a["name"]) for a in missing)},
        )
    return Result(Status.MET, _("All %(n)s required areas have a routine in force.") % {"n": len(areas)})


@registry.register(
    "linked_documents", kind=("document_kinds", True), parent_kind=("document_kinds", True), minimum=("int", False)
)
def linked_documents(group, profile, kind, parent_kind, minimum=1):
    """Documents of `kind` (e.g. the fire-protection and information-security policies) are in
    force and linked to a document of `parent_kind` (the security policy) (AL-3)."""
    linked = list(_applying(group, [kind]).select_related("parent"))
    ok = [d for d in linked if d.parent_id and d.parent.kind == parent_kind]
    names = {"kind": kind_label(profile, kind).lower(), "parent": kind_label(profile, parent_kind).lower()}
    if len(ok) >= minimum:
        return Result(
            Status.MET,
            _("%(n)s documents (%(kind)s) in force are linked to the %(parent)s.") % {"n": len(ok), **names},
            _evidence(ok),
        )
    unlinked = [d for d in linked if d not in ok]
    status = Status.PARTLY if ok or unlinked else Status.NOT_MET
    return Result(
        status,
        _("%(n)s of at least %(min)s documents (%(kind)s) in force are linked to the %(parent)s.")
        % {"n": len(ok), "min": minimum, **names},
        _evidence(unlinked),
    )


@registry.register("external_parties_covered")
def external_parties_covered(group, profile):
    """External parties are registered with a responsible unit, a contact and their contracts,
    and those with a contract in force have acknowledged the applying governing documents they
    were asked to acknowledge (AL-9)."""
    from .acknowledgements import current_party_requests

    today = timezone.localdate()
    parties = list(
        ExternalParty.objects.filter(group=group)
        .select_related("unit")
        .annotate(
            in_force=Count(
                "contracts",
                filter=Q(contracts__valid_from__lte=today)
                & (Q(contracts__valid_to__isnull=True) | Q(contracts__valid_to__gte=today)),
            )
        )
    )
    if not parties:
        return Result(Status.NOT_MET, _("No external parties are registered."))
    active = [p for p in parties if p.in_force]
    no_contact = [p for p in active if not (p.contact_name or p.contact_email)]
    summary = _("%(n)s external parties registered, %(k)s with a contract in force.") % {
        "n": len(parties),
        "k": len(active),
    }
    if no_contact:
        summary += " " + _("%(k)s of them have no contact person.") % {"k": len(no_contact)}
    # The obligations page is open to every role: a classified party is not named there.
    evidence = [Evidence.of(p, _("A classified external party") if p.is_classified else p.name) for p in no_contact]
    requests = list(
        current_party_requests(group)
        .filter(party__in=[p.pk for p in active])
        .select_related("party__unit", "document__unit", "version")
        .order_by("party__name", "document__title")
    )
    if not requests:
        summary += " " + _("None of them has yet been asked to acknowledge the governing documents that apply.")
        return Result(Status.PARTLY, summary, evidence)
    outstanding = [r for r in requests if r.acknowledged_at is None]
    if not outstanding:
        summary += " " + ngettext(
            "Every party asked has acknowledged the governing documents that apply (%(n)s acknowledgement).",
            "Every party asked has acknowledged the governing documents that apply (%(n)s acknowledgements).",
            len(requests),
        ) % {"n": len(requests)}
        # A party nobody can reach is not covered, whatever it has acknowledged.
        return Result(Status.PARTLY if no_contact else Status.MET, summary, evidence)
    summary += " " + ngettext(
        "%(k)s of %(n)s requested acknowledgements of the governing documents is outstanding.",
        "%(k)s of %(n)s requested acknowledgements of the governing documents are outstanding.",
        len(outstanding),
    ) % {"k": len(outstanding), "n": len(requests)}
    for r in outstanding:
        # A classified party is named only on pages that check who may see it.
        name = _("A classified external party") if r.party.is_classified else r.party.name
        title = _("a classified document") if r.document.is_classified else r.document.title
        evidence.append(
            Evidence.of(
                r.document,
                _("%(party)s has not acknowledged %(title)s (version %(n)s)")
                % {"party": name, "title": title, "n": r.version.number},
                reverse("documents:acknowledgements", args=[r.document_id]) + "?status=open",
                also=[r.party],
            )
        )
    return Result(Status.PARTLY, summary, evidence)


@registry.register("heads_acknowledged", kinds=("document_kinds[]", True), levels=("unit_levels[]", True))
def heads_acknowledged(group, profile, kinds, levels):
    """The heads at the levels have acknowledged the version in force of every document of the
    kinds (they answer for spreading the guidelines in their unit): met when all have, partly
    when some have, not met when none has or no head is appointed."""
    documents = [d for d in _applying(group, kinds).select_related("group") if d.decided_version is not None]
    if not documents:
        return Result(
            Status.NOT_CHECKABLE,
            _("No document (%(kinds)s) is in force yet.") % {"kinds": _kinds_name(profile, kinds)},
        )
    head_roles = profile.roles_with(responsibility="head")
    heads = {
        a.person_id: a.person
        for a in RoleAssignment.objects.current()
        .filter(unit__group=group, unit__kind__in=levels, role__in=head_roles)
        .select_related("person__unit")
    }
    if not heads:
        return Result(Status.NOT_MET, _("No head is appointed at these levels."))
    versions = {d.decided_version.pk for d in documents}
    done: dict[int, set[int]] = {}
    for person_id, version_id in Acknowledgement.objects.filter(
        person_id__in=heads, version_id__in=versions, acknowledged_at__isnull=False
    ).values_list("person_id", "version_id"):
        done.setdefault(person_id, set()).add(version_id)
    lacking = [person for pk, person in heads.items() if done.get(pk, set()) != versions]
    counts = {"k": len(heads) - len(lacking), "n": len(heads), "d": len(documents)}
    if not lacking:
        return Result(
            Status.MET,
            ngettext(
                "All %(n)s heads have acknowledged the %(d)s document in force.",
                "All %(n)s heads have acknowledged the %(d)s documents in force.",
                len(documents),
            )
            % counts,
        )
    lacking.sort(key=str)
    return Result(
        Status.PARTLY if len(lacking) < len(heads) else Status.NOT_MET,
        ngettext(
            "%(k)s of %(n)s heads have acknowledged the %(d)s document in force.",
            "%(k)s of %(n)s heads have acknowledged the %(d)s documents in force.",
            len(documents),
        )
        % counts,
        [Evidence.of(person) for person in lacking[:EVIDENCE_SHOWN]],
    )
