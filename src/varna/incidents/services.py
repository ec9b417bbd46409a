"""What happens to incidents: reporting, photos, costs, and the way to measures and risks."""

import datetime

from django.db import transaction
from django.db.models import Case, DecimalField, F, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from varna.core.links import name_in_message
from varna.core.models import Notification
from varna.organisation.services import responsibilities, responsibility_with_inheritance
from varna.risks import services as risk_services

from . import summary
from .models import CostItem, Incident, Photo
from .photos import CleanPhoto


def responders(incident: Incident) -> list:
    """Who investigates: the security coordinators of the incident's unit or, where it has none,
    of the nearest unit above that has; without any coordinator in the chain, the operationally
    responsible (the heads, HJ-9)."""
    unit = incident.unit
    ancestors = list(unit.ancestors())
    chain = [*ancestors, unit]
    by_unit = responsibilities(chain, profile=incident.group.profile)
    for link in reversed(chain):
        if by_unit[link.pk].coordinators:
            return by_unit[link.pk].coordinators
    own = responsibility_with_inheritance(unit, ancestors, by_unit)
    return by_unit[(own.inherited_from or unit).pk].operational


@transaction.atomic
def submit(incident: Incident, *, photos: list[CleanPhoto], user, person=None) -> Incident:
    """Register a reported incident with its photos and tell the responders."""
    incident.reported_by = user if user is not None and user.is_authenticated else None
    incident.reporter = person
    incident.reported_at = timezone.now()
    incident.save()
    add_photos(incident, photos, user)
    body = _("%(category)s reported for %(unit)s. Investigate it and decide on measures.") % {
        "category": incident.get_category_display(),
        "unit": incident.unit.name,
    }
    for person_ in responders(incident):
        if person_.user_id and person_.user_id != getattr(incident.reported_by, "pk", None):
            subject = _("New incident: %(incident)s") % {"incident": name_in_message(incident, person_.user)}
            Notification.objects.create(
                group_id=incident.group_id,
                recipient_id=person_.user_id,
                subject=subject[:200],
                body=body,
                url=incident.get_absolute_url(),
            )
    return incident


def add_photos(incident: Incident, photos: list[CleanPhoto], user) -> list[Photo]:
    return [
        Photo.objects.create(
            incident=incident,
            file=photo.content,
            content_type=photo.content_type,
            width=photo.width,
            height=photo.height,
            size=photo.content.size,
            uploaded_by=user if user is not None and user.is_authenticated else None,
        )
        for photo in photos
    ]


@transaction.atomic
def update_costs(incident: Incident) -> None:
    """Write the sums of the incident's cost items onto it (one query to read, one to write):
    the statistics add these columns up instead of joining every cost item. A queryset update
    bypasses save(), so the damage figures added up ahead are told (summary.tracking)."""
    zero = Value(0, output_field=DecimalField(max_digits=14, decimal_places=0))
    sums = CostItem.objects.filter(incident=incident).aggregate(
        sum_estimated=Coalesce(Sum("estimated"), zero),
        sum_final=Coalesce(Sum("final"), zero),
        sum_best=Coalesce(
            Sum(Case(When(final__isnull=False, then=F("final")), default=Coalesce(F("estimated"), zero))), zero
        ),
    )
    estimated, final, best = sums["sum_estimated"], sums["sum_final"], sums["sum_best"]
    with summary.tracking([incident.pk]):
        Incident.objects.filter(pk=incident.pk).update(cost_estimated=estimated, cost_final=final, cost=best)
    incident.cost_estimated, incident.cost_final, incident.cost = estimated, final, best


def close(incident: Incident, *, on: datetime.date | None = None) -> None:
    incident.status = Incident.State.CLOSED
    incident.closed_on = on or timezone.localdate()


def open_cost_items(incident: Incident) -> list[CostItem]:
    """Cost items without a final amount: an incident is not closed while any is left."""
    return [item for item in incident.cost_items.all() if item.final is None]


@transaction.atomic
def link_measure(incident: Incident, measure) -> None:
    incident.measures.add(measure)
    if incident.status in (Incident.State.REPORTED, Incident.State.INVESTIGATING):
        Incident.objects.filter(pk=incident.pk).update(status=Incident.State.MEASURES_DECIDED)
        incident.status = Incident.State.MEASURES_DECIDED


@transaction.atomic
def link_risk(incident: Incident, risk, *, user) -> list:
    """The incident touches a risk in the register: link them and ask the risk's owners to
    re-assess it in the light of what happened."""
    incident.risks.add(risk)
    body = _("The incident “%(record)s” touches this risk. Assess the risk again with what happened in mind.")
    return risk_services.ask_reassessment(
        risk, because=incident, body=body, due_date=timezone.localdate() + datetime.timedelta(days=30), user=user
    )
