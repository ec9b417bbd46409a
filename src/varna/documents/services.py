"""The life of a governing document: the profile's rules on who decides, notification duties,
reviews and their due dates. Views and jobs call these; nothing here knows about requests."""

import datetime
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from varna.core.dates import add_months
from varna.core.i18n import tr
from varna.core.links import name_in_message
from varna.organisation.models import Body, OrgUnit, Person, RoleAssignment

from .models import APPLYING, Decision, Document, DocumentVersion, NotificationDuty, Review, Status, next_mandate_start


class RuleError(Exception):
    """A step the policy does not allow, with a message for the user."""


@dataclass
class Decider:
    """Who may decide a kind of document, from the profile."""

    body_kind: str | None
    role: str | None
    label: str


def decider_for(document: Document) -> Decider:
    profile = document.group.profile
    spec = document.kind_spec
    if spec.get("decided_by_body"):
        kind = spec["decided_by_body"]
        return Decider(kind, None, profile.body_kind_name(kind))
    role = spec.get("decided_by_role")
    return Decider(None, role, profile.role_name(role) if role else "")


class DecisionRules:
    """The profile's rule on who decides, applied to one or many documents of a group with three
    queries: the group's units, its bodies and the holders of the deciding roles.

    - A body kind with one body in the group (the council, the executive board) means that body.
    - A body kind with several (committees, company boards) means the body responsible for the
      owner unit, or for the nearest unit above it that has one ("adopted by its committee").
    - A role means its holders on the owner unit, or on the nearest unit above it that has a
      holder on the decision day ("adopted by its head").
    """

    def __init__(self, group, roles: set[str]):
        self.units = {u.pk: u for u in OrgUnit.objects.filter(group=group).only("pk", "path", "responsible_body_id")}
        self.bodies = {b.pk: b for b in Body.objects.filter(group=group)}
        self.assignments = list(
            RoleAssignment.objects.filter(unit__group=group, role__in=roles)
            .select_related("person")
            .only("person", "role", "valid_from", "valid_to", "unit_id")
        )

    def _chain(self, unit) -> list[int]:
        """The owner unit's id, then its ancestors' ids, nearest first."""
        return list(reversed([int(part) for part in unit.path.strip(".").split(".") if part]))

    def bodies_for(self, document) -> list[Body]:
        kind = decider_for(document).body_kind
        of_kind = [b for b in self.bodies.values() if b.kind == kind]
        if len(of_kind) <= 1:
            return of_kind
        for unit_id in self._chain(document.unit):
            unit = self.units.get(unit_id)
            if unit is not None and unit.responsible_body_id:
                return [self.bodies[unit.responsible_body_id]]
        return of_kind

    def people_for(self, document, day: datetime.date) -> list[Person]:
        role = decider_for(document).role
        holders: dict[int, list[Person]] = {}
        for a in self.assignments:
            if (
                a.role == role
                and (a.valid_from is None or a.valid_from <= day)
                and (a.valid_to is None or a.valid_to >= day)
            ):
                holders.setdefault(a.unit_id, []).append(a.person)
        for unit_id in self._chain(document.unit):
            if unit_id in holders:
                return holders[unit_id]
        return []

    def allowed(self, document, body_id, person_id, day) -> bool:
        if decider_for(document).body_kind:
            return any(b.pk == body_id for b in self.bodies_for(document))
        return any(p.pk == person_id for p in self.people_for(document, day))


def _rules(document: Document) -> DecisionRules:
    role = decider_for(document).role
    return DecisionRules(document.group, {role} if role else set())


def allowed_bodies(document: Document) -> list[Body]:
    return _rules(document).bodies_for(document) if decider_for(document).body_kind else []


def allowed_people(document: Document, day: datetime.date | None = None) -> list[Person]:
    if decider_for(document).role is None:
        return []
    return _rules(document).people_for(document, day or timezone.localdate())


