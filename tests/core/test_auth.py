import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import identify_hasher
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from varna.organisation.models import IdentityProviderGroupMapping, Person, RoleAssignment, RoleSetting


def test_passwords_are_hashed_with_argon2(db, settings):
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    user = get_user_model().objects.create_user("anna", password="ett långt lösenord")
    assert identify_hasher(user.password).algorithm == "argon2"


def test_login_and_logout(demo):
    _, logins = demo
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(reverse("login"), {"username": "samordnare", "password": logins["samordnare"]})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert "Karin Nordqvist" in client.get(reverse("home")).content.decode()
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


def test_pages_require_login(db, client):
    response = client.get(reverse("organisation:group"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_failed_logins_are_throttled(demo, settings):
    _, logins = demo
    client = Client(REMOTE_ADDR="10.0.0.7", HTTP_ACCEPT_LANGUAGE="en")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(reverse("login"), {"username": "samordnare", "password": "fel"})
        assert response.status_code == 200
    assert client.post(reverse("login"), {"username": "samordnare", "password": "fel"}).status_code == 429
    # Locked now, even with the right password.
    response = client.post(reverse("login"), {"username": "samordnare", "password": logins["samordnare"]})
    assert response.status_code == 429
    assert "Too many failed attempts" in response.content.decode() or "misslyckade" in response.content.decode()


def test_a_failed_login_shows_an_error_not_a_500(demo):
    response = Client(HTTP_ACCEPT_LANGUAGE="en").post(reverse("login"), {"username": "samordnare", "password": ""})
    assert response.status_code == 200


def _require_otp_for(group, role):
    RoleSetting.objects.create(group=group, role=role, require_otp=True)


def test_an_administrator_can_require_a_second_factor_for_a_role(group, client_for, user_for):
    client = client_for("forvaltningssamordnare")
    assert client.get(reverse("organisation:group")).status_code == 200
    _require_otp_for(group, "security_coordinator")
    response = client.get(reverse("organisation:group"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("otp-verify"))
    # Without a device the user is sent to set one up.
    response = client.get(response["Location"])
    assert response.status_code == 302 and response["Location"].startswith(reverse("otp-setup"))
    page = client.get(response["Location"])
    assert page.status_code == 200 and "data:image/svg+xml;base64," in page.content.decode()
    device = TOTPDevice.objects.get(user=user_for("forvaltningssamordnare"))
    bad = client.post(reverse("otp-setup"), {"token": "000000"})
    assert bad.status_code == 200 and not TOTPDevice.objects.get(pk=device.pk).confirmed
    TOTPDevice.objects.get(pk=device.pk).throttle_reset()  # django-otp slows down guessing after a failure
    token = str(totp(device.bin_key)).zfill(6)
    response = client.post(reverse("otp-setup"), {"token": token, "next": reverse("organisation:group")})
    assert response.status_code == 302
    assert client.get(reverse("organisation:group")).status_code == 200


def test_users_whose_roles_do_not_require_otp_are_not_asked(group, client_for):
    _require_otp_for(group, "security_coordinator")
    assert client_for("chef").get(reverse("organisation:group")).status_code == 200


def test_a_verified_login_with_an_existing_device(group, demo, user_for):
    _, logins = demo
    _require_otp_for(group, "group_security_coordinator")
    device = TOTPDevice.objects.create(user=user_for("samordnare"), name="app", confirmed=True)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.post(reverse("login"), {"username": "samordnare", "password": logins["samordnare"]})
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("otp-verify"))
    assert client.post(reverse("otp-verify"), {"token": "12"}).status_code == 200
    device.refresh_from_db()
    device.throttle_reset()
    response = client.post(reverse("otp-verify"), {"token": str(totp(device.bin_key)).zfill(6)})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


@pytest.fixture
def oidc_settings(settings):
    settings.OIDC_RP_CLIENT_ID = "varna"
    settings.OIDC_RP_CLIENT_SECRET = "s"
    settings.OIDC_RP_SIGN_ALGO = "HS256"
    settings.OIDC_OP_TOKEN_ENDPOINT = "https://idp.invalid/token"
    settings.OIDC_OP_USER_ENDPOINT = "https://idp.invalid/userinfo"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = "https://idp.invalid/auth"
    settings.OIDC_GROUPS_CLAIM = "groups"


@pytest.mark.usefixtures("oidc_settings")
class TestSingleSignOn:
    def _login(self, monkeypatch, claims):
        from varna.organisation.sso import VarnaOIDCBackend

        backend = VarnaOIDCBackend()
        monkeypatch.setattr(backend, "get_userinfo", lambda *a: claims)
        return backend.get_or_create_user("access", "id", {})

    def test_a_new_sso_user_gets_no_role_and_is_never_an_administrator(self, group, monkeypatch):
        user = self._login(monkeypatch, {"email": "ny@example.se", "groups": ["Domain Admins", "unmapped"]})
        assert user is not None and not user.is_staff and not user.is_superuser
        assert not user.has_usable_password()
        assert not Person.objects.filter(user=user).exists()
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(user)
        page = client.get(reverse("home")).content.decode()
        assert "have no role yet" in page
        assert client.get(reverse("organisation:group")).status_code == 403

    def test_mapped_groups_give_roles_and_lose_them_when_removed(self, group, unit, monkeypatch):
        IdentityProviderGroupMapping.objects.create(
            group=group, idp_group="sg-varna-tf-las", role="reader", unit=unit("TF")
        )
        user = self._login(
            monkeypatch,
            {"email": "ny@example.se", "given_name": "Nora", "family_name": "Ny", "groups": ["sg-varna-tf-las"]},
        )
        assignment = RoleAssignment.objects.get(person__user=user)
        assert (assignment.role, assignment.unit, assignment.source) == ("reader", unit("TF"), "sso")
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(user)
        assert client.get(reverse("organisation:unit", args=[unit("TF").pk])).status_code == 200
        assert client.get(reverse("organisation:unit", args=[unit("SOF").pk])).status_code == 404

        self._login(monkeypatch, {"email": "ny@example.se", "groups": []})
        assert not RoleAssignment.objects.current().filter(person__user=user).exists()
        assert assignment.history.count() == 2  # created, then removed: kept in history

    def test_manual_roles_are_left_alone(self, group, unit, monkeypatch, user_for):
        jonas = user_for("forvaltningssamordnare")
        jonas.email = "jonas.berglund@example.se"
        jonas.save()
        self._login(monkeypatch, {"email": "jonas.berglund@example.se", "groups": []})
        assert RoleAssignment.objects.current().filter(person__user=jonas, role="security_coordinator").exists()


@pytest.mark.parametrize("path", ["/", "/organisation/", "/konto/logga-in/"])
def test_security_headers(db, client, path):
    response = client.get(path, follow=True)
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_csrf_is_enforced(demo):
    _, logins = demo
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(reverse("login"), {"username": "samordnare", "password": logins["samordnare"]})
    assert response.status_code == 403
