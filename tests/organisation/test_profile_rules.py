"""Rules across a profile's sections, and obligations answered for built and unbuilt areas."""

import pytest
from django.urls import reverse

from varna.core.obligations import Status, evaluate
from varna.organisation.demo import load_demo
from varna.organisation.models import ExternalParty
from varna.organisation.profiles import BUILTIN_DIR, load_profile

from .test_profiles import errors_of, replace_once


def harjedalen_text() -> str:
    return (BUILTIN_DIR / "harjedalen.yaml").read_text(encoding="utf-8")


def test_a_training_for_a_role_must_name_the_role():
    text = replace_once(
        harjedalen_text(), "    role: security_coordinator\n    within_days: 180", "    within_days: 180"
    )
    (error,) = errors_of(text)
    assert "trainings[1].role" in error and "audience is 'role'" in error


def test_a_document_kind_has_exactly_one_decider():
    text = replace_once(harjedalen_text(), "    decided_by_body: council\n", "")
    (error,) = errors_of(text)
    assert "document_kinds[0]" in error and "exactly one of decided_by_body and decided_by_role" in error


def test_risk_levels_must_run_in_order():
    text = replace_once(harjedalen_text(), "{level: 2, name: {sv: Låg", "{level: 7, name: {sv: Låg")
    errors = errors_of(text)
    assert any("risk_matrix.likelihood" in e and "1, 2, 3" in e for e in errors)


def test_a_check_parameter_list_must_not_be_empty():
    text = replace_once(harjedalen_text(), "kinds: [council, executive_board]", "kinds: []")
    (error,) = errors_of(text)
    assert "obligations[5].checks[0]" in error and "must not be empty" in error


def test_a_boolean_is_not_a_number():
    text = replace_once(harjedalen_text(), "minimum: 3", "minimum: true")
    (error,) = errors_of(text)
    assert "must be a whole number" in error


@pytest.mark.policy("AL-9")
def test_external_parties_are_covered_by_the_policy(db, client):
    group, _ = load_demo(load_profile("ale"))
    profile = group.profile
    status, (result,) = evaluate(profile.obligation("AL-9"), group, profile)
    parties = ExternalParty.objects.filter(group=group)
    assert status == Status.PARTLY
    assert result.summary.startswith(f"{parties.count()} external parties registered")
    assert "asked to acknowledge the governing documents" in result.summary
    party = parties.filter(contracts__isnull=False).first()
    party.contact_name = party.contact_email = ""
    party.save()
    _, (result,) = evaluate(profile.obligation("AL-9"), group, profile)
    assert "have no contact person" in result.summary
    assert party.name in [e.label for e in result.evidence]


@pytest.mark.policy("AL-9")
def test_external_parties_are_listed_with_contracts_and_units(db, client):
    from django.contrib.auth import get_user_model

    load_demo(load_profile("ale"))
    client.force_login(get_user_model().objects.get(username="samordnare"))
    page = client.get(reverse("organisation:parties")).content.decode()
    for party in ExternalParty.objects.all():
        assert party.name in page
    party = ExternalParty.objects.filter(contracts__isnull=False).first()
    detail = client.get(party.get_absolute_url()).content.decode()
    assert party.contracts.first().title in detail


def test_an_obligation_of_a_built_area_without_a_check_says_it_is_followed_up_by_hand(db):
    group, _ = load_demo(load_profile("karlskrona"))
    profile = group.profile
    obligation = {"id": "XX-1", "area": "organisation", "text": {"sv": "", "en": ""}, "checks": []}
    status, (result,) = evaluate(obligation, group, profile)
    assert status == Status.NOT_CHECKABLE and "by hand" in result.summary
    status, (result,) = evaluate(profile.obligation("KK-2"), group, profile)
    assert status == Status.NOT_BUILT and "not built yet" in result.summary