def check_decider(document: Document, body: Body | None, person: Person | None, day: datetime.date) -> None:
    decider = decider_for(document)
    kind_name = document.kind_name.lower()
    if decider.body_kind:
        allowed = allowed_bodies(document)
        names = ", ".join(str(b) for b in allowed) or decider.label
        if body is None:
            raise RuleError(
                _("A %(kind)s is decided by %(names)s: choose the body.") % {"kind": kind_name, "names": names}
            )
        if body not in allowed:
            raise RuleError(
                _("%(body)s cannot decide this %(kind)s: by the policy it is decided by %(names)s.")
                % {"body": body, "kind": kind_name, "names": names}
            )
        return
    allowed = allowed_people(document, day)
    names = ", ".join(str(p) for p in allowed)
    if person is None:
        raise RuleError(
            _("A %(kind)s is decided by the %(decider)s: choose the person.")
            % {"kind": kind_name, "decider": decider.label.lower()}
        )
    if person not in allowed:
        if names:
            message = _(
                "%(person)s cannot decide this %(kind)s: by the policy it is decided by the %(decider)s, %(names)s."
            )
        else:
            message = _(
                "%(person)s cannot decide this %(kind)s: by the policy it is decided by the %(decider)s, "
                "and %(unit)s has none on %(day)s."
            )
        raise RuleError(
            message
            % {
                "person": person,
                "kind": kind_name,
                "decider": decider.label.lower(),
                "names": names,
                "unit": document.unit,
                "day": day,
            }
        )


def next_review_date(document: Document, from_day: datetime.date) -> datetime.date | None:
    spec = document.kind_spec
    if spec.get("review_months"):
        return add_months(from_day, spec["review_months"])
    if spec.get("review_before_mandate_period"):
        # A revision in the year before a mandate period starts is the revision for that period.
        upcoming = next_mandate_start(from_day)
        if (upcoming - from_day).days < 365:
            upcoming = next_mandate_start(upcoming)
        return upcoming
    return None


def add_version(
    document: Document, user, *, text: str = "", note: str = "", file_fields: dict | None = None
) -> DocumentVersion:
    if document.status not in (Status.DRAFT, Status.CONSULTATION, Status.UNDER_REVIEW, Status.IN_FORCE):
        raise RuleError(
            _("A %(status)s document takes no new versions.") % {"status": document.get_status_display().lower()}
        )
    last = document.versions.order_by("-number").values_list("number", flat=True).first() or 0
    return DocumentVersion.objects.create(
        document=document, number=last + 1, text=text, note=note, created_by=user, **(file_fields or {})
    )


def start_consultation(document: Document) -> None:
    if document.status != Status.DRAFT:
        raise RuleError(_("Only a draft can be sent for consultation."))
    if not document.versions.exists():
        raise RuleError(_("Write or upload the document's content before sending it for consultation."))
    document.status = Status.CONSULTATION
    document.save_versioned(document.version)


@transaction.atomic
def record_decision(
    document: Document,
    *,
    version: DocumentVersion,
    body: Body | None,
    person: Person | None,
    date: datetime.date,
    in_force_from: datetime.date,
    record_number: str,
    user,
    expected_version: int,
) -> Decision:
    if document.status in (Status.REPLACED, Status.REPEALED):
        raise RuleError(_("A replaced or repealed document cannot be decided again."))
    if version.document_id != document.pk:
        raise RuleError(_("The version belongs to another document."))
    if in_force_from < date:
        raise RuleError(_("A document cannot come into force before it is decided."))
    if date > timezone.localdate():
        raise RuleError(_("Record a decision once it has been taken: the date is in the future."))
    check_decider(document, body, person, date)
    decision = Decision.objects.create(
        document=document,
        version=version,
        body=body,
        person=person,
        date=date,
        record_number=record_number,
        in_force_from=in_force_from,
        recorded_by=user,
    )
    document.record_number = record_number or document.record_number
    document.in_force_from = in_force_from
    document.status = Status.IN_FORCE if in_force_from <= timezone.localdate() else Status.DECIDED
    document.next_review = next_review_date(document, in_force_from)
    document.save_versioned(expected_version)
    # A decision ends any open review: the revised version is now the one that applies.
    for review in Review.objects.filter(document=document, done_at__isnull=True):
        review.done_at, review.outcome = date, Review.Outcome.REVISED
        review.save()
        _close_task(review)
    notify_kind = document.kind_spec.get("notify_body")
    if notify_kind:
        target = Body.objects.filter(group=document.group, kind=notify_kind).first()
        if target is not None:
            NotificationDuty.objects.create(document=document, decision=decision, body=target)
    if document.status == Status.IN_FORCE:
        # Whoever acknowledged an older version is asked again for the one now in force.
        from .acknowledgements import reask_on_new_version

        reask_on_new_version(document, user)
    return decision


