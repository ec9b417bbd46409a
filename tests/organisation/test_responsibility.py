import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from varna.core.obligations import Status, evaluate
from varna.organisation.models import Body, RoleAssignment
from varna.organisation.services import responsibility_with_inheritance


def _check(group, obligation_id):
    profile = group.profile
    return evaluate(profile.obligation(obligation_id), group, profile)


@pytest.mark.policy("HJ-9")
def test_the_coordinator_is_operationally_responsible_else_the_head(group, unit, client_for):
    tf = responsibility_with_inheritance(unit("TF"))
    assert [str(p) for p in tf.operational] == ["Jonas Berglund"] and tf.source == "coordinator"
    sof = responsibility_with_inheritance(unit("SOF"))
    assert [str(p) for p in sof.operational] == ["Eva Lindgren"] and sof.source == "head"
    page = client_for("samordnare").get(reverse("organisation:unit", args=[unit("SOF").pk])).content.decode()
    assert "Eva Lindgren" in page and "the head, since no coordinator is appointed" in page


@pytest.mark.policy("HJ-9")
def test_hj9_check_reports_administrations_without_coordinator_and_without_anyone(group, unit):
    status, results = _check(group, "HJ-9")
    # Bygg- och miljöförvaltningen has neither head nor coordinator in the demo.
    assert status == Status.NOT_MET
    assert results[0].summary.startswith("1 of 5")
    assert [e.label for e in results[0].evidence] == ["Bygg- och miljöförvaltningen"]

    people = list(unit("BMF").group.people.filter(unit__code="BMF")) or [unit("BMF").group.people.first()]
    RoleAssignment.objects.create(person=people[0], role="head", unit=unit("BMF"))
    status, results = _check(group, "HJ-9")
    assert status == Status.PARTLY  # KLF, SOF and BMF rely on their heads
    assert "3 of 5" in results[0].summary

    for code in ("KLF", "SOF", "BMF"):
        RoleAssignment.objects.create(person=people[0], role="security_coordinator", unit=unit(code))
    status, _ = _check(group, "HJ-9")
    assert status == Status.MET


@pytest.mark.policy("HJ-9")
def test_an_ended_assignment_no_longer_counts(group, unit):
    assignment = RoleAssignment.objects.get(unit=unit("TF"), role="security_coordinator")
    assignment.valid_to = timezone.localdate() - datetime.timedelta(days=1)
    assignment.save()
    tf = responsibility_with_inheritance(unit("TF"))
    assert tf.source == "head"


@pytest.mark.policy("HJ-8")
def test_hj8_every_administration_has_a_head_who_answers_for_the_policy(group, unit):
    status, (result, _spread) = _check(group, "HJ-8")
    # Bygg- och miljöförvaltningen has no head of administration in the demo.
    assert status == Status.NOT_MET
    assert result.summary == "1 of 5 administrations has no head."
    assert [e.label for e in result.evidence] == ["Bygg- och miljöförvaltningen"]

    bmf = unit("BMF")
    person = group.people.filter(unit=bmf).first() or group.people.first()
    # Another role on the administration is not a head.
    RoleAssignment.objects.create(person=person, role="security_coordinator", unit=bmf)
    assert _check(group, "HJ-8")[1][0].status == Status.NOT_MET

    head = RoleAssignment.objects.create(person=person, role="head", unit=bmf)
    _, (result, _spread) = _check(group, "HJ-8")
    assert result.status == Status.MET
    assert result.summary == "All 5 administrations have a head."

    # A head whose appointment has ended answers for nothing.
    head.valid_to = timezone.localdate() - datetime.timedelta(days=1)
    head.save()
    status, (result, _spread) = _check(group, "HJ-8")
    assert status == Status.NOT_MET and [e.label for e in result.evidence] == ["Bygg- och miljöförvaltningen"]


