"""Acknowledgements (read receipts) of governing documents.

People and external parties are asked to read the version of a document that applies and to
confirm that they have read it; a person confirms in Värna, while a coordinator registers an
external party's confirmation (e.g. a signed paper). External parties are covered by the policy
and its rules (AL-9). When a new version comes into force, everyone who acknowledged an older one
is asked again. Views and the decision flow call these; nothing here knows about requests.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from varna.core.models import Notification, Task
from varna.organisation.models import Contract, ExternalParty, OrgUnit, Person

from .models import APPLYING, Acknowledgement, Decision, Document, DocumentVersion, Status
from .services import RuleError

# A document that may be asked to be acknowledged: decided, whether or not in force yet.
ACKNOWLEDGEABLE = (*APPLYING, Status.DECIDED)


@dataclass
class Requested:
    """What a request did: new requests made, and requests that already existed."""

    people: int = 0
    parties: int = 0
    already: int = 0

    @property
    def total(self) -> int:
        return self.people + self.parties


def version_to_acknowledge(document: Document) -> DocumentVersion:
    """The version in force: the latest decided version. Refused when there is none."""
    if document.status in (Status.REPLACED, Status.REPEALED):
        raise RuleError(
            _("A %(status)s document is no longer to be acknowledged.")
            % {"status": document.get_status_display().lower()}
        )
    version = document.decided_version
    if version is None:
        raise RuleError(
            _("%(title)s has no decided version yet: a document is acknowledged once it is decided.")
            % {"title": document.title}
        )
    return version


def acknowledgement_url(document: Document) -> str:
    """Where a person reads and confirms: their open requests, at this document."""
    return f"{reverse('documents:my-acknowledgements')}#dokument-{document.pk}"


# Quick selections -------------------------------------------------------------------------------


def people_in_subtree(unit: OrgUnit, day: datetime.date | None = None) -> QuerySet[Person]:
    """Everyone employed in the unit and the units under it."""
    day = day or timezone.localdate()
    return Person.objects.filter(group_id=unit.group_id, unit__path__startswith=unit.path).filter(
        Q(employment_end__isnull=True) | Q(employment_end__gte=day)
    )


def parties_serving_subtree(unit: OrgUnit, day: datetime.date | None = None) -> QuerySet[ExternalParty]:
    """Every external party with a contract in force that serves the unit or a unit under it."""
    day = day or timezone.localdate()
    contracts = Contract.objects.filter(
        Q(valid_from__lte=day) & (Q(valid_to__isnull=True) | Q(valid_to__gte=day)),
        units__path__startswith=unit.path,
    )
    return ExternalParty.objects.filter(group_id=unit.group_id, pk__in=contracts.values("party_id"))


# Requests ---------------------------------------------------------------------------------------


def _ids(items) -> set[int]:
    return {item if isinstance(item, int) else item.pk for item in items or ()}


def _close_tasks(acknowledgement_ids, state=Task.State.DONE) -> None:
    ids = [str(pk) for pk in acknowledgement_ids]
    if not ids:
        return
    Task.objects.filter(
        subject_type=ContentType.objects.get_for_model(Acknowledgement), subject_id__in=ids, state=Task.State.OPEN
    ).update(state=state, done_at=timezone.now())


def close_open_requests(document: Document) -> None:
    """A repealed or replaced document asks nobody to read it any more."""
    _close_tasks(
        document.acknowledgements.filter(acknowledged_at__isnull=True).values_list("pk", flat=True),
        state=Task.State.CANCELLED,
    )


def _lock(document: Document) -> None:
    """Take the document's row lock: one request round per document at a time, so that the
    check for who is already asked holds."""
    Document.objects.select_for_update().only("pk").get(pk=document.pk)


def _carry_open_requests(document: Document, version: DocumentVersion) -> None:
    """An open request is always for the version in force: open requests for an older version
    move to it (a duplicate of a request that already exists for it is dropped)."""
    stale = Acknowledgement.objects.filter(document=document, acknowledged_at__isnull=True).exclude(version=version)
    if not stale.exists():
        return
    current = Acknowledgement.objects.filter(version=version)
    doubles = stale.filter(
        Q(person__in=current.filter(person__isnull=False).values("person"))
        | Q(party__in=current.filter(party__isnull=False).values("party"))
    )
    double_ids = list(doubles.values_list("pk", flat=True))
    if double_ids:
        _close_tasks(double_ids, Task.State.CANCELLED)
        Acknowledgement.objects.filter(pk__in=double_ids).delete()
    stale.update(version=version)


def _create_requests(document, version, person_ids: set[int], party_ids: set[int], user) -> Requested:
    """New requests for those not yet asked for this version; a notification and a task for each
    person who is a user."""
    existing = Acknowledgement.objects.filter(version=version).filter(
        Q(person_id__in=person_ids) | Q(party_id__in=party_ids)
    )
    asked_people, asked_parties = set(), set()
    for person_id, party_id in existing.values_list("person_id", "party_id"):
        if person_id:
            asked_people.add(person_id)
        else:
            asked_parties.add(party_id)
    people = list(
        Person.objects.filter(group_id=document.group_id, pk__in=person_ids - asked_people).select_related("user")
    )
    party_pks = list(
        ExternalParty.objects.filter(group_id=document.group_id, pk__in=party_ids - asked_parties).values_list(
            "pk", flat=True
        )
    )
    now = timezone.now()
    created = Acknowledgement.objects.bulk_create(
        [
            *(
                Acknowledgement(document=document, version=version, person=p, requested_at=now, requested_by=user)
                for p in people
            ),
            *(
                Acknowledgement(document=document, version=version, party_id=pk, requested_at=now, requested_by=user)
                for pk in party_pks
            ),
        ]
    )
    by_person = {a.person_id: a for a in created if a.person_id}
    users = [p for p in people if p.user_id and p.user.is_active]
    if users:
        url = acknowledgement_url(document)
        by = (user.get_full_name() or user.username) if user else _("Värna")
        subject = _("Read and confirm: %(title)s") % {"title": document.title}
        body = _(
            "%(by)s asks you to read %(title)s (version %(n)s) and to confirm that you have read it. "
            "The document applies to you."
        ) % {"by": by, "title": document.title, "n": version.number}
        Notification.objects.bulk_create(
            Notification(group_id=document.group_id, recipient_id=p.user_id, subject=subject, body=body, url=url)
            for p in users
            if user is None or p.user_id != user.pk
        )
        subject_type = ContentType.objects.get_for_model(Acknowledgement)
        Task.objects.bulk_create(
            Task(
                group_id=document.group_id,
                owner=p,
                title=subject,
                url=url,
                subject_type=subject_type,
                subject_id=str(by_person[p.pk].pk),
            )
            for p in users
        )
    return Requested(people=len(people), parties=len(party_pks), already=len(asked_people) + len(asked_parties))


def request_acknowledgement(
    document: Document,
    *,
    people: Iterable[Person | int] = (),
    parties: Iterable[ExternalParty | int] = (),
    user=None,
) -> Requested:
    """Ask people and/or external parties to acknowledge the version in force. Idempotent: whoever
    is already asked for this version is not asked again."""
    version = version_to_acknowledge(document)
    person_ids, party_ids = _ids(people), _ids(parties)
    if not person_ids and not party_ids:
        raise RuleError(_("Choose whom to ask: nobody was chosen."))
    with transaction.atomic():
        _lock(document)
        _carry_open_requests(document, version)
        return _create_requests(document, version, person_ids, party_ids, user)


def reask_on_new_version(document: Document, user=None) -> Requested:
    """A new version has come into force: everyone who acknowledged an older version is asked
    again for it, and open requests now concern it."""
    version = document.decided_version
    if version is None or document.status in (Status.REPLACED, Status.REPEALED):
        return Requested()
    with transaction.atomic():
        _lock(document)
        _carry_open_requests(document, version)
        earlier = Acknowledgement.objects.filter(document=document, acknowledged_at__isnull=False).exclude(
            version=version
        )
        person_ids = set(earlier.filter(person__isnull=False).values_list("person_id", flat=True))
        party_ids = set(earlier.filter(party__isnull=False).values_list("party_id", flat=True))
        if not person_ids and not party_ids:
            return Requested()
        return _create_requests(document, version, person_ids, party_ids, user)


# Confirmations ----------------------------------------------------------------------------------


def open_request(person: Person | None, document: Document) -> Acknowledgement | None:
    """The person's open request for the document, if any."""
    if person is None:
        return None
    return (
        Acknowledgement.objects.filter(person=person, document=document, acknowledged_at__isnull=True)
        .select_related("version")
        .order_by("-version__number")
        .first()
    )


