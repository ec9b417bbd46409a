import pytest
from django.urls import reverse

from varna.core.models import AccessLogEntry
from varna.organisation.models import ExternalParty


@pytest.fixture
def classified_party(group):
    party = ExternalParty.objects.get(group=group, name="Norrlarm Säkerhet AB")
    assert party.is_classified and party.unit.code == "TF"
    return party


def test_classified_records_are_hidden_from_roles_not_cleared_for_them(client_for, classified_party):
    # The head of TF sees TF's records, but his role is not cleared for classified ones.
    response = client_for("chef").get(reverse("organisation:party", args=[classified_party.pk]))
    assert response.status_code == 404
    listing = client_for("chef").get(reverse("organisation:parties")).content.decode()
    assert classified_party.name not in listing
    assert not AccessLogEntry.objects.exists()


@pytest.mark.parametrize("login", ["forvaltningssamordnare", "samordnare"])
def test_every_read_of_a_classified_record_is_logged(client_for, user_for, classified_party, login):
    client = client_for(login)
    for _ in range(2):
        response = client.get(reverse("organisation:party", args=[classified_party.pk]))
        assert response.status_code == 200
        assert (
            "Your reading of this page is logged" in response.content.decode() or "loggas" in response.content.decode()
        )
    entries = AccessLogEntry.objects.filter(object_id=str(classified_party.pk))
    assert entries.count() == 2
    assert {e.user for e in entries} == {user_for(login)}
    assert entries[0].path == reverse("organisation:party", args=[classified_party.pk])


def test_reading_an_unclassified_record_writes_no_log(client_for, group):
    party = ExternalParty.objects.get(group=group, name="Fjällbygg Entreprenad AB")
    assert client_for("samordnare").get(reverse("organisation:party", args=[party.pk])).status_code == 200
    assert not AccessLogEntry.objects.exists()


def test_the_access_log_is_append_only(client_for, classified_party):
    client_for("samordnare").get(reverse("organisation:party", args=[classified_party.pk]))
    entry = AccessLogEntry.objects.get()
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()


def test_classifying_needs_a_legal_ground(client_for, group, unit):
    response = client_for("samordnare").post(
        reverse("organisation:party-create"),
        {"name": "Hemlig AB", "kind": "supplier", "unit": unit("TF").pk, "classification": "classified"},
    )
    assert response.status_code == 200
    assert "legal ground" in response.content.decode() or "rättslig grund" in response.content.decode()
    assert not ExternalParty.objects.filter(name="Hemlig AB").exists()


def test_a_role_not_cleared_for_classified_records_cannot_classify(client_for, unit):
    response = client_for("chef").post(
        reverse("organisation:party-create"),
        {
            "name": "Hemlig AB",
            "kind": "supplier",
            "unit": unit("TF").pk,
            "classification": "classified",
            "classification_ground": "OSL 18:8",
        },
    )
    assert response.status_code == 200
    assert not ExternalParty.objects.filter(name="Hemlig AB").exists()


def _classified(model, unit, **fields):
    return model.objects.create(
        group=unit.group, unit=unit, classification="classified", classification_ground="OSL 18 kap. 8 §", **fields
    )


@pytest.fixture
def classified_records(group, unit):
    from django.utils import timezone

    from varna.documents.models import Document
    from varna.incidents.models import Incident
    from varna.risks.models import Risk

    tf = unit("TF")
    return {
        "risk": _classified(Risk, tf, title="Hemlig risk"),
        "document": _classified(Document, tf, kind="routine", title="Hemlig rutin"),
        "incident": _classified(
            Incident, tf, category="threat_violence", occurred_at=timezone.now(), description="Hot"
        ),
    }


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("risks:edit", "risk"),
        ("risks:assess", "risk"),
        ("risks:accept", "risk"),
        ("risks:risk", "risk"),
        ("documents:edit", "document"),
        ("documents:document", "document"),
        ("documents:version-create", "document"),
        ("incidents:edit", "incident"),
        ("incidents:incident", "incident"),
    ],
)
def test_every_page_showing_a_classified_record_logs_one_read(client_for, user_for, classified_records, name, kind):
    """Issue 10, finding 12: the edit forms showed classified content without a log entry."""
    record = classified_records[kind]
    response = client_for("forvaltningssamordnare").get(reverse(name, args=[record.pk]))
    assert response.status_code == 200
    from django.contrib.contenttypes.models import ContentType

    entries = AccessLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(record),
        object_id=str(record.pk),
        user=user_for("forvaltningssamordnare"),
    )
    assert entries.count() == 1, [(e.action, e.path) for e in entries]
    assert entries.get().path == reverse(name, args=[record.pk])