def put_in_force_due(day: datetime.date | None = None) -> int:
    """Decided documents whose in-force date has come start to apply, and those who acknowledged
    an earlier version are asked again (daily job, idempotent)."""
    from .acknowledgements import reask_on_new_version

    day = day or timezone.localdate()
    due = list(Document.objects.filter(status=Status.DECIDED, in_force_from__lte=day).select_related("group"))
    for document in due:
        with transaction.atomic():
            Document.objects.filter(pk=document.pk).update(status=Status.IN_FORCE)
            document.status = Status.IN_FORCE
            reask_on_new_version(document)
    return len(due)


def complete_review(review: Review, *, outcome: str, notes: str, user, day: datetime.date | None = None) -> None:
    day = day or timezone.localdate()
    if review.done_at is not None:
        raise RuleError(_("This review is already done."))
    document = review.document
    with transaction.atomic():
        if outcome == Review.Outcome.NO_CHANGE:
            review.done_at = day
            review.outcome = outcome
            review.notes = notes
            review.reviewer = user
            review.save()
            _close_task(review)
            document.next_review = next_review_date(document, day)
            document.status = Status.IN_FORCE
        else:
            # The review stays open until the revised version is decided.
            review.notes = notes
            review.reviewer = user
            review.save()
            document.status = Status.UNDER_REVIEW
        document.save_versioned(document.version)


def _close_task(review: Review) -> None:
    from varna.core.models import Task

    Task.objects.filter(
        subject_type=ContentType.objects.get_for_model(Review), subject_id=str(review.pk), state=Task.State.OPEN
    ).update(state=Task.State.DONE, done_at=timezone.now())


def open_due_reviews(day: datetime.date | None = None, lead_days: int = 30) -> list[Review]:
    """Create a review for each applying document whose next review falls within `lead_days`,
    with a task for its owner (daily job, idempotent: one open review per document)."""
    from varna.core.models import Task

    day = day or timezone.localdate()
    created = []
    due = (
        Document.objects.filter(
            status__in=APPLYING, next_review__isnull=False, next_review__lte=day + datetime.timedelta(days=lead_days)
        )
        .exclude(Exists(Review.objects.filter(document=OuterRef("pk"), done_at__isnull=True)))
        .select_related("owner__user", "group", "unit")
    )
    review_type = ContentType.objects.get_for_model(Review)
    for document in due:
        with transaction.atomic():
            review = Review.objects.create(document=document, due_date=document.next_review)
            if document.owner_id:
                Task.objects.create(
                    group_id=document.group_id,
                    owner=document.owner,
                    title=_("Review: %(title)s") % {"title": name_in_message(document, document.owner.user)},
                    due_date=review.due_date,
                    url=document.get_absolute_url(),
                    subject_type=review_type,
                    subject_id=str(review.pk),
                )
        created.append(review)
    return created


def kind_label(profile, key: str) -> str:
    spec = profile.document_kinds.get(key)
    return tr(spec["name"]) if spec else key
