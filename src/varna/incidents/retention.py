"""Thinning (gallring) of personal data in incidents, per the profile's retention rules.

`incidents.personal_data_months` in the profile says how many months after it happened an
incident's personal data is kept, per category (`default` for the rest), under the decision
named in `incidents.retention_decision` (a records management plan: the archive law allows
thinning only under such a decision). What is thinned: the persons involved, the reporter, the
resident's contact, the texts (what happened, immediate actions, findings), the position and
the photos — and the history of those, which would otherwise keep every earlier text. What
stays for the statistics: category, when, unit, place, status, costs, insurance, police and
claim numbers, fire facts. Only closed incidents are thinned; each run is logged per category
(ThinningLog). Idempotent: a thinned incident has `thinned_on` and is not touched again.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from varna.core.dates import add_months

from .models import Category, Incident, InvolvedPerson, Photo, ThinningLog

BATCH = 1000


def retention_months(profile, category: str) -> int | None:
    rules = (profile.data.get("incidents") or {}).get("personal_data_months") or {}
    return rules.get(category) or rules.get("default")


def due(group, category: str, day: datetime.date):
    """The closed, not yet thinned incidents of the category past their retention on `day`."""
    months = retention_months(group.profile, category)
    if not months:
        return Incident.objects.none(), None
    cutoff = add_months(day, -months)
    start = timezone.make_aware(datetime.datetime.combine(cutoff, datetime.time()))
    incidents = Incident.objects.filter(
        group=group, category=category, status=Incident.State.CLOSED, thinned_on__isnull=True, occurred_at__lt=start
    )
    return incidents, cutoff


def thin_group(group, day: datetime.date | None = None) -> list[ThinningLog]:
    day = day or timezone.localdate()
    decision = (group.profile.data.get("incidents") or {}).get("retention_decision", "")
    logs = []
    for category in Category.values:
        incidents, cutoff = due(group, category, day)
        if cutoff is None:
            continue
        totals = {"incidents": 0, "persons": 0, "photos": 0}
        while True:
            ids = list(incidents.order_by("pk").values_list("pk", flat=True)[:BATCH])
            if not ids:
                break
            for key, n in _thin(ids, day).items():
                totals[key] += n
        if totals["incidents"]:
            logs.append(
                ThinningLog.objects.create(group=group, category=category, cutoff=cutoff, decision=decision, **totals)
            )
    return logs


def _thin(ids: list[int], day: datetime.date) -> dict[str, int]:
    photos = list(Photo.objects.filter(incident_id__in=ids))
    with transaction.atomic():
        persons = InvolvedPerson.objects.filter(incident_id__in=ids)
        person_count = persons.count()
        persons.delete()
        # After the delete, which itself writes a history record holding the name.
        InvolvedPerson.history.model.objects.filter(incident_id__in=ids).delete()
        Photo.objects.filter(pk__in=[p.pk for p in photos]).delete()
        Incident.history.model.objects.filter(id__in=ids).delete()
        count = Incident.objects.filter(pk__in=ids).update(
            description="",
            immediate_actions="",
            investigation="",
            authorities_notified="",
            reporter=None,
            reported_by=None,
            reporter_contact="",
            latitude=None,
            longitude=None,
            thinned_on=day,
        )
        # The files go once the rows are gone for certain.
        transaction.on_commit(lambda: [p.file.delete(save=False) for p in photos])
    return {"incidents": count, "persons": person_count, "photos": len(photos)}
