"""Insurance of a demo organisation, as its profile's `demo.insurance` declares it: the policies
and their covers, the policy the demo's insured incidents are claimed under, and the yearly
reviews of the last years, done. A profile that declares none gets none."""

import datetime
from decimal import Decimal

from django.utils import timezone

from varna.incidents import summary
from varna.incidents.models import Incident
from varna.organisation.models import OrgUnit

from . import services
from .models import Cover, InsurancePolicy


def load_insurance(group, declared: dict) -> list[InsurancePolicy]:
    top = OrgUnit.objects.filter(group=group, parent__isnull=True).order_by("pk").first()
    if top is None:
        return []
    today = timezone.localdate()
    units = {u.code: u for u in OrgUnit.objects.filter(group=group)}
    policies, claiming = [], None
    for spec in declared["policies"]:
        policy = InsurancePolicy.objects.create(
            group=group,
            unit=top,
            name=spec["name"],
            insurer=spec["insurer"],
            municipally_owned_insurer=spec["municipally_owned_insurer"],
            policy_number=spec["policy_number"],
            insured_objects=spec["insured_objects"],
            premium=Decimal(spec["premium"]),
            valid_from=datetime.date(today.year - spec["years_in_force"], 1, 1),
        )
        codes = spec.get("insured_units")
        policy.insured_units.set([units[c] for c in codes] if codes else [u for u in units.values() if u.depth <= 1])
        for cover in spec["covers"]:
            Cover.objects.create(
                policy=policy,
                kind=cover["kind"],
                deductible=Decimal(cover["deductible"]),
                sum_insured=None if cover.get("sum_insured") is None else Decimal(cover["sum_insured"]),
            )
        if spec["claims"]:
            claiming = policy
        policies.append(policy)
    if claiming is not None:
        claimed = Incident.objects.filter(group=group).exclude(insurance_claim_number="")
        with summary.tracking(claimed):  # a queryset update: the damage figures added up ahead are told
            claimed.update(insurance_policy=claiming)
    for back in range(declared["reviews_done"], 0, -1):
        year = today.year - back
        review = services.open_review(group, year, notify=False)  # done at once: nothing to tell
        if review is None:
            continue
        review.reviewed_on = min(datetime.date(year + 1, 3, 12), today)
        review.record_number = f"TN {year + 1}/{17 + year % 10}"
        review.conclusion = (
            "Försäkringsskyddet motsvarar behoven. Självrisken för vattenskador ses över inför nästa upphandling."
        )
        services.complete_review(review, user=None, expected_version=review.version)
    return policies


def load_demo_insurance(ctx) -> None:
    """The area's demo loader (area.py): only what the profile's demo declares."""
    declared = ctx.profile.data["demo"].get("insurance")
    if declared:
        load_insurance(ctx.group, declared)
