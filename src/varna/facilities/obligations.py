"""Obligation checks for physical security (AL-5): camera surveillance documented.

Each counts in the database and names at most EVIDENCE_SHOWN records; the counts cover all."""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from varna.core.formatting import count
from varna.core.obligations import Evidence, Result, Status, registry

from . import camera_review
from .models import CameraSurveillance, Conclusion

EVIDENCE_SHOWN = 10


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
