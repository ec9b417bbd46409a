"""The governing-document obligations of the three policies, checked against the demo registers:
each check is met in a good case, not met (or partly) in a bad one, and a decision by the wrong
body or role is refused when it is recorded in Värna."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from varna.core.dates import add_months
from varna.core.obligations import Status, evaluate
from varna.documents import services
from varna.documents.models import Decision, Document, NotificationDuty, Review
from varna.documents.models import Status as DocumentStatus
from varna.organisation.demo import load_demo
from varna.organisation.models import Body, Person
from varna.organisation.profiles import load_profile


def check(group, obligation_id: str):
    """(status, [result per check]) of an obligation of the group's profile."""
    profile = group.profile
    return evaluate(profile.obligation(obligation_id), group, profile)


def labels(result) -> list[str]:
    return [e.label for e in result.evidence]


def person(group, name: str) -> Person:
    first, last = name.split(" ", 1)
    return Person.objects.get(group=group, first_name=first, last_name=last)


def body(group, name: str) -> Body:
    return Body.objects.get(group=group, name=name)


def document(group, title: str) -> Document:
    return Document.objects.get(group=group, title=title)


def draft(group, kind: str, title: str, unit, parent=None) -> Document:
    """A new draft with one version, as written in Värna."""
    doc = Document.objects.create(group=group, kind=kind, title=title, unit=unit, parent=parent)
    services.add_version(doc, None, text=f"# {title}\n\nText.")
    return doc


def decide(doc: Document, *, body=None, person=None, day=None) -> Decision:
    """Record a decision through the service, with the policy's rules."""
    day = day or timezone.localdate()
    return services.record_decision(
        doc,
        version=doc.versions.order_by("-number").first(),
        body=body,
        person=person,
        date=day,
        in_force_from=day,
        record_number="",
        user=None,
        expected_version=doc.version,
    )


def import_decision(doc: Document, *, body=None, person=None, day=None) -> Decision:
    """A decision written straight into the register, as from an imported or older register:
    the service's rule is not applied, so only the obligation check can catch it."""
    day = day or timezone.localdate()
    return Decision.objects.create(
        document=doc, version=doc.versions.first(), body=body, person=person, date=day, in_force_from=day
    )


def overdue(doc: Document) -> None:
    """The document's review date passes without a review."""
    Document.objects.filter(pk=doc.pk).update(next_review=timezone.localdate() - datetime.timedelta(days=1))


# --- Härjedalen ----------------------------------------------------------------------------

KEY_INSTRUCTION = "Instruktion för nyckelhantering"
ALARM_STANDARD = "Standard för larm och passersystem"
SOF_SUPPLEMENT = "Kompletterande riktlinje om hot och våld – socialförvaltningen"
TF_SUPPLEMENT = "Kompletterande riktlinje för fastighetssäkerhet – tekniska förvaltningen"


@pytest.mark.policy("HJ-10")
def test_hj10_an_instruction_past_its_review_date_is_named_until_it_is_reviewed(group):
    status, (result,) = check(group, "HJ-10")
    assert status == Status.NOT_MET
    assert result.summary == "1 of 2 documents (instruction, standard) is past its review date."
    assert labels(result) == [KEY_INSTRUCTION]

    instruction = document(group, KEY_INSTRUCTION)
    review = instruction.reviews.get(done_at__isnull=True)  # opened by the daily job when the demo loaded
    services.complete_review(review, outcome=Review.Outcome.NO_CHANGE, notes="Aktuell.", user=None)
    instruction.refresh_from_db()
    assert instruction.next_review == add_months(timezone.localdate(), 12)

    status, (result,) = check(group, "HJ-10")
    assert status == Status.MET
    assert result.summary == "All 2 documents (instruction, standard) are reviewed on time."


@pytest.mark.policy("HJ-10")
def test_hj10_a_standard_whose_review_date_passes_is_not_met(group):
    review = document(group, KEY_INSTRUCTION).reviews.get(done_at__isnull=True)
    services.complete_review(review, outcome=Review.Outcome.NO_CHANGE, notes="", user=None)
    assert check(group, "HJ-10")[0] == Status.MET

    overdue(document(group, ALARM_STANDARD))
    status, (result,) = check(group, "HJ-10")
    assert status == Status.NOT_MET
    # The standard is classified: the obligations page, read by every role, names it by its kind.
    assert labels(result) == ["A classified governing document"]


@pytest.mark.policy("HJ-10")
def test_hj10_requires_instructions_and_standards_to_exist(group):
    Document.objects.filter(group=group, kind__in=["instruction", "standard"]).update(status=DocumentStatus.REPEALED)
    status, (result,) = check(group, "HJ-10")
    assert status == Status.NOT_MET
    assert result.summary == "No instruction, standard in force are registered."


