"""The life of a governing document: the profile's rules on who decides, notification duties,
reviews and their due dates. Views and jobs call these; nothing here knows about requests."""

import calendar
import datetime
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from varna.organisation.models import Body, OrgUnit, Person, RoleAssignment
from varna.organisation.profiles import tr

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


def allowed_bodies(document: Document):
    """The bodies that may decide the document: of the kind the profile names; for a committee,
    the one responsible for the owner unit (or the nearest unit above it with one)."""
    decider = decider_for(document)
    if decider.body_kind is None:
        return Body.objects.none()
    bodies = Body.objects.filter(group=document.group, kind=decider.body_kind)
    responsible = _responsible_body(document.unit)
    if responsible is not None and responsible.kind == decider.body_kind:
        return bodies.filter(pk=responsible.pk)
    return bodies


def _responsible_body(unit: OrgUnit) -> Body | None:
    for candidate in [unit, *reversed(list(unit.ancestors().select_related("responsible_body")))]:
        if candidate.responsible_body_id:
            return candidate.responsible_body
    return None


def allowed_people(document: Document, day: datetime.date | None = None):
    """People holding the deciding role on the owner unit or a unit above it."""
    decider = decider_for(document)
    if decider.role is None:
        return Person.objects.none()
    assignments = RoleAssignment.objects.current(day).covering(document.unit).filter(role=decider.role)
    return Person.objects.filter(pk__in=assignments.values("person_id"))


def check_decider(document: Document, body: Body | None, person: Person | None, day: datetime.date) -> None:
    decider = decider_for(document)
    kind_name = document.kind_name
    if decider.body_kind:
        if body is None:
            raise RuleError(
                _("A %(kind)s is decided by %(decider)s: choose the body.")
                % {"kind": kind_name.lower(), "decider": decider.label}
            )
        if not allowed_bodies(document).filter(pk=body.pk).exists():
            raise RuleError(
                _("%(body)s cannot decide this %(kind)s: the policy says it is decided by %(decider)s.")
                % {"body": body, "kind": kind_name.lower(), "decider": decider.label}
            )
        return
    if person is None:
        raise RuleError(
            _("A %(kind)s is decided by the %(decider)s: choose the person.")
            % {"kind": kind_name.lower(), "decider": decider.label.lower()}
        )
    if not allowed_people(document, day).filter(pk=person.pk).exists():
        raise RuleError(
            _("%(person)s is not %(decider)s for %(unit)s on %(day)s, so cannot decide this %(kind)s.")
            % {
                "person": person,
                "decider": decider.label.lower(),
                "unit": document.unit,
                "day": day,
                "kind": kind_name.lower(),
            }
        )


def add_months(day: datetime.date, months: int) -> datetime.date:
    years, month_index = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month_index + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def next_review_date(document: Document, from_day: datetime.date) -> datetime.date | None:
    spec = document.kind_spec
    if spec.get("review_months"):
        return add_months(from_day, spec["review_months"])
    if spec.get("review_before_mandate_period"):
        return next_mandate_start(from_day)
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
    return decision


def put_in_force_due(day: datetime.date | None = None) -> int:
    """Decided documents whose in-force date has come start to apply (daily job, idempotent)."""
    day = day or timezone.localdate()
    return Document.objects.filter(status=Status.DECIDED, in_force_from__lte=day).update(status=Status.IN_FORCE)


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
        .select_related("owner", "group")
    )
    review_type = ContentType.objects.get_for_model(Review)
    for document in due:
        with transaction.atomic():
            review = Review.objects.create(document=document, due_date=document.next_review)
            if document.owner_id:
                Task.objects.create(
                    group_id=document.group_id,
                    owner=document.owner,
                    title=_("Review: %(title)s") % {"title": document.title},
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