def _confirm(document: Document, version: DocumentVersion, user, **who) -> Acknowledgement | None:
    with transaction.atomic():
        _carry_open_requests(document, version)
        acknowledgement = Acknowledgement.objects.select_for_update().filter(version=version, **who).first()
        if acknowledgement is None:
            return None
        if acknowledgement.acknowledged_at is not None:
            raise RuleError(
                _("Version %(n)s of %(title)s is already acknowledged (%(day)s).")
                % {
                    "n": version.number,
                    "title": document.title,
                    "day": timezone.localtime(acknowledgement.acknowledged_at).date(),
                }
            )
        acknowledgement.acknowledged_at = timezone.now()
        acknowledgement.registered_by = user
        acknowledgement.save(update_fields=["acknowledged_at", "registered_by"])
        _close_tasks([acknowledgement.pk])
        return acknowledgement


def acknowledge(person: Person, document: Document, user=None) -> Acknowledgement:
    """The person confirms, themself, that they have read the version in force."""
    version = version_to_acknowledge(document)
    acknowledgement = _confirm(document, version, user if user is not None else person.user, person=person)
    if acknowledgement is None:
        raise RuleError(
            _("You have not been asked to acknowledge %(title)s, so there is nothing to confirm.")
            % {"title": document.title}
        )
    return acknowledgement


def register_party_acknowledgement(party: ExternalParty, document: Document, user) -> Acknowledgement:
    """A coordinator registers that an external party has confirmed the version in force (e.g. a
    signed paper). A party not yet asked is asked and registered in one step."""
    if party.group_id != document.group_id:
        raise RuleError(_("%(party)s belongs to another municipal group.") % {"party": party})
    version = version_to_acknowledge(document)
    with transaction.atomic():
        _lock(document)
        _carry_open_requests(document, version)
        Acknowledgement.objects.get_or_create(
            version=version, party=party, defaults={"document": document, "requested_by": user}
        )
        return _confirm(document, version, user, party=party)


# For the obligation check -----------------------------------------------------------------------


def in_force_version() -> Subquery:
    """The version in force of the row's document (the latest decided), as a subquery."""
    return Subquery(
        Decision.objects.filter(document=OuterRef("document")).order_by("-date", "-pk").values("version")[:1]
    )


def current_party_requests(group) -> QuerySet[Acknowledgement]:
    """Requests to external parties for the version in force of each applying document."""
    return (
        Acknowledgement.objects.filter(document__group=group, party__isnull=False, document__status__in=APPLYING)
        .annotate(in_force_version=in_force_version())
        .filter(version_id=F("in_force_version"))
    )
