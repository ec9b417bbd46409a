"""Acknowledgements (read receipts) of governing documents, by people and by external parties:
external parties are covered by the policy and its rules (AL-9)."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from varna.core.models import Notification, Task
from varna.core.obligations import Status as CheckStatus
from varna.core.obligations import evaluate
from varna.documents import acknowledgements as acks
from varna.documents import services
from varna.documents.models import Acknowledgement, Document
from varna.organisation.demo import load_demo
from varna.organisation.models import Body, ExternalParty, OrgUnit, Person
from varna.organisation.profiles import load_profile

KEYS = "Instruktion för nyckelhantering"


@pytest.fixture
def keys(group):
    return Document.objects.get(group=group, title=KEYS)


@pytest.fixture
def coordinator(client_for):
    return client_for("forvaltningssamordnare")


def _page(client, document, **params):
    response = client.get(reverse("documents:acknowledgements", args=[document.pk]), params)
    assert response.status_code == 200
    return response.content.decode()


def _ask_unit(client, document, unit, people=True, parties=False):
    data = {"action": "unit", "unit": unit.pk}
    if people:
        data["people"] = "on"
    if parties:
        data["parties"] = "on"
    return client.post(reverse("documents:acknowledgements", args=[document.pk]), data, follow=True)


def _rows(document, **filters):
    return Acknowledgement.objects.filter(document=document, **filters)


@pytest.mark.policy("AL-9")
def test_requesting_from_a_unit_asks_its_people_and_parties_and_notifies_users(coordinator, keys, unit, user_for):
    response = _ask_unit(coordinator, keys, unit("TF-FA"), parties=True)
    assert "Asked 4 people and 1 external parties to acknowledge version 1" in response.content.decode()
    version = keys.decided_version
    asked = {a.person.last_name for a in _rows(keys, person__isnull=False).select_related("person")}
    assert asked == {"Hedlund", "Forsberg", "Dahl", "Wallin"}
    # The contractor serving the unit's subtree is asked; the alarm supplier serves TF, above it.
    assert [a.party.name for a in _rows(keys, party__isnull=False)] == ["Fjällbygg Entreprenad AB"]
    assert not _rows(keys).exclude(version=version).exists()
    # Oskar Wallin is a user: a notification and a task, both leading to where he reads and confirms.
    oskar = user_for("medarbetare")
    note = Notification.objects.get(recipient=oskar)
    assert KEYS in note.subject and "version 1" in note.body
    task = Task.objects.get(owner__user=oskar, state=Task.State.OPEN)
    assert task.url == note.url == acks.acknowledgement_url(keys)
    # People who are not users get no notification and no task.
    assert Notification.objects.filter(subject__contains=KEYS).count() == 1
    assert Task.objects.filter(title=f"Read and confirm: {KEYS}").count() == 1


def test_a_person_confirms_and_the_page_shows_who_has_and_has_not(coordinator, client_for, keys, unit):
    _ask_unit(coordinator, keys, unit("TF-FA-SV"))
    employee = client_for("medarbetare")

    # The task on the start page leads to "My acknowledgements", where the text is to be read.
    home = employee.get(reverse("home")).content.decode()
    assert f"Read and confirm: {KEYS}" in home and reverse("documents:my-acknowledgements") in home
    mine = employee.get(reverse("documents:my-acknowledgements")).content.decode()
    assert KEYS in mine and "Huvudnycklar förvaras i godkänt värdeskåp" in mine and "Read and confirm" in mine
    # The employee has no role: the document page is not theirs, but the request lets them read it.
    assert employee.get(keys.get_absolute_url()).status_code == 404

    response = employee.post(
        reverse("documents:acknowledge", args=[keys.pk]), {"next": reverse("documents:my-acknowledgements")}
    )
    assert response.status_code == 302 and response["Location"] == reverse("documents:my-acknowledgements")
    oskar = _rows(keys).get(person__last_name="Wallin")
    assert oskar.acknowledged_at is not None and oskar.registered_by.username == "medarbetare"
    assert Task.objects.get(owner=oskar.person).state == Task.State.DONE
    mine = employee.get(reverse("documents:my-acknowledgements")).content.decode()
    assert "You have nothing to read and confirm" in mine and "Confirmed" in mine
    # Confirming again is refused with a message, not an error.
    again = employee.post(reverse("documents:acknowledge", args=[keys.pk]), follow=True).content.decode()
    assert "is already acknowledged" in again

    page = _page(coordinator, keys)
    assert "Oskar Wallin" in page and "Malin Forsberg" in page
    assert "1 of 2 asked have acknowledged version" in page
    done = _page(coordinator, keys, status="acknowledged")
    assert "Oskar Wallin" in done and "Malin Forsberg" not in done
    waiting = _page(coordinator, keys, status="open")
    assert "Malin Forsberg" in waiting and "Oskar Wallin" not in waiting


def test_a_person_with_an_open_request_confirms_on_the_document_page(client_for, keys, group):
    hedlund = Person.objects.get(group=group, last_name="Hedlund")
    acks.request_acknowledgement(keys, people=[hedlund], user=None)
    # Give Anders Hedlund a login: as head of the owner unit he can see the document page.
    hedlund.user = get_user_model().objects.create_user("hedlund", password="x")
    hedlund.save()
    client = client_for("hedlund")
    page = client.get(keys.get_absolute_url()).content.decode()
    assert "Read and confirm" in page and reverse("documents:acknowledgements", args=[keys.pk]) in page
    client.post(reverse("documents:acknowledge", args=[keys.pk]), {"next": keys.get_absolute_url()})
    assert _rows(keys, person=hedlund).get().acknowledged_at is not None
    assert "Read and confirm" not in client.get(keys.get_absolute_url()).content.decode()


def test_a_new_decided_version_asks_again_those_who_acknowledged_the_old_one(coordinator, client_for, keys, unit):
    _ask_unit(coordinator, keys, unit("TF-FA-SV"))
    client_for("medarbetare").post(reverse("documents:acknowledge", args=[keys.pk]))
    old = keys.decided_version

    hedlund = Person.objects.get(last_name="Hedlund")
    new = services.add_version(keys, None, text="# Nyckelhantering\n\nNycklar kvitteras digitalt.")
    services.record_decision(
        keys,
        version=new,
        body=None,
        person=hedlund,
        date=timezone.localdate(),
        in_force_from=timezone.localdate(),
        record_number="",
        user=None,
        expected_version=keys.version,
    )
    keys.refresh_from_db()
    assert keys.decided_version == new

    oskar = _rows(keys, person__last_name="Wallin")
    assert oskar.get(version=old).acknowledged_at is not None  # what he confirmed stays on record
    assert oskar.get(version=new).acknowledged_at is None
    assert Task.objects.filter(owner__last_name="Wallin", state=Task.State.OPEN).count() == 1
    # Malin had not yet confirmed: her open request now concerns the new version, once.
    assert list(_rows(keys, person__last_name="Forsberg").values_list("version", flat=True)) == [new.pk]

    page = _page(coordinator, keys, status="earlier")
    assert "Oskar Wallin" in page and "Malin Forsberg" not in page
    page = _page(coordinator, keys)
    assert "0 of 2 asked have acknowledged version" in page
    mine = client_for("medarbetare").get(reverse("documents:my-acknowledgements")).content.decode()
    assert "Nycklar kvitteras digitalt" in mine


@pytest.mark.policy("AL-9")
def test_a_coordinator_registers_an_external_partys_acknowledgement(client_for, keys, group, user_for):
    coordinator = client_for("samordnare")
    party = ExternalParty.objects.get(group=group, name="Fjällbygg Entreprenad AB")
    url = reverse("documents:acknowledgements", args=[keys.pk])
    coordinator.post(url, {"action": "parties", "parties": [party.pk]})
    request = _rows(keys).get(party=party)
    assert request.acknowledged_at is None
    assert "Fjällbygg Entreprenad AB" in _page(coordinator, keys, status="open", vem="parties")

    response = coordinator.post(url, {"action": "register", "party": party.pk}, follow=True)
    assert "acknowledgement of version 1 was registered" in response.content.decode()
    request.refresh_from_db()
    assert request.acknowledged_at is not None and request.registered_by == user_for("samordnare")
    page = _page(coordinator, keys, vem="parties")
    assert "1 of 1 asked have acknowledged version" in page and "registered by" in page

    # A party that was never asked (a signed paper came in first) is asked and registered at once.
    other = ExternalParty.objects.get(group=group, name="Bemanningspoolen Norr AB")
    coordinator.post(url, {"action": "register", "party": other.pk})
    assert _rows(keys).get(party=other).acknowledged_at is not None


@pytest.mark.policy("AL-9")
def test_the_al9_check_goes_from_partly_to_met_as_parties_acknowledge(db):
    group, _ = load_demo(load_profile("ale"))
    profile = group.profile
    status, (result,) = evaluate(profile.obligation("AL-9"), group, profile)
    assert status == CheckStatus.PARTLY and "asked to acknowledge" in result.summary

    root = OrgUnit.objects.get(group=group, code="ALE")
    policy = Document.objects.create(group=group, kind="policy", title="Säkerhetspolicy för Ale kommun", unit=root)
    version = services.add_version(policy, None, text="# Säkerhetspolicy\n\nGäller även externa parter.")
    services.record_decision(
        policy,
        version=version,
        body=Body.objects.get(group=group, kind="council"),
        person=None,
        date=timezone.localdate(),
        in_force_from=timezone.localdate(),
        record_number="KF 2026/1",
        user=None,
        expected_version=policy.version,
    )
    parties = list(acks.parties_serving_subtree(root))
    assert len(parties) == 3
    acks.request_acknowledgement(policy, parties=parties, user=None)

    status, (result,) = evaluate(profile.obligation("AL-9"), group, profile)
    assert status == CheckStatus.PARTLY
    assert "3 of 3 requested acknowledgements of the governing documents are outstanding" in result.summary
    labels = [e.label for e in result.evidence]
    assert any(label.startswith("Göta Älv Bygg AB has not acknowledged Säkerhetspolicy") for label in labels)
    # The classified alarm supplier is listed without its name.
    assert not any("Västlarm" in label for label in labels)
    assert any(label.startswith("A classified external party") for label in labels)

    for party in parties[:2]:
        acks.register_party_acknowledgement(party, policy, None)
    status, (result,) = evaluate(profile.obligation("AL-9"), group, profile)
    assert status == CheckStatus.PARTLY and "1 of 3 requested acknowledgement" in result.summary

    acks.register_party_acknowledgement(parties[2], policy, None)
    status, (result,) = evaluate(profile.obligation("AL-9"), group, profile)
    # Every party has acknowledged, but the demo's staffing agency has no contact person: a party
    # nobody can reach is not covered.
    assert status == CheckStatus.PARTLY and "Every party asked has acknowledged" in result.summary
    assert "1 of them have no contact person" in result.summary
    agency = ExternalParty.objects.get(group=group, name="Vårdbemanning Väst AB")
    assert [e.label for e in result.evidence] == [agency.name]
    agency.contact_name = "Eva Vård"
    agency.save()
    status, (result,) = evaluate(profile.obligation("AL-9"), group, profile)
    assert status == CheckStatus.MET and "Every party asked has acknowledged" in result.summary
    assert result.summary.startswith("3 external parties registered, 3 with a contract in force.")


def test_a_reader_cannot_request(client_for, keys, group, unit):
    reader = client_for("lasare")
    sof_document = Document.objects.get(group=group, title__startswith="Kompletterande riktlinje om hot och våld")
    # The reader sees the acknowledgements of a document in their unit, without the forms...
    page = _page(reader, sof_document)
    assert "Ask to acknowledge" not in page
    # ...and may not ask anyone: refused there, and not found for a document outside their unit.
    data = {"action": "unit", "unit": unit("SOF").pk, "people": "on"}
    assert reader.post(reverse("documents:acknowledgements", args=[sof_document.pk]), data).status_code == 403
    assert reader.post(reverse("documents:acknowledgements", args=[keys.pk]), data).status_code == 404
    assert not Acknowledgement.objects.exists()


def test_nothing_is_requested_twice(coordinator, keys, unit):
    _ask_unit(coordinator, keys, unit("TF-FA"), parties=True)
    count = _rows(keys).count()
    response = _ask_unit(coordinator, keys, unit("TF-FA"), parties=True)
    assert "Everyone chosen was already asked to acknowledge version 1; nobody was asked twice." in (
        response.content.decode()
    )
    response = _ask_unit(coordinator, keys, unit("TF"), parties=False)
    assert "were already asked and were not asked again" in response.content.decode()
    again = acks.request_acknowledgement(keys, people=Person.objects.filter(unit__code="TF-FA-SV"), user=None)
    assert again.total == 0 and again.already == 2
    assert _rows(keys).count() == count + Person.objects.filter(unit=unit("TF")).count() + 1  # TF and TF-GP
    # The head of TF is notified; the coordinator who asked gets the task but no notification.
    notified = Notification.objects.filter(subject__contains=KEYS).values_list("recipient__username", flat=True)
    assert sorted(notified) == ["chef", "medarbetare"]
    assert Task.objects.filter(owner__user__username="forvaltningssamordnare", title__contains=KEYS).exists()
    assert acks.reask_on_new_version(keys).total == 0  # no new version: nobody asked again


def test_an_undecided_document_is_refused_with_a_message(coordinator, group, unit):
    camera = Document.objects.get(group=group, title="Instruktion för kameraövervakning")
    with pytest.raises(services.RuleError, match="no decided version"):
        acks.request_acknowledgement(camera, people=Person.objects.filter(unit=unit("TF")), user=None)
    response = _ask_unit(coordinator, camera, unit("TF"))
    assert "no decided version" in response.content.decode()
    assert "Nothing to acknowledge yet" in _page(coordinator, camera)


def test_bad_input_never_breaks_the_pages(coordinator, client_for, client, keys, unit):
    url = reverse("documents:acknowledgements", args=[keys.pk])
    for data in (
        {},
        {"action": "nonsense"},
        {"action": "unit", "unit": "x'; drop"},
        {"action": "unit", "unit": unit("TF").pk},
        {"action": "unit", "unit": "999999999999999999999999"},
        {"action": "people", "people": ["abc", "-1"]},
        {"action": "parties", "parties": ["99999"]},
        {"action": "register", "party": ""},
    ):
        response = coordinator.post(url, data)
        assert response.status_code == 302, data
    assert not Acknowledgement.objects.exists()
    page = coordinator.get(url, {"status": "nonsense", "vem": "<script>", "sida": "999", "sok": "Wallin"})
    assert page.status_code == 200 and "Oskar Wallin" in page.content.decode()
    assert coordinator.get(reverse("documents:acknowledgements", args=[999999])).status_code == 404
    assert coordinator.get(reverse("documents:acknowledge", args=[keys.pk])).status_code == 405
    # Someone without a request, or not a person in Värna, confirms nothing.
    response = client_for("chef").post(
        reverse("documents:acknowledge", args=[keys.pk]), {"next": "https://evil.example/"}
    )
    assert response.status_code == 404
    assert client.post(reverse("documents:acknowledge", args=[keys.pk])).status_code == 302  # to the login
    assert client_for("chef").post(reverse("documents:acknowledge", args=[999999])).status_code == 404


def _ask_many(document, unit, n):
    people = [
        Person.objects.create(group=document.group, first_name="P", last_name=f"Extra{n}-{i}", unit=unit)
        for i in range(n)
    ]
    acks.request_acknowledgement(document, people=people, user=None)
    document.acknowledgements.filter(person__in=people[::2]).update(acknowledged_at=timezone.now())


def test_the_acknowledgements_page_query_count_does_not_grow_with_the_requests(coordinator, keys, unit):
    def count():
        with CaptureQueriesContext(connection) as queries:
            response = coordinator.get(reverse("documents:acknowledgements", args=[keys.pk]), {"sok": "Extra"})
        assert response.status_code == 200
        return len(queries.captured_queries)

    acks.request_acknowledgement(keys, parties=ExternalParty.objects.filter(group=keys.group), user=None)
    _ask_many(keys, unit("TF-FA-SV"), 5)
    small = count()
    _ask_many(keys, unit("TF-FA-FU"), 45)
    assert _rows(keys, person__isnull=False).count() == 50
    assert count() == small


def test_a_classified_party_is_not_named_to_those_who_may_not_see_it(client_for, keys, group):
    norrlarm = ExternalParty.objects.get(group=group, name="Norrlarm Säkerhet AB")
    acks.request_acknowledgement(keys, parties=[norrlarm], user=None)
    assert "Norrlarm" in _page(client_for("samordnare"), keys)
    page = _page(client_for("chef"), keys)
    assert "Norrlarm" not in page and "A classified external party" in page
    # Nor can the head register it or ask it: it is not among their choices.
    response = client_for("chef").post(
        reverse("documents:acknowledgements", args=[keys.pk]), {"action": "register", "party": norrlarm.pk}
    )
    assert response.status_code == 302
    assert _rows(keys).get(party=norrlarm).acknowledged_at is None


def test_repealing_a_document_cancels_its_open_acknowledgement_tasks(group, client_for, user_for):
    from varna.core.models import Task
    from varna.documents.acknowledgements import request_acknowledgement
    from varna.documents.models import Document
    from varna.organisation.models import Person

    document = Document.objects.get(title="Riktlinjer för säkerhetsarbetet")
    wallin = Person.objects.get(last_name="Wallin")
    request_acknowledgement(document, people=[wallin], user=user_for("samordnare"))
    assert Task.objects.filter(owner=wallin, state="open").exists()
    client_for("samordnare").post(reverse("documents:repeal", args=[document.pk]), {"version": document.version})
    assert not Task.objects.filter(owner=wallin, state="open").exists()


def test_only_a_person_asked_may_acknowledge_and_nothing_names_another_document(client_for, group, unit):
    """Issue 10, finding 2: as `medarbetare`, posting to any document's acknowledge URL named
    the document (classified ones included) in the message; ids could be enumerated."""
    secret = Document.objects.create(
        group=group,
        unit=unit("SOF"),
        kind="routine",
        title="Hemlig larmrutin MRK-ACK",
        classification="classified",
        classification_ground="OSL 18 kap. 8 §",
    )
    employee = client_for("medarbetare")
    for document in [secret, *Document.objects.filter(group=group)]:
        if Acknowledgement.objects.filter(document=document, person__user__username="medarbetare").exists():
            continue
        response = employee.post(reverse("documents:acknowledge", args=[document.pk]), follow=True)
        assert response.status_code == 404, document
        assert document.title not in response.content.decode()
    page = employee.get(reverse("documents:my-acknowledgements")).content.decode()
    assert "MRK-ACK" not in page