@pytest.mark.policy("HJ-11")
def test_hj11_supplements_decided_by_their_own_committee_are_met(group):
    _status, (by_rule, _delivered) = check(group, "HJ-11")
    assert by_rule.status == Status.MET
    assert by_rule.summary == "All 2 documents (supplementary guideline) are decided by the committee."


@pytest.mark.policy("HJ-11")
def test_hj11_an_imported_decision_by_another_committee_is_not_met(group):
    supplement = document(group, SOF_SUPPLEMENT)
    import_decision(supplement, body=body(group, "Tekniska nämnden"))
    _status, (by_rule, _delivered) = check(group, "HJ-11")
    assert by_rule.status == Status.NOT_MET
    assert by_rule.summary == (
        "1 of 2 documents (supplementary guideline) lacks a decision by the body or role the policy names."
    )
    assert labels(by_rule) == [SOF_SUPPLEMENT]


@pytest.mark.policy("HJ-11")
def test_hj11_a_supplement_not_yet_communicated_to_the_board_is_named_until_delivered(group):
    status, (_by_rule, delivered) = check(group, "HJ-11")
    assert status == Status.NOT_MET and delivered.status == Status.NOT_MET
    assert delivered.summary == (
        "1 of 2 decided documents (supplementary guideline) have not been communicated to Kommunstyrelsen."
    )
    assert labels(delivered) == [SOF_SUPPLEMENT]

    NotificationDuty.objects.filter(document__title=SOF_SUPPLEMENT).update(
        delivered_on=timezone.localdate(), reference="KS 2026/140 §12"
    )
    status, (_by_rule, delivered) = check(group, "HJ-11")
    assert status == Status.MET
    assert delivered.summary == "All 2 decided documents (supplementary guideline) have been communicated."


@pytest.mark.policy("HJ-11")
def test_hj11_a_supplement_is_adopted_only_by_the_administrations_own_committee(group, unit):
    guidelines = document(group, "Riktlinjer för säkerhetsarbetet")
    supplement = draft(
        group, "supplementary_guideline", "Kompletterande riktlinje för skolans lokaler", unit("BUF"), guidelines
    )
    with pytest.raises(services.RuleError) as refused:
        decide(supplement, body=body(group, "Socialnämnden"))
    assert str(refused.value) == (
        "Socialnämnden cannot decide this supplementary guideline: by the policy it is decided by "
        "Barn- och utbildningsnämnden."
    )
    assert not supplement.decisions.exists() and not NotificationDuty.objects.filter(document=supplement).exists()

    decide(supplement, body=body(group, "Barn- och utbildningsnämnden"))
    supplement.refresh_from_db()
    assert supplement.status == DocumentStatus.IN_FORCE
    duty = NotificationDuty.objects.get(document=supplement)
    assert duty.body.kind == "executive_board" and duty.is_pending
    _status, (by_rule, delivered) = check(group, "HJ-11")
    assert by_rule.status == Status.MET
    assert supplement.title in labels(delivered)


# --- Ale -----------------------------------------------------------------------------------

ALE_POLICY = "Säkerhetspolicy för Ale kommun"
FIRE_POLICY = "Brandskyddspolicy för Ale kommun"
INFOSEC_POLICY = "Informationssäkerhetspolicy för Ale kommun"
TRAINING_ROUTINE = "Rutin för säkerhetsutbildning och övning"
CAMERA_ROUTINE = "Rutin för kameraövervakning"
HOME_CARE_SUPPLEMENT = "Komplettering för äldreomsorgen – hot och våld vid hembesök"
KOMMUNCHEF = "Thomas Gustafsson"


