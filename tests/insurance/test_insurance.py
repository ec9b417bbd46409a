"""Insurance as the finance or technical administration uses it: register policies and covers,
follow claims, see the balance of risk financing, and make the yearly review (HJ-3, HJ-7)."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from varna.core.models import Notification, Task
from varna.core.obligations import Status
from varna.incidents import services as incident_services
from varna.incidents.models import CostItem, Incident
from varna.insurance import financing, jobs, obligations, services
from varna.insurance.models import Cover, InsurancePolicy, InsuranceReview


def _policy(group, unit, **values):
    values = {
        "name": "Egendom",
        "insurer": "Kommunassurans",
        "premium": Decimal(365_000),
        "valid_from": datetime.date(2020, 1, 1),
        **values,
    }
    return InsurancePolicy.objects.create(group=group, unit=unit, **values)


def test_register_a_policy_with_covers(client_for, group, unit):
    coordinator = client_for("samordnare")
    response = coordinator.post(
        reverse("insurance:create"),
        {
            "name": "Fordonsförsäkring",
            "insurer": "Kommunassurans Syd",
            "municipally_owned_insurer": "on",
            "unit": unit("KLF").pk,
            "insured_units": [unit("TF").pk],
            "premium": "120000",
            "valid_from": "2026-01-01",
        },
    )
    policy = InsurancePolicy.objects.get(name="Fordonsförsäkring")
    assert response.status_code == 302 and response.url == policy.get_absolute_url()
    assert list(policy.insured_units.all()) == [unit("TF")]
    add = reverse("insurance:cover-add", args=[policy.pk])
    coordinator.post(add, {"cover-kind": "vehicle", "cover-deductible": "5000", "cover-sum_insured": "3000000"})
    response = coordinator.post(add, {"cover-kind": "vehicle", "cover-deductible": "-1"}, follow=True)
    assert "cannot be negative" in response.content.decode()
    assert list(policy.covers.values_list("kind", flat=True)) == ["vehicle"]
    page = coordinator.get(policy.get_absolute_url()).content.decode()
    assert "Vehicles" in page and "120,000" in page


def test_bad_policy_dates_are_refused(client_for, unit):
    response = client_for("samordnare").post(
        reverse("insurance:create"),
        {
            "name": "X",
            "insurer": "Y",
            "unit": unit("KLF").pk,
            "premium": "-5",
            "valid_from": "2026-05-01",
            "valid_to": "2026-01-01",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200 and "cannot end before it starts" in body
    assert not InsurancePolicy.objects.filter(name="X").exists()


def test_the_premium_of_a_year_counts_the_days_in_force():
    policy = InsurancePolicy(premium=Decimal(365_000), valid_from=datetime.date(2025, 7, 1), valid_to=None)
    assert policy.premium_in(2024) == 0
    assert policy.premium_in(2025) == 184_000  # 1 July – 31 December: 184 days
    assert policy.premium_in(2026) == 365_000


def test_risk_financing_splits_deductibles_and_uninsured(group, unit):
    Incident.objects.filter(group=group).delete()
    InsurancePolicy.objects.filter(group=group).delete()
    tf = unit("TF")
    policy = _policy(group, tf)
    when = timezone.make_aware(datetime.datetime(2025, 5, 1, 12))
    insured = Incident.objects.create(
        group=group,
        unit=tf,
        category="fire",
        description="Brand",
        occurred_at=when,
        insurance_policy=policy,
        insurer_paid=Decimal(90_000),
        deductible=Decimal(10_000),
    )
    CostItem.objects.create(incident=insured, kind="repair", final=Decimal(100_000))
    uninsured = Incident.objects.create(
        group=group, unit=tf, category="graffiti", description="Klotter", occurred_at=when
    )
    CostItem.objects.create(incident=uninsured, kind="clean_up", final=Decimal(4_000))
    for incident in (insured, uninsured):
        incident_services.update_costs(incident)
    by_category = {
        r["category"]: r for r in financing.breakdown(Incident.objects.filter(group=group), 2025, "category")
    }
    assert list(by_category) == ["fire", "graffiti"]  # one row each, the largest damage first
    assert (by_category["fire"]["cost"], by_category["fire"]["insurer_paid"], by_category["fire"]["retained"]) == (
        100_000,
        90_000,
        10_000,
    )
    (year,) = financing.years(group, 2025, 2025)
    assert (year.premiums, year.cost, year.insurer_paid) == (365_000, 104_000, 90_000)
    assert (year.deductibles, year.uninsured, year.retained) == (10_000, 4_000, 14_000)
    assert year.cost_of_risk == 379_000 and year.loss_ratio == 25


def test_the_financing_page_and_its_drill_down(client_for, group):
    response = client_for("samordnare").get(reverse("insurance:financing"))
    assert response.status_code == 200
    chosen = response.context["chosen"]
    assert chosen.year == timezone.localdate().year - 1 and chosen.premiums > 0 and chosen.n > 0
    assert f"?ar={chosen.year}&amp;kategori=" in response.content.decode()
    for bad in ({"ar": "x"}, {"ar": "0"}, {"ar": "99999999999999999999999"}):
        assert client_for("samordnare").get(reverse("insurance:financing"), bad).status_code == 200


@pytest.mark.policy("HJ-3")
def test_hj3_insurance_covers_the_required_risks(group, unit):
    Incident.objects.filter(group=group).update(insurance_policy=None)
    InsurancePolicy.objects.filter(group=group).delete()
    result = obligations.insurance_covers_in_force(group, group.profile)
    assert result.status == Status.NOT_MET
    policy = _policy(group, unit("KLF"))
    for kind in ("fire", "burglary", "water"):
        Cover.objects.create(policy=policy, kind=kind)
    result = obligations.insurance_covers_in_force(group, group.profile)
    assert result.status == Status.PARTLY and "Liability" in result.summary  # the profile also requires liability
    ended = _policy(group, unit("KLF"), name="Gammal ansvar", valid_to=datetime.date(2021, 12, 31))
    Cover.objects.create(policy=ended, kind="liability")
    assert obligations.insurance_covers_in_force(group, group.profile).status == Status.PARTLY  # not in force
    Cover.objects.create(policy=policy, kind="liability")
    result = obligations.insurance_covers_in_force(group, group.profile)
    assert result.status == Status.MET and "premiums" in result.summary


@pytest.mark.policy("HJ-7")
def test_hj7_the_technical_committee_reviews_the_insurance_needs_every_year(group, user_for):
    InsuranceReview.objects.filter(group=group).delete()
    year = timezone.localdate().year - 1
    assert obligations.insurance_needs_reviewed(group, group.profile).status == Status.NOT_MET
    # The daily job opens the review of the year that ended, once, for Tekniska nämnden's unit.
    assert jobs.run_daily() == 1 and jobs.run_daily() == 0
    review = InsuranceReview.objects.get(group=group, year=year)
    assert review.body.name == "Tekniska nämnden" and review.unit.code == "TF"
    assert review.figures["years"][-1]["year"] == year
    task = Task.objects.get(title__contains=str(year), url=review.get_absolute_url())
    assert task.owner.last_name == "Sundin"  # the head of the technical administration
    assert Notification.objects.filter(recipient=user_for("chef"), url=review.get_absolute_url()).exists()
    overdue = timezone.localdate() > review.due_date
    status = obligations.insurance_needs_reviewed(group, group.profile).status
    assert status == (Status.NOT_MET if overdue else Status.PARTLY)

    # The head records the review: done, with the figures kept as they were.
    chef = user_for("chef")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(chef)
    response = client.post(
        review.get_absolute_url(),
        {
            "reviewed_on": timezone.localdate().isoformat(),
            "record_number": "TN 2026/3",
            "conclusion": "Behoven täcks.",
            "version": review.version,
        },
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == InsuranceReview.State.DONE and review.completed_by == chef
    task.refresh_from_db()
    assert task.state == Task.State.DONE
    result = obligations.insurance_needs_reviewed(group, group.profile)
    assert result.status == Status.MET and "Tekniska nämnden" in result.summary


def test_a_review_is_completed_only_by_those_who_may_change_its_unit(client_for, group):
    review = services.open_review(group, 2019) or InsuranceReview.objects.get(group=group, year=2019)
    data = {"reviewed_on": "2020-03-01", "conclusion": "X", "version": review.version}
    assert client_for("lasare").post(review.get_absolute_url(), data).status_code == 404
    assert client_for("kommunchef").get(review.get_absolute_url()).status_code == 200
    response = client_for("chef").post(review.get_absolute_url(), {**data, "reviewed_on": "2999-01-01"})
    assert "cannot be dated in the future" in response.content.decode()
    review.refresh_from_db()
    assert review.status == InsuranceReview.State.OPEN


def test_claims_show_on_the_policy(client_for, group):
    policy = InsurancePolicy.objects.get(group=group, name="Kommunförsäkring egendom")
    claims = Incident.objects.filter(insurance_policy=policy)
    assert claims.exists()
    page = client_for("samordnare").get(policy.get_absolute_url()).content.decode()
    assert claims.first().get_absolute_url() in page
