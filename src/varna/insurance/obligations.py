"""Obligation checks for insurance (HJ-3, HJ-7)."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from varna.core.formatting import amount
from varna.core.obligations import Evidence, Result, Status, registry

from . import financing
from .models import Cover, CoverKind, InsurancePolicy, InsuranceReview


@registry.register("insurance_covers_in_force")
def insurance_covers_in_force(group, profile):
    """Insurance is an important part of the risk financing (HJ-3): a policy in force covers each
    of the profile's `insurance.required_covers`; the summary gives last year's balance."""
    required = (profile.data.get("insurance") or {}).get("required_covers") or ["fire", "burglary", "water"]
    in_force = InsurancePolicy.objects.filter(group=group).in_force()
    held = set(Cover.objects.filter(policy__in=in_force).values_list("kind", flat=True))
    missing = [k for k in required if k not in held]
    year = timezone.localdate().year - 1
    last = financing.years(group, year, year)[0]
    balance = _(
        "%(year)s: premiums %(premiums)s SEK, insurers paid %(paid)s SEK, the municipality retained %(retained)s SEK."
    ) % {
        "year": year,
        "premiums": amount(last.premiums),
        "paid": amount(last.insurer_paid),
        "retained": amount(last.retained),
    }
    evidence = [Evidence.of(p) for p in in_force.select_related("unit")[:10]]
    if not missing:
        return Result(
            Status.MET,
            _("Policies in force cover %(covers)s.") % {"covers": ", ".join(str(CoverKind(k).label) for k in required)}
            + " "
            + balance,
            evidence,
        )
    return Result(
        Status.NOT_MET if len(missing) == len(required) else Status.PARTLY,
        _("No policy in force covers %(covers)s.") % {"covers": ", ".join(str(CoverKind(k).label) for k in missing)}
        + " "
        + balance,
        evidence,
    )


@registry.register("insurance_needs_reviewed")
def insurance_needs_reviewed(group, profile):
    """The body the profile names reviews the insurance needs every year (HJ-7): the review of
    the year that ended is done, or still open but not overdue."""
    body = (profile.data.get("insurance") or {}).get("review_body")
    if not body:
        return Result(Status.NOT_CHECKABLE, _("The profile names no body that reviews the insurance needs."))
    today = timezone.localdate()
    year = today.year - 1
    review = InsuranceReview.objects.filter(group=group, year=year).select_related("unit").first()
    previous = InsuranceReview.objects.filter(group=group, year=year - 1, status=InsuranceReview.State.DONE).first()
    if review is not None and review.status == InsuranceReview.State.DONE:
        return Result(
            Status.MET,
            _("%(body)s reviewed the insurance needs of %(year)s on %(day)s.")
            % {"body": body, "year": year, "day": review.reviewed_on.isoformat() if review.reviewed_on else "–"},
            [Evidence.of(review)],
        )
    if review is not None and not review.is_overdue:
        status = Status.MET if previous is not None else Status.PARTLY
        return Result(
            status,
            _("The review of %(year)s by %(body)s is due %(due)s.")
            % {"year": year, "body": body, "due": review.due_date.isoformat()}
            + ("" if previous else " " + _("The year before was not reviewed.")),
            [Evidence.of(review)],
        )
    if review is not None:
        return Result(
            Status.NOT_MET,
            _("The review of %(year)s by %(body)s was due %(due)s and is not done.")
            % {"year": year, "body": body, "due": review.due_date.isoformat()},
            [Evidence.of(review)],
        )
    grace = datetime.date(today.year, 1, 1) + datetime.timedelta(days=7)
    if previous is not None and today < grace:
        return Result(Status.MET, _("The review of %(year)s is opened in the first days of the year.") % {"year": year})
    return Result(
        Status.NOT_MET,
        _("No review of the insurance needs of %(year)s by %(body)s is recorded.") % {"year": year, "body": body},
    )
