"""Key systems, keys and receipts (issue 13, part 2): a key handed out with a receipt the holder
confirms in Värna or signs on paper, returned, lost (an incident, and the risk owners asked to
re-assess), falling due when the employment ends, and the classified system narrowed."""

import datetime
import io

import pytest
from django.core import mail  # noqa: F401  (the outbox is cleared per test)
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from varna.core.models import Notification, Task
from varna.facilities import key_services
from varna.facilities.models import Key, KeyLoan, KeySystem, Lock, Site
from varna.incidents.models import Category, Incident
from varna.organisation.models import Person

GROUND = "OSL 18 kap. 8 §"


@pytest.fixture
def site(group, unit):
    return Site.objects.create(
        group=group, unit=unit("TF-FA-SV"), name="Lillhedens skola", code="LILL-SK", kind="school"
    )


@pytest.fixture
def system(site):
    system = KeySystem.objects.create(
        site=site, name="ASSA d12 skolan", code="ASSA-1", master_key_storage="Godkänt säkerhetsskåp, expeditionen"
    )
    Lock.objects.create(system=system, code="A-101", name="Huvudentré")
    Lock.objects.create(system=system, code="A-120", name="Serverrum")
    return system


def person(login):
    return Person.objects.get(user__username=login)


def photo_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, "JPEG")
    return out.getvalue()


@pytest.mark.policy("AL-5")
def test_a_key_is_registered_handed_out_confirmed_and_returned(client_for, system):
    """Key storage under AL-5: every key has a number, the locks it opens and a holder with a
    receipt the holder confirms in Värna."""
    admin = client_for("chef")
    page = admin.post(
        reverse("facilities:key-create", args=[system.pk]),
        {"number": "K-17", "kind": "key", "series": "A1", "opens": [system.locks.get(code="A-101").pk]},
    )
    key = Key.objects.get(system=system, number="K-17")
    assert page.url == key.get_absolute_url()
    holder = person("medarbetare")
    page = admin.post(
        reverse("facilities:key-hand-out", args=[key.pk]),
        {"person": holder.pk, "handed_out_on": timezone.localdate().isoformat(), "due_back_on": ""},
    )
    loan = KeyLoan.objects.get(key=key)
    assert page.url == loan.get_absolute_url()
    task = Task.objects.get(owner=holder, state=Task.State.OPEN, url=loan.get_absolute_url())
    assert "K-17" in task.title

    # The holder has no role at the site's unit, and may still read and confirm their receipt.
    employee = client_for("medarbetare")
    assert employee.get(key.get_absolute_url()).status_code == 404
    receipt = employee.get(loan.get_absolute_url())
    assert receipt.status_code == 200 and "I have received the key" in receipt.content.decode()
    assert "K-17" in employee.get(reverse("facilities:my-keys")).content.decode()
    employee.post(reverse("facilities:key-loan-confirm", args=[loan.pk]))
    loan.refresh_from_db()
    task.refresh_from_db()
    assert loan.confirmed_at is not None and loan.has_receipt and task.state == Task.State.DONE

    # Someone else cannot confirm it, nor see it.
    assert client_for("lasare").post(reverse("facilities:key-loan-confirm", args=[loan.pk])).status_code == 404

    page = admin.post(
        reverse("facilities:key-loan-return", args=[loan.pk]), {"returned_on": timezone.localdate().isoformat()}
    )
    loan.refresh_from_db()
    assert loan.returned_on == timezone.localdate() and not loan.is_open


def test_handing_out_is_refused_with_reasons_at_the_field(client_for, system):
    admin = client_for("chef")
    key = Key.objects.create(system=system, number="K-1")
    url = reverse("facilities:key-hand-out", args=[key.pk])
    both = admin.post(url, {"person": person("chef").pk, "party": "", "handed_out_on": ""})
    assert both.status_code == 200
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    page = admin.post(url, {"person": person("chef").pk, "handed_out_on": tomorrow})
    assert "A handover cannot be registered before it happens." in page.content.decode()
    page = admin.post(url, {"handed_out_on": timezone.localdate().isoformat()})
    assert "Choose who receives the key" in page.content.decode()
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    page = admin.post(
        url, {"person": person("chef").pk, "handed_out_on": timezone.localdate().isoformat(), "due_back_on": yesterday}
    )
    assert "The return date cannot be before the handover." in page.content.decode()
    assert not KeyLoan.objects.filter(key=key).exists()
    admin.post(url, {"person": person("chef").pk, "handed_out_on": timezone.localdate().isoformat()})
    again = admin.post(
        url, {"person": person("forvaltningssamordnare").pk, "handed_out_on": timezone.localdate().isoformat()}
    )
    assert "The key is already handed out: register its return first." in again.content.decode()
    assert KeyLoan.objects.filter(key=key).count() == 1