class TestAle:
    @pytest.fixture
    def demo(self, db):
        """The Ale demo municipality instead of Härjedalen: `group`, `unit` and `client_for` follow."""
        return load_demo(load_profile("ale"))

    @pytest.mark.policy("AL-3")
    def test_al3_the_fire_and_information_security_policies_are_linked_to_the_security_policy(self, group):
        status, (result,) = check(group, "AL-3")
        assert status == Status.MET
        assert result.summary == "2 documents (linked policy) in force are linked to the security policy."
        assert sorted(labels(result)) == [FIRE_POLICY, INFOSEC_POLICY]

    @pytest.mark.policy("AL-3")
    def test_al3_an_unlinked_policy_is_named_and_none_in_force_is_not_met(self, group):
        Document.objects.filter(group=group, title=INFOSEC_POLICY).update(parent=None)
        status, (result,) = check(group, "AL-3")
        assert status == Status.PARTLY
        assert result.summary == "1 of at least 2 documents (linked policy) in force are linked to the security policy."
        assert labels(result) == [INFOSEC_POLICY]

        Document.objects.filter(group=group, kind="linked_policy").update(status=DocumentStatus.REPEALED)
        assert check(group, "AL-3")[0] == Status.NOT_MET

    @pytest.mark.policy("AL-5")
    def test_al5_names_the_areas_without_a_routine_until_every_area_has_one(self, group, unit):
        # The first result is the routines' (the others: incidents, keys, alarms, cameras).
        _status, (result, *_others) = check(group, "AL-5")
        assert result.status == Status.PARTLY
        assert result.summary == (
            "2 of 6 required areas have no routine in force: Graffiti and vandalism, Camera surveillance."
        )

        kommunchef = person(group, KOMMUNCHEF)
        decide(document(group, CAMERA_ROUTINE), person=kommunchef)  # the draft is decided
        graffiti = draft(
            group, "routine", "Rutin vid klotter och skadegörelse", unit("ALE"), document(group, ALE_POLICY)
        )
        graffiti.topics = ["graffiti_vandalism"]
        graffiti.save()
        decide(graffiti, person=kommunchef)
        _status, (result, *_others) = check(group, "AL-5")
        assert result.status == Status.MET
        assert result.summary == "All 6 required areas have a routine in force."

    @pytest.mark.policy("AL-5")
    def test_al5_a_repealed_routine_leaves_its_area_uncovered(self, group):
        Document.objects.filter(group=group, kind="routine").update(status=DocumentStatus.REPEALED)
        status, (result, *_others) = check(group, "AL-5")
        assert status == Status.NOT_MET and result.status == Status.NOT_MET
        assert result.summary.startswith("6 of 6 required areas have no routine in force: Security organisation,")

    @pytest.mark.policy("AL-6")
    def test_al6_routines_are_decided_by_the_kommunchef_and_the_overdue_one_is_named(self, group):
        status, (by_rule, on_time) = check(group, "AL-6")
        assert by_rule.status == Status.MET
        assert by_rule.summary == "All 4 documents (routine or rule) are decided by the chief executive."
        assert status == Status.NOT_MET and on_time.status == Status.NOT_MET
        assert on_time.summary == "1 of 4 documents (routine or rule) is past its review date."
        assert labels(on_time) == [TRAINING_ROUTINE]

        routine = document(group, TRAINING_ROUTINE)
        review = routine.reviews.get(done_at__isnull=True)
        services.complete_review(review, outcome=Review.Outcome.NO_CHANGE, notes="Ses över årligen.", user=None)
        status, (by_rule, on_time) = check(group, "AL-6")
        assert status == Status.MET
        assert on_time.summary == "All 4 documents (routine or rule) are reviewed on time."

    @pytest.mark.policy("AL-6")
    def test_al6_an_imported_routine_decided_by_a_sektorchef_is_not_met(self, group):
        routine = document(group, "Rutin för personsäkerhet – hot och våld")
        import_decision(routine, person=person(group, "Helén Andersson"))
        _status, (by_rule, _on_time) = check(group, "AL-6")
        assert by_rule.status == Status.NOT_MET
        assert by_rule.summary == (
            "1 of 4 documents (routine or rule) lacks a decision by the body or role the policy names."
        )
        assert labels(by_rule) == ["Rutin för personsäkerhet – hot och våld"]

    @pytest.mark.policy("AL-6")
    def test_al6_a_routine_decided_by_someone_who_is_not_the_kommunchef_is_refused(self, group):
        routine = document(group, CAMERA_ROUTINE)
        today = timezone.localdate()
        with pytest.raises(services.RuleError) as refused:
            decide(routine, person=person(group, "Helén Andersson"))
        assert str(refused.value) == (
            "Helén Andersson cannot decide this routine or rule: by the policy it is decided by the chief executive, "
            "Thomas Gustafsson."
        )
        routine.refresh_from_db()
        assert routine.status == DocumentStatus.DRAFT and not routine.decisions.exists()

        decide(routine, person=person(group, KOMMUNCHEF))
        routine.refresh_from_db()
        assert routine.status == DocumentStatus.IN_FORCE
        assert routine.next_review == add_months(today, 12)  # reviewed every year

    @pytest.mark.policy("AL-6")
    def test_al6_the_decision_form_shows_the_rule_next_to_the_person_and_saves_nothing(self, group, client_for):
        routine = document(group, CAMERA_ROUTINE)
        version = routine.version
        response = client_for("samordnare").post(
            reverse("documents:decision", args=[routine.pk]),
            {
                "version": routine.versions.first().pk,
                "person": person(group, "Helén Andersson").pk,
                "date": timezone.localdate(),
                "record_number": "KS 2026/300",
                "expected_version": routine.version,
            },
        )
        assert response.status_code == 200
        message = "Helén Andersson cannot decide this routine or rule"
        assert message in response.context["form"].errors["person"][0]
        page = response.content.decode()
        field_error = page.split('id="id_person_error"', 1)[1].split("</div>", 1)[0]
        assert message in field_error
        routine.refresh_from_db()
        assert routine.status == DocumentStatus.DRAFT and routine.version == version
        assert not routine.decisions.exists() and routine.record_number == ""

    @pytest.mark.policy("AL-7")
    def test_al7_a_supplement_adopted_by_the_head_of_its_activity_is_met(self, group):
        status, (result,) = check(group, "AL-7")
        assert status == Status.MET
        assert result.summary == "The document (activity-specific supplement) is decided by the head."
        supplement = document(group, HOME_CARE_SUPPLEMENT)
        assert supplement.decisions.get().person == person(group, "Zeynep Demir")

    @pytest.mark.policy("AL-7")
    def test_al7_a_supplement_adopted_by_the_head_of_another_activity_is_not_met(self, group):
        supplement = document(group, HOME_CARE_SUPPLEMENT)
        import_decision(supplement, person=person(group, "Göran Pettersson"))  # verksamhetschef fastighet
        status, (result,) = check(group, "AL-7")
        assert status == Status.NOT_MET
        assert labels(result) == [HOME_CARE_SUPPLEMENT]

        with pytest.raises(
            services.RuleError,
            match=r"Göran Pettersson cannot decide this activity-specific supplement: .* the head, Zeynep Demir",
        ):
            decide(supplement, person=person(group, "Göran Pettersson"))

    @pytest.mark.policy("AL-11")
    def test_al11_the_policy_revised_for_this_mandate_period_is_due_at_the_next(self, group):
        policy = document(group, ALE_POLICY)
        assert policy.decisions.get().body == body(group, "Kommunfullmäktige")
        assert policy.next_review == datetime.date(2030, 10, 15)  # the next mandate period starts
        status, (result,) = check(group, "AL-11")
        assert status == Status.MET
        assert result.summary == "All 1 documents (security policy) are reviewed on time."

    @pytest.mark.policy("AL-11")
    def test_al11_a_policy_not_revised_before_the_mandate_period_is_not_met(self, group):
        overdue(document(group, ALE_POLICY))
        status, (result,) = check(group, "AL-11")
        assert status == Status.NOT_MET
        assert result.summary == "1 of 1 documents (security policy) is past its review date."
        assert labels(result) == [ALE_POLICY]

        Document.objects.filter(group=group, kind="policy").update(status=DocumentStatus.REPEALED)
        status, (result,) = check(group, "AL-11")
        assert status == Status.NOT_MET
        assert result.summary == "No security policy in force are registered."