@pytest.mark.policy("HJ-8")
def test_hj8_the_heads_of_administration_have_acknowledged_the_policy_and_guidelines(group, unit):
    from varna.documents import acknowledgements as acks
    from varna.documents.models import APPLYING, Document

    bmf = unit("BMF")
    RoleAssignment.objects.create(
        person=group.people.filter(unit=bmf).first() or group.people.first(), role="head", unit=bmf
    )
    status, (heads, spread) = _check(group, "HJ-8")
    assert heads.status == Status.MET
    # No head has yet confirmed having read the policy and the guidelines in force.
    assert status == Status.NOT_MET and spread.status == Status.NOT_MET
    assert spread.summary.startswith("0 of 5 heads")

    documents = [
        d
        for d in Document.objects.filter(group=group, kind__in=["policy", "guideline"], status__in=APPLYING)
        if d.decided_version
    ]
    assert documents
    people = [
        a.person
        for a in RoleAssignment.objects.current().filter(unit__group=group, unit__kind="administration", role="head")
    ]
    for document in documents:
        acks.request_acknowledgement(document, people=people)
        for person in people:
            acks.acknowledge(person, document)
    status, (_, spread) = _check(group, "HJ-8")
    assert spread.status == Status.MET and status == Status.MET


def test_a_unit_without_anyone_inherits_from_the_nearest_unit_above(unit):
    r = responsibility_with_inheritance(unit("TF-GP"))  # has a head of its own
    assert r.inherited_from is None
    RoleAssignment.objects.filter(unit=unit("TF-GP")).delete()
    r = responsibility_with_inheritance(unit("TF-GP"))
    assert r.inherited_from == unit("TF")


@pytest.mark.policy("HJ-6")
def test_hj6_line_responsibility(group, unit):
    status, results = _check(group, "HJ-6")
    # Board and council exist, the board's line reaches the companies, the security group has
    # three members and a lead, every administration has a committee, but one administration has
    # nobody operationally responsible.
    assert [r.status for r in results] == [Status.MET, Status.MET, Status.MET, Status.MET, Status.NOT_MET]
    assert status == Status.NOT_MET
    assert results[1].summary == "Executive board reaches all 3 municipal companies, each with a board of its own."
    assert results[2].summary == "Member of the security group: 3 named members at Härjedalens kommun."


@pytest.mark.policy("HJ-6")
def test_hj6_the_central_security_group_is_named_at_the_top_unit_with_its_lead(group, unit):
    members = RoleAssignment.objects.filter(unit__group=group, role="security_group_member")
    names = {str(a.person) for a in members}
    _, results = _check(group, "HJ-6")
    assert {e.label.split(" (")[0] for e in results[2].evidence} == names
    labels = [e.label for e in results[2].evidence]
    assert labels[0] == "Karin Nordqvist (group security coordinator, member of the security group)"
    assert len(labels) == len(names)  # each person once

    # A member appointed in an administration sits in a local group, not the central one.
    moved = members.first()
    moved.unit = unit("KLF")
    moved.save()
    _, results = _check(group, "HJ-6")
    assert results[2].status == Status.PARTLY
    assert "2 named members" in results[2].summary and "1 more is appointed at a unit below" in results[2].summary

    RoleAssignment.objects.filter(unit__group=group, role="group_security_coordinator").delete()
    _, results = _check(group, "HJ-6")
    assert "Nobody is appointed group security coordinator." in results[2].summary

    RoleAssignment.objects.filter(unit__group=group, role="security_group_member").delete()
    _, results = _check(group, "HJ-6")
    assert results[2].status == Status.NOT_MET and "0 named members" in results[2].summary


