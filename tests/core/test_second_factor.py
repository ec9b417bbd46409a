"""The second factor cannot be skipped by enrolling a new authenticator (issue 10, finding 1),
and every change to an account's authenticators is recorded and told to its owner."""

from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from varna.core.models import Notification, SecurityEvent
from varna.organisation.models import RoleSetting


def _code(device) -> str:
    device.refresh_from_db()
    device.throttle_reset()  # django-otp slows down guessing after a failure
    return str(totp(device.bin_key)).zfill(6)


def _password_only(demo, login) -> Client:
    _, logins = demo
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(reverse("login"), {"username": login, "password": logins[login]})
    assert response.status_code == 302
    return client


def _enrolled_reader(group, demo, user_for) -> TOTPDevice:
    """`lasare` with a role that requires TOTP and one confirmed authenticator."""
    RoleSetting.objects.create(group=group, role="reader", require_otp=True)
    return TOTPDevice.objects.create(user=user_for("lasare"), name="Telefon", confirmed=True)


def test_after_the_password_only_a_new_authenticator_cannot_be_enrolled(group, demo, user_for):
    _enrolled_reader(group, demo, user_for)
    client = _password_only(demo, "lasare")
    response = client.get(reverse("otp-setup"))
    # Sent to confirm with the authenticator the account has, and no new secret was issued.
    assert response.status_code == 302 and response["Location"].startswith(reverse("otp-verify"))
    assert not TOTPDevice.objects.filter(user=user_for("lasare"), confirmed=False).exists()
    # A code from an authenticator made some other way does not get in either.
    rogue = TOTPDevice.objects.create(user=user_for("lasare"), name="rogue", confirmed=False)
    response = client.post(reverse("otp-setup"), {"token": _code(rogue)})
    assert response.status_code == 302 and response["Location"].startswith(reverse("otp-verify"))
    rogue.refresh_from_db()
    assert not rogue.confirmed
    assert TOTPDevice.objects.filter(user=user_for("lasare"), confirmed=True).count() == 1
    response = client.get(reverse("organisation:group"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("otp-verify"))


def test_the_devices_page_and_removal_need_the_second_factor(group, demo, user_for):
    device = _enrolled_reader(group, demo, user_for)
    client = _password_only(demo, "lasare")
    assert client.get(reverse("otp-devices"))["Location"].startswith(reverse("otp-verify"))
    response = client.post(reverse("otp-device-remove", args=[device.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("otp-verify"))
    assert TOTPDevice.objects.filter(pk=device.pk).exists()


def test_a_verified_user_adds_and_removes_an_authenticator_and_is_told(group, demo, user_for):
    device = _enrolled_reader(group, demo, user_for)
    user = user_for("lasare")
    client = _password_only(demo, "lasare")
    assert client.post(reverse("otp-verify"), {"token": _code(device)}).status_code == 302

    page = client.get(reverse("otp-setup"))
    assert page.status_code == 200 and "data:image/svg+xml;base64," in page.content.decode()
    second = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("otp-setup"), {"name": "Surfplatta", "token": _code(second)})
    assert response.status_code == 302 and response["Location"] == reverse("otp-devices")
    second.refresh_from_db()
    assert second.confirmed and second.name == "Surfplatta"
    added = SecurityEvent.objects.get(user=user, kind="otp_device_added")
    assert added.detail == "Surfplatta" and added.ip_address == "127.0.0.1"
    notice = Notification.objects.get(recipient=user, subject="An authenticator was added to your account")
    assert "Surfplatta" in notice.body and notice.send_email

    page = client.get(reverse("otp-devices")).content.decode()
    assert "Telefon" in page and "Surfplatta" in page and "Authenticator added" in page
    assert client.post(reverse("otp-device-remove", args=[device.pk])).status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    assert SecurityEvent.objects.filter(user=user, kind="otp_device_removed", detail="Telefon").exists()
    assert Notification.objects.filter(
        recipient=user, subject="An authenticator was removed from your account"
    ).exists()


def test_nobody_removes_another_users_authenticator(group, demo, user_for, client_for):
    device = _enrolled_reader(group, demo, user_for)
    response = client_for("chef").post(reverse("otp-device-remove", args=[device.pk]))
    assert response.status_code == 404
    assert TOTPDevice.objects.filter(pk=device.pk).exists()


def test_the_first_authenticator_is_enrolled_after_the_password(group, demo, user_for):
    RoleSetting.objects.create(group=group, role="reader", require_otp=True)
    client = _password_only(demo, "lasare")
    assert client.get(reverse("otp-setup")).status_code == 200
    device = TOTPDevice.objects.get(user=user_for("lasare"))
    assert client.post(reverse("otp-setup"), {"token": _code(device)}).status_code == 302
    assert client.get(reverse("organisation:group")).status_code == 200
    assert SecurityEvent.objects.filter(user=user_for("lasare"), kind="otp_device_added").count() == 1


def test_security_events_are_append_only(group, demo, user_for):
    import pytest

    event = SecurityEvent.objects.create(user=user_for("lasare"), kind="otp_device_added")
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()
