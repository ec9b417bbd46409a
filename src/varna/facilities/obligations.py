"""Obligation checks for physical security (AL-5: locks, alarms, access control, key storage,
camera surveillance): the alarms are serviced, the access rights of the access control systems
reviewed on time, the camera surveillance documented (the key register's check is in
key_checks.py).

Each counts in the database and names at most EVIDENCE_SHOWN records, each shown only to readers
who may read it (core/obligations.py, Evidence); the counts cover all."""

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from varna.core.formatting import count
from varna.core.obligations import Evidence, Result, Status, registry

from . import (
    camera_review,
    key_checks,  # noqa: F401  (the key register's check, in its own module)
)
from .models import AccessControlSystem, Alarm, CameraSurveillance, Conclusion

EVIDENCE_SHOWN = 10


def _label(record, site) -> str | None:
    # A classified record is named by its kind only (Evidence.of), its site with it.
    return None if record.is_classified else f"{record.name} ({site.name})"


def _none_registered(require: bool, summary: str) -> Result:
    return Result(Status.NOT_MET if require else Status.NOT_CHECKABLE, summary)


@registry.register("alarms_serviced", require=("bool", False))
def alarms_serviced(group, profile, require=False):
    """Every alarm of the group is serviced within its interval: none is past its next service
    or without a service recorded."""
    today = timezone.localdate()
    alarms = Alarm.objects.in_group(group)
    overdue_q = Q(next_service_due__isnull=True) | Q(next_service_due__lt=today)
    counts = alarms.aggregate(total=Count("pk"), overdue=Count("pk", filter=overdue_q))
    if not counts["total"]:
        return _none_registered(require, _("No alarms are registered."))
    if counts["overdue"]:
        oldest = (
            alarms.filter(overdue_q)
            .select_related("building__site__unit")
            .order_by("next_service_due", "pk")[:EVIDENCE_SHOWN]
        )
        return Result(
            Status.NOT_MET,
            ngettext(
                "%(k)s of %(n)s alarms is past its service or has none recorded.",
                "%(k)s of %(n)s alarms are past their service or have none recorded.",
                counts["overdue"],
            )
            % {"k": counts["overdue"], "n": counts["total"]},
            [Evidence.of(a, _label(a, a.building.site)) for a in oldest],
        )
    return Result(Status.MET, _("All %(n)s alarms are serviced within their interval.") % {"n": counts["total"]})


@registry.register("access_rights_reviewed", require=("bool", False))
def access_rights_reviewed(group, profile, require=False):
    """The access rights of every access control system of the group are reviewed within the
    system's interval."""
    today = timezone.localdate()
    systems = AccessControlSystem.objects.filter(site__group=group)
    due_q = Q(next_review_due__isnull=True) | Q(next_review_due__lt=today)
    counts = systems.aggregate(total=Count("pk"), due=Count("pk", filter=due_q))
    if not counts["total"]:
        return _none_registered(require, _("No access control systems are registered."))
    if counts["due"]:
        oldest = systems.filter(due_q).select_related("site__unit").order_by("next_review_due", "pk")[:EVIDENCE_SHOWN]
        return Result(
            Status.NOT_MET,
            ngettext(
                "%(k)s of %(n)s access control systems is past its review of the access rights.",
                "%(k)s of %(n)s access control systems are past their review of the access rights.",
                counts["due"],
            )
            % {"k": counts["due"], "n": counts["total"]},
            [Evidence.of(s, _label(s, s.site)) for s in oldest],
        )
    return Result(
        Status.MET,
        ngettext(
            "The access rights of the access control system are reviewed on time.",
            "The access rights of all %(n)s access control systems are reviewed on time.",
            counts["total"],
        )
        % {"n": counts["total"]},
    )


@registry.register("camera_surveillance_documented", months=("int", False))
def camera_surveillance_documented(group, profile, months=None):
    """Every camera surveillance in use has a current interest-balancing assessment (not older
    than `months`, the profile's review interval unless given) that allows it, and its signs up (AL-5, camera
    surveillance; kamerabevakningslag 2018:1200). No surveillance registered is no data."""
    day = timezone.localdate()
    months = months or camera_review.review_months(group)
    current = CameraSurveillance.objects.filter(group=group).current(day)
    total = current.count()
    if not total:
        return Result(Status.NOT_CHECKABLE, _("No camera surveillance in use is registered."))
    assessed = CameraSurveillance.objects.assessed_since(camera_review.current_since(day, months))
    # A surveillance still in use although its latest assessment does not allow it is no better.
    lacking = current.with_latest_assessment().filter(
        Q(signs_up=False) | ~Q(pk__in=assessed.values("pk")) | Q(latest_conclusion=Conclusion.NOT_ALLOWED)
    )
    missing = lacking.count()
    summary = _(
        "%(n)s camera surveillances in use; the assessment is current when it is at most %(months)s months old."
    ) % {
        "n": count(total),
        "months": months,
    }
    if not missing:
        return Result(Status.MET, summary)
    shown = lacking.select_related("site__unit", "building").order_by("name", "pk")[:EVIDENCE_SHOWN]
    return Result(
        Status.PARTLY if missing * 10 <= total else Status.NOT_MET,
        summary
        + " "
        + _(
            "%(missing)s of them lack a current assessment or signs, or go on although the assessment does not "
            "allow them."
        )
        % {"missing": count(missing)},
        [Evidence.of(s) for s in shown],
    )
