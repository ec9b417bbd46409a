"""The demo loads only what its profile declares (issue 12): no invented insurance, incidents or
reviews for a profile that declares none."""

import re

import pytest

from varna.incidents.models import Incident
from varna.insurance.models import InsurancePolicy, InsuranceReview
from varna.organisation.demo import load_demo
from varna.organisation.profiles import BUILTIN_DIR, ProfileError, load_profile, parse_profile


def _without(text: str, *keys: str) -> str:
    """The Härjedalen profile's text without the demo's sections `keys` (two-space indented)."""
    for key in keys:
        text = re.sub(rf"(?ms)^  {key}:.*?(?=^  [a-z_]+:|\Z)", "", text)
    return text


def _harjedalen_text() -> str:
    return (BUILTIN_DIR / "harjedalen.yaml").read_text(encoding="utf-8")


def test_a_demo_without_incidents_and_insurance_gets_none(db):
    profile = parse_profile(_without(_harjedalen_text(), "incidents", "insurance"), "harjedalen.yaml")
    group, _ = load_demo(profile)
    assert not Incident.objects.filter(group=group).exists()
    assert not InsurancePolicy.objects.filter(group=group).exists()
    assert not InsuranceReview.objects.filter(group=group).exists()
    # What it does declare is there.
    assert group.units.count() > 1 and group.documents.exists()


def test_the_declared_demo_insurance_is_loaded_as_declared(db):
    group, _ = load_demo(load_profile("harjedalen"))
    policies = {p.name: p for p in InsurancePolicy.objects.filter(group=group)}
    assert set(policies) == {"Kommunförsäkring egendom", "Ansvarsförsäkring"}
    assert sorted(policies["Kommunförsäkring egendom"].covers.values_list("kind", flat=True)) == [
        "all_risk",
        "burglary",
        "fire",
        "water",
    ]
    claimed = Incident.objects.filter(group=group).exclude(insurance_claim_number="")
    assert claimed.exists() and set(claimed.values_list("insurance_policy__name", flat=True)) == {
        "Kommunförsäkring egendom"
    }
    assert InsuranceReview.objects.filter(group=group, status=InsuranceReview.State.DONE).count() == 2


def test_a_profile_without_demo_insurance_gets_incidents_but_no_policies(db):
    group, _ = load_demo(load_profile("ale"))
    assert Incident.objects.filter(group=group).count() > 50
    assert not InsurancePolicy.objects.filter(group=group).exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("claims: true", "claims: true\n        insured_units: [NOPE]"), "'NOPE' is not declared"),
        (("  review_body: Tekniska nämnden\n", ""), "needs insurance.review_body"),
    ],
)
def test_the_demo_insurance_is_checked_against_the_profile(change, message):
    text = _harjedalen_text().replace(*change)
    with pytest.raises(ProfileError) as caught:
        parse_profile(text, "harjedalen.yaml")
    assert any(message in error for error in caught.value.errors)
