"""What happens to keys: handed out with a receipt, confirmed, returned, lost, and falling due
for return when the holder's employment or contract ends."""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from varna.core.models import Classification, Notification, Task
from varna.incidents import services as incident_services
from varna.incidents.models import Category, Incident
from varna.organisation.models import Contract
from varna.organisation.services import responsibility_with_inheritance
from varna.risks.models import Risk

from .models import Key, KeyLoan

# How long before an employment ends its keys are listed as due (the last weeks are when they
# are collected).
DUE_AHEAD = datetime.timedelta(days=14)


def _loan_tasks(loan: KeyLoan):
    return Task.objects.filter(
        subject_type=ContentType.objects.get_for_model(KeyLoan), subject_id=str(loan.pk), state=Task.State.OPEN
    )


@transaction.atomic
def hand_out(loan: KeyLoan, *, user) -> KeyLoan:
    """Register a handover. A holder with a login is asked to confirm the receipt in Värna (a
    task of theirs); anyone else signs the printed receipt, which is uploaded back."""
    loan.handed_out_by = user
    loan.save()
    person = loan.person
    if person is not None and person.user_id:
        Task.objects.create(
            group_id=loan.key.system.site.group_id,
            owner=person,
            title=(_("Confirm the receipt of key %(number)s") % {"number": loan.key.number})[:200],
            due_date=loan.handed_out_on + datetime.timedelta(days=7),
            url=loan.get_absolute_url(),
            subject=loan,
        )
    return loan


@transaction.atomic
def confirm(loan: KeyLoan, *, user) -> None:
    loan.confirmed_at = timezone.now()
    loan.confirmed_by = user
    loan.save(update_fields=["confirmed_at", "confirmed_by"])
    _loan_tasks(loan).update(state=Task.State.DONE, done_at=timezone.now())


def confirm_paper(loan: KeyLoan) -> None:
    """A signed paper receipt is the holder's confirmation: the task to confirm in Värna ends."""
    _loan_tasks(loan).update(state=Task.State.DONE, done_at=timezone.now())


@transaction.atomic
def give_back(loan: KeyLoan, *, on: datetime.date) -> None:
    loan.returned_on = on
    loan.save()
    _loan_tasks(loan).update(state=Task.State.CANCELLED, done_at=timezone.now())


def reassessors(site) -> list:
    """Who is asked to re-assess after a lost key: the owners of the active risks of the site's
    unit, or where it has none with an owner, whoever is operationally responsible for it."""
    owners = {
        risk.owner_id: risk.owner
        for risk in Risk.objects.active().filter(unit=site.unit, owner__isnull=False).select_related("owner")
    }
    if owners:
        return sorted(owners.values(), key=lambda p: (p.last_name, p.first_name))
    return responsibility_with_inheritance(site.unit).operational


@transaction.atomic
def report_lost(key: Key, *, on: datetime.date, circumstances: str, user, person=None) -> Incident:
    """A lost key is an incident of the site's unit; the key is out of use, its loan ended, and
    the site's risk owners are asked to re-assess (the key's page shows what it opens)."""
    system = key.system
    site = system.site
    loan = key.loans.open().first()
    # The reporter reads their own incident whatever its classification: a classified system is
    # not named in it (its investigators find the key by its number in the key register). The
    # holder is not named either: people are read within a scope, and the key's page has them.
    described = {"number": key.number, "system": system.name}
    if system.is_classified:
        description = _("Key %(number)s of a classified key system is lost.") % described
    else:
        description = _("Key %(number)s of the key system %(system)s is lost.") % described
    description = f"{description}\n\n{circumstances}"
    incident = Incident(
        group_id=site.group_id,
        unit=site.unit,
        category=Category.LOST_KEY,
        occurred_at=timezone.make_aware(datetime.datetime.combine(on, datetime.time(12))),
        place="" if site.is_classified else site.name,
        description=description.strip(),
        classification=Classification.CLASSIFIED if system.is_classified else Classification.INTERNAL,
        classification_ground=(system.classification_ground or site.classification_ground)
        if system.is_classified
        else "",
    )
    incident_services.submit(incident, photos=[], user=user, person=person)
    key.lost_on = on
    # Versioned, so that an edit form opened before the loss cannot put the key back in use.
    key.save_versioned(key.version)
    if loan is not None:
        loan.lost_on = on
        loan.save()
        _loan_tasks(loan).update(state=Task.State.CANCELLED, done_at=timezone.now())
    for owner in reassessors(site):
        Task.objects.create(
            group_id=site.group_id,
            owner=owner,
            title=(
                _("Re-assess the risks at %(site)s: key %(number)s is lost") % {"site": site.name, "number": key.number}
            )[:200],
            due_date=on + datetime.timedelta(days=14),
            url=key.get_absolute_url(),
            subject=key,
        )
    return incident


def due_for_return(loans, day: datetime.date | None = None):
    """Open loans whose key should come back: the agreed date has passed, the holder's
    employment ends within DUE_AHEAD (or has ended), or every contract of the external holder
    has ended."""
    day = day or timezone.localdate()
    ended_parties = (
        Contract.objects.values("party_id")
        .annotate(last=Max("valid_to"))
        .filter(last__lt=day)
        .exclude(party_id__in=Contract.objects.filter(valid_to__isnull=True).values("party_id"))
        .values("party_id")
    )
    return loans.open().filter(
        Q(due_back_on__lt=day)
        | Q(person__employment_end__lte=day + DUE_AHEAD)
        | Q(party__isnull=False, party_id__in=ended_parties)
    )


def notify_keys_due(day: datetime.date | None = None) -> int:
    """Tell each key administrator once about the loans of their systems that fell due."""
    loans = (
        due_for_return(KeyLoan.objects.all(), day)
        .filter(return_requested_at__isnull=True, key__system__administrator__user__isnull=False)
        .select_related("key__system__administrator", "key__system__site")
    )
    by_admin: dict[int, list[KeyLoan]] = {}
    for loan in loans:
        by_admin.setdefault(loan.key.system.administrator_id, []).append(loan)
    for loans_ in by_admin.values():
        admin = loans_[0].key.system.administrator
        Notification.objects.create(
            group_id=admin.group_id,
            recipient_id=admin.user_id,
            subject=_("Keys due for return: %(n)s") % {"n": len(loans_)},
            body=_(
                "Keys of your key systems should be returned: the holder's employment or contract ends, or "
                "the agreed date has passed. The list shows them."
            ),
            url=reverse("facilities:keys-due"),
        )
    KeyLoan.objects.filter(pk__in=[loan.pk for loans_ in by_admin.values() for loan in loans_]).update(
        return_requested_at=timezone.now()
    )
    return sum(len(v) for v in by_admin.values())