def test_a_paper_receipt_is_printed_signed_and_uploaded(client_for, group, system):
    from varna.organisation.models import ExternalParty

    party = ExternalParty.objects.create(group=group, name="Städbolaget AB", kind="contractor", unit=system.site.unit)
    key = Key.objects.create(system=system, number="K-5")
    admin = client_for("chef")
    admin.post(
        reverse("facilities:key-hand-out", args=[key.pk]),
        {"party": party.pk, "party_contact": "Lena Ek", "handed_out_on": timezone.localdate().isoformat()},
    )
    loan = KeyLoan.objects.get(key=key)
    pdf = admin.get(reverse("facilities:key-loan-pdf", args=[loan.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    upload = reverse("facilities:key-loan-upload", args=[loan.pk])
    admin.post(upload, {"file": SimpleUploadedFile("kvitto.txt", b"not a receipt")})
    loan.refresh_from_db()
    assert not loan.has_receipt
    admin.post(upload, {"file": SimpleUploadedFile("kvitto.jpg", photo_bytes(), content_type="image/jpeg")})
    loan.refresh_from_db()
    assert loan.has_receipt and loan.signed_receipt.name.endswith(".jpg")
    download = admin.get(reverse("facilities:key-loan-file", args=[loan.pk]))
    assert download.status_code == 200
    # A reader of another unit reaches none of it.
    reader = client_for("lasare")
    for name in ("key-loan", "key-loan-pdf", "key-loan-file"):
        assert reader.get(reverse(f"facilities:{name}", args=[loan.pk])).status_code == 404


@pytest.mark.policy("AL-5")
def test_a_lost_key_becomes_an_incident_and_asks_for_a_reassessment(client_for, system):
    key = Key.objects.create(system=system, number="K-9")
    key.opens.set(system.locks.all())
    holder = person("medarbetare")
    loan = key_services.hand_out(KeyLoan(key=key, person=holder), user=None)
    employee = client_for("medarbetare")
    page = employee.post(
        reverse("facilities:key-lost", args=[key.pk]),
        {"lost_on": timezone.localdate().isoformat(), "circumstances": "Tappade nyckelknippan på bussen."},
    )
    assert page.status_code == 302
    incident = Incident.objects.get(category=Category.LOST_KEY)
    assert incident.unit == system.site.unit and "K-9" in incident.description and incident.place == "Lillhedens skola"
    key.refresh_from_db()
    loan.refresh_from_db()
    assert key.lost_on == timezone.localdate() and loan.lost_on == timezone.localdate() and not key.in_use
    reassess = Task.objects.filter(url=key.get_absolute_url(), state=Task.State.OPEN)
    assert reassess.exists() and all("K-9" in t.title for t in reassess)
    # The key's page names the locks it opens, for the re-assessment.
    body = client_for("chef").get(key.get_absolute_url()).content.decode()
    assert "Serverrum" in body and "Reported lost" in body
    # A lost key is not handed out again.
    again = client_for("chef").post(
        reverse("facilities:key-hand-out", args=[key.pk]),
        {"person": holder.pk, "handed_out_on": timezone.localdate().isoformat()},
    )
    assert "lost or out of use" in again.content.decode()


def test_keys_fall_due_when_the_employment_ends_and_the_administrator_is_told_once(client_for, system):
    admin_person = person("chef")
    system.administrator = admin_person
    system.save()
    holder = person("medarbetare")
    holder.employment_end = timezone.localdate() + datetime.timedelta(days=10)
    holder.save()
    key = Key.objects.create(system=system, number="K-2")
    key_services.hand_out(KeyLoan(key=key, person=holder), user=None)
    other = Key.objects.create(system=system, number="K-3")
    key_services.hand_out(KeyLoan(key=other, person=person("forvaltningssamordnare")), user=None)

    page = client_for("chef").get(reverse("facilities:keys-due")).content.decode()
    assert "K-2" in page and "K-3" not in page and "Employment ends" in page
    assert key_services.notify_keys_due() == 1
    assert key_services.notify_keys_due() == 0
    note = Notification.objects.get(recipient=admin_person.user, subject__startswith="Keys due for return")
    assert note.url == reverse("facilities:keys-due")


def test_a_classified_key_system_is_narrowed_and_its_holder_told_no_more_than_needed(client_for, site, unit):
    secret = KeySystem.objects.create(
        site=site,
        name="Hemligt passersystem",
        code="PASS-X",
        kind="electronic",
        classification="classified",
        classification_ground=GROUND,
    )
    key = Key.objects.create(system=secret, number="C-77", kind="card")
    loan = key_services.hand_out(KeyLoan(key=key, person=person("medarbetare")), user=None)
    chef = client_for("chef")  # head of TF: may change, not cleared for classified records
    assert chef.get(secret.get_absolute_url()).status_code == 404
    assert chef.get(key.get_absolute_url()).status_code == 404
    assert "Hemligt passersystem" not in chef.get(site.get_absolute_url()).content.decode()
    assert "C-77" not in chef.get(reverse("facilities:keys")).content.decode()
    holder_page = client_for("medarbetare").get(loan.get_absolute_url()).content.decode()
    assert "C-77" in holder_page and "Hemligt passersystem" not in holder_page
    cleared = client_for("forvaltningssamordnare")
    assert "Hemligt passersystem" in cleared.get(secret.get_absolute_url()).content.decode()


def test_the_key_register_searches_number_series_and_holder(client_for, system):
    for n in range(3):
        Key.objects.create(system=system, number=f"S-{n}", series="B2" if n else "A1")
    key_services.hand_out(
        KeyLoan(key=Key.objects.get(number="S-1"), person=person("forvaltningssamordnare")), user=None
    )
    chef = client_for("chef")
    listing = lambda **q: chef.get(reverse("facilities:keys"), q).content.decode()  # noqa: E731
    assert "S-0" in listing(q="A1") and "S-2" not in listing(q="A1")
    assert "S-1" in listing(q="Berglund") and "S-0" not in listing(q="Berglund")
    assert "S-1" in listing(status="utan-kvittens") and "S-2" not in listing(status="utan-kvittens")
    assert "S-2" in listing(status="i-forrad") and "S-1" not in listing(status="i-forrad")
    # A reader of another unit's people searches no holder they may not see.
    assert "S-1" not in client_for("lasare").get(reverse("facilities:keys"), {"q": "Berglund"}).content.decode()


@pytest.mark.policy("AL-5")
def test_the_keys_are_accounted_for_only_by_real_receipts(group, system):
    """AL-5's key storage: met when every key handed out has a receipt and none is due back."""
    from varna.core.obligations import Status
    from varna.facilities.key_checks import keys_accounted

    KeyLoan.objects.filter(key__system__site__group=group).delete()
    assert keys_accounted(group, group.profile).status == Status.NOT_CHECKABLE
    key = Key.objects.create(system=system, number="R-1")
    loan = key_services.hand_out(KeyLoan(key=key, person=person("forvaltningssamordnare")), user=None)
    result = keys_accounted(group, group.profile)
    assert result.status == Status.NOT_MET and "1 have no confirmed receipt" in result.summary
    assert [e.url for e in result.evidence] == [loan.get_absolute_url()]
    key_services.confirm(loan, user=None)
    assert keys_accounted(group, group.profile).status == Status.MET
    loan.due_back_on = timezone.localdate() - datetime.timedelta(days=1)
    loan.handed_out_on = loan.due_back_on - datetime.timedelta(days=10)
    loan.save()
    result = keys_accounted(group, group.profile)
    assert result.status == Status.NOT_MET and "due for return" in result.summary


@pytest.mark.policy("AL-5")
def test_without_a_key_system_the_register_is_not_kept(group):
    from varna.core.obligations import Status
    from varna.facilities.key_checks import keys_accounted

    KeyLoan.objects.filter(key__system__site__group=group).delete()
    Key.objects.filter(system__site__group=group).delete()
    KeySystem.objects.filter(site__group=group).delete()
    assert keys_accounted(group, group.profile).status == Status.NOT_MET


def test_the_daily_job_tells_the_administrator(group, system):
    from varna.facilities.jobs import run_daily

    system.administrator = person("chef")
    system.save()
    key = Key.objects.create(system=system, number="J-1")
    KeyLoan.objects.create(
        key=key,
        person=person("forvaltningssamordnare"),
        due_back_on=datetime.date(2020, 1, 1),
        handed_out_on=datetime.date(2019, 1, 1),
    )
    assert run_daily() >= 1
    assert Notification.objects.filter(recipient=person("chef").user, subject__startswith="Keys due").exists()