# --- Karlskrona ----------------------------------------------------------------------------

KK_POLICY = "Säkerhetspolicy för Karlskrona kommun"
KK_GUIDELINE = "Riktlinjer för skydd mot hot och våld"


class TestKarlskrona:
    @pytest.fixture
    def demo(self, db):
        """The Karlskrona demo municipality instead of Härjedalen."""
        return load_demo(load_profile("karlskrona"))

    @pytest.mark.policy("KK-13")
    def test_kk13_guidelines_adopted_by_the_executive_board_are_met(self, group):
        status, (result,) = check(group, "KK-13")
        assert status == Status.MET
        assert result.summary == "All 3 documents (guideline) are decided by the executive board."

    @pytest.mark.policy("KK-13")
    def test_kk13_an_imported_guideline_decided_by_the_council_is_not_met(self, group):
        import_decision(document(group, KK_GUIDELINE), body=body(group, "Kommunfullmäktige"))
        status, (result,) = check(group, "KK-13")
        assert status == Status.NOT_MET
        assert result.summary == "1 of 3 documents (guideline) lacks a decision by the body or role the policy names."
        assert labels(result) == [KK_GUIDELINE]

    @pytest.mark.policy("KK-13")
    def test_kk13_a_guideline_decided_by_the_council_is_refused(self, group, unit):
        guideline = draft(
            group, "guideline", "Riktlinjer för informationssäkerhet", unit("KK"), document(group, KK_POLICY)
        )
        with pytest.raises(services.RuleError) as refused:
            decide(guideline, body=body(group, "Kommunfullmäktige"))
        assert str(refused.value) == (
            "Kommunfullmäktige cannot decide this guideline: by the policy it is decided by Kommunstyrelsen."
        )
        assert not guideline.decisions.exists()

        decide(guideline, body=body(group, "Kommunstyrelsen"))
        status, (result,) = check(group, "KK-13")
        assert status == Status.MET
        assert result.summary == "All 4 documents (guideline) are decided by the executive board."
