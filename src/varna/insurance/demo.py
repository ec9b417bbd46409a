"""Insurance of a demo organisation: a property policy with a municipally owned insurer and a
liability policy, the demo's insured incidents claimed under the property policy, and — where
the profile names a reviewing body — the yearly reviews of the last two years, done."""

import datetime
from decimal import Decimal

from django.utils import timezone

from varna.incidents import summary
from varna.incidents.models import Incident
from varna.organisation.models import OrgUnit

from . import services
from .models import Cover, InsurancePolicy


def load_insurance(group) -> list[InsurancePolicy]:
    top = OrgUnit.objects.filter(group=group, parent__isnull=True).order_by("pk").first()
    if top is None:
        return []
    today = timezone.localdate()
    start = datetime.date(today.year - 4, 1, 1)
    insured = list(OrgUnit.objects.filter(group=group, depth__lte=1))
    property_policy = InsurancePolicy.objects.create(
        group=group,
        unit=top,
        name="Kommunförsäkring egendom",
        insurer="Kommunassurans Syd Försäkrings AB",
        municipally_owned_insurer=True,
        policy_number="KA-E-10231",
        insured_objects="Kommunens fastigheter enligt fastighetsförteckning\nInventarier och lös egendom",
        premium=Decimal(1_450_000),
        valid_from=start,
    )
    property_policy.insured_units.set(insured)
    for kind, deductible, sum_insured in (
        ("fire", 10_000, 2_500_000_000),
        ("burglary", 10_000, 50_000_000),
        ("water", 10_000, 200_000_000),
        ("all_risk", 5_000, 20_000_000),
    ):
        Cover.objects.create(
            policy=property_policy, kind=kind, deductible=Decimal(deductible), sum_insured=Decimal(sum_insured)
        )
    liability = InsurancePolicy.objects.create(
        group=group,
        unit=top,
        name="Ansvarsförsäkring",
        insurer="Kommunassurans Syd Försäkrings AB",
        municipally_owned_insurer=True,
        policy_number="KA-A-10232",
        premium=Decimal(320_000),
        valid_from=start,
    )
    liability.insured_units.set(insured)
    Cover.objects.create(
        policy=liability, kind="liability", deductible=Decimal(20_000), sum_insured=Decimal(100_000_000)
    )
    claimed = Incident.objects.filter(group=group).exclude(insurance_claim_number="")
    with summary.tracking(claimed):  # a queryset update: the damage figures added up ahead are told
        claimed.update(insurance_policy=property_policy)
    if (group.profile.data.get("insurance") or {}).get("review_body"):
        for year, reviewed in ((today.year - 2, datetime.date(today.year - 1, 3, 12)), (today.year - 1, None)):
            review = services.open_review(group, year, notify=False)  # done at once: nothing to tell
            if review is None:
                continue
            review.reviewed_on = reviewed or min(datetime.date(today.year, 3, 14), today)
            review.record_number = f"TN {year + 1}/{17 + year % 10}"
            review.conclusion = (
                "Försäkringsskyddet motsvarar behoven. Självrisken för vattenskador ses över inför nästa upphandling."
            )
            services.complete_review(review, user=None, expected_version=review.version)
    return [property_policy, liability]


def load_demo_insurance(ctx) -> None:
    """The area's demo loader (area.py)."""
    load_insurance(ctx.group)