@pytest.mark.policy("HJ-6")
def test_hj6_a_company_outside_the_boards_line_is_a_gap(group, unit):
    from varna.organisation.models import Body

    # A company registered as a top unit of its own answers to nobody in the group.
    hv = unit("HV")
    hv.parent = None
    hv.save()
    _, results = _check(group, "HJ-6")
    assert results[1].status == Status.NOT_MET
    assert [e.label for e in results[1].evidence] == ["Härjedalens Vatten AB"]
    hv.parent = unit("HK")
    hv.save()
    hg = unit("HG")
    hg.responsible_body = None
    hg.save()
    _, results = _check(group, "HJ-6")
    assert results[1].status == Status.PARTLY and [e.label for e in results[1].evidence] == ["Härjegårdar AB"]
    assert Body.objects.filter(group=group, kind="executive_board").exists()


@pytest.mark.policy("HJ-6")
def test_hj6_requires_the_executive_board_in_the_register(group):
    # The register no longer holds an executive board (its row is recorded as a committee).
    Body.objects.filter(group=group, kind="executive_board").update(kind="committee")
    status, results = _check(group, "HJ-6")
    assert results[0].status == Status.NOT_MET and "Executive board" in results[0].summary
    assert status == Status.NOT_MET


@pytest.mark.policy("HJ-6")
def test_obligations_page_shows_each_check_with_evidence(client_for):
    page = client_for("samordnare").get(reverse("obligations")).content.decode()
    assert 'id="HJ-6"' in page and "Bygg- och miljöförvaltningen" in page
    # Areas that are not built say so honestly.
    assert "area is not built yet" in page


def test_the_profile_page_shows_the_profiles_vocabulary_and_rules(client_for):
    page = client_for("lasare").get(reverse("obligations")).content.decode()
    # Härjedalen: supplementary guidelines are adopted by a committee and communicated to the board.
    assert "Supplementary guideline" in page and "Committee" in page and "Executive board" in page
    assert "Administration" in page and "Head of administration" in page
    assert "Security introduction for new employees" in page and "90 days" in page


def test_where_the_level_says_so_the_head_is_operationally_responsible(group, unit, client_for, monkeypatch):
    """A profile may make the head operationally responsible at a level, the coordinator
    supporting (issue 12): then a head alone meets the check."""
    monkeypatch.setitem(group.profile.unit_levels["administration"], "operational", "head")
    tf = responsibility_with_inheritance(unit("TF"))
    assert tf.heads and tf.coordinators
    assert tf.operational == tf.heads and tf.source == "head"
    page = client_for("samordnare").get(reverse("organisation:unit", args=[unit("TF").pk])).content.decode()
    assert "as Head of administration, with the security coordinator in support" in page

    people = list(group.people.all()[:1])
    RoleAssignment.objects.create(person=people[0], role="head", unit=unit("BMF"))
    status, results = _check(group, "HJ-9")
    assert status == Status.MET and "have an operationally responsible person" in results[0].summary


def test_a_head_is_shown_by_the_levels_title_and_only_expected_roles_are_gaps(group, unit, client_for):
    client = client_for("samordnare")
    tf = client.get(reverse("organisation:unit", args=[unit("TF").pk])).content.decode()
    assert "<dt>Head of administration</dt>" in tf
    # An activity expects no coordinator of its own: none is a fact, not a gap.
    activity = client.get(reverse("organisation:unit", args=[unit("TF-FA").pk])).content.decode()
    assert "<dt>Head of activity</dt>" in activity
    assert "None appointed (none is expected at this level)" in activity
    assert "No coordinator appointed" not in activity


def test_role_filled_counts_the_holders_anywhere_in_the_group(group):
    from varna.organisation.obligations import role_filled

    result = role_filled(group, group.profile, "security_group_member", minimum=3)
    assert result.status == Status.MET and result.summary == "Member of the security group: 3 appointed."
    result = role_filled(group, group.profile, "security_group_member", minimum=4)
    assert result.status == Status.PARTLY
    RoleAssignment.objects.filter(unit__group=group, role="security_group_member").delete()
    assert role_filled(group, group.profile, "security_group_member").status == Status.NOT_MET
