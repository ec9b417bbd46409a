"""Single sign-on through the whole OpenID Connect code flow, against a small identity provider
served on localhost: the real mozilla-django-oidc client fetches the token and the user info
over HTTP and verifies the signed ID token."""

import base64
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from django.contrib.auth import get_user_model

from varna.organisation.models import IdentityProviderGroupMapping, RoleAssignment

SECRET = "a-client-secret-for-the-tests-of-single-sign-on"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _hs256(claims: dict) -> str:
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = _b64(json.dumps(claims).encode())
    signature = hmac.new(SECRET.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64(signature)}"


class IdentityProvider(BaseHTTPRequestHandler):
    claims: dict = {}
    nonce = ""
    token_requests: list = []

    def log_message(self, *args):  # keep the test output clean
        pass

    def _json(self, body: dict, status: int = 200):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        form = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
        IdentityProvider.token_requests.append(form)
        if form.get("code") != ["the-code"]:
            self._json({"error": "invalid_grant"}, 400)
            return
        now = int(time.time())
        id_token = _hs256(
            {"iss": "http://idp", "aud": "varna", "sub": "u-1", "iat": now, "exp": now + 300, "nonce": self.nonce}
        )
        self._json({"access_token": "access-token", "id_token": id_token, "token_type": "Bearer"})

    def do_GET(self):
        if self.headers.get("Authorization") != "Bearer access-token":
            self._json({"error": "invalid_token"}, 401)
            return
        self._json(self.claims)


@pytest.fixture
def idp(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), IdentityProvider)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    settings.ROOT_URLCONF = "tests.core.oidc_urls"
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "varna.organisation.sso.VarnaOIDCBackend"]
    settings.OIDC_RP_CLIENT_ID = "varna"
    settings.OIDC_RP_CLIENT_SECRET = SECRET
    settings.OIDC_RP_SIGN_ALGO = "HS256"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{base}/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{base}/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{base}/userinfo"
    settings.OIDC_GROUPS_CLAIM = "groups"
    IdentityProvider.token_requests = []
    yield IdentityProvider
    server.shutdown()
    server.server_close()


def _sign_in(client, idp, claims, code="the-code"):
    response = client.get("/oidc/authenticate/")
    assert response.status_code == 302
    query = parse_qs(urlparse(response["Location"]).query)
    assert query["client_id"] == ["varna"] and query["response_type"] == ["code"]
    idp.nonce = query["nonce"][0]
    idp.claims = claims
    return client.get("/oidc/callback/", {"code": code, "state": query["state"][0]})


def test_single_sign_on_creates_a_user_with_only_the_mapped_roles(idp, group, unit, client):
    IdentityProviderGroupMapping.objects.create(group=group, idp_group="sg-varna-sof", role="reader", unit=unit("SOF"))
    response = _sign_in(
        client,
        idp,
        {
            "sub": "u-1",
            "email": "nora.ny@example.se",
            "given_name": "Nora",
            "family_name": "Ny",
            "groups": ["sg-varna-sof", "Domain Admins"],
        },
    )
    assert response.status_code == 302 and response["Location"] == "/"
    assert idp.token_requests[0]["client_id"] == ["varna"]
    user = get_user_model().objects.get(email="nora.ny@example.se")
    assert not user.is_staff and not user.is_superuser and not user.has_usable_password()
    assert list(RoleAssignment.objects.filter(person__user=user).values_list("role", "unit__code")) == [
        ("reader", "SOF")
    ]
    # The session is the SSO user's, and the roles apply at once.
    assert client.get(f"/organisation/enheter/{unit('SOF').pk}/").status_code == 200
    assert client.get(f"/organisation/enheter/{unit('TF').pk}/").status_code == 404


def test_an_unreachable_provider_is_a_failed_login_not_an_error(idp, group, client, settings):
    settings.OIDC_OP_TOKEN_ENDPOINT = "http://127.0.0.1:9/token"  # nothing listens on the discard port
    response = _sign_in(client, idp, {"sub": "u-1", "email": "z@example.se"})
    assert response.status_code == 302 and "sso=" in response["Location"]


def test_a_wrong_code_does_not_log_in(idp, group, client):
    response = _sign_in(client, idp, {"sub": "u-1", "email": "x@example.se"}, code="forged")
    assert response.status_code == 302 and response["Location"] == "/konto/logga-in/?sso=misslyckades"
    assert "single sign-on failed" in client.get(response["Location"]).content.decode()
    assert not get_user_model().objects.filter(email="x@example.se").exists()
    assert client.get("/organisation/").status_code == 302  # still anonymous


def test_an_id_token_for_another_login_attempt_is_refused(idp, group, client, monkeypatch):
    monkeypatch.setattr(IdentityProvider, "nonce", "not-the-session-nonce")
    response = client.get("/oidc/authenticate/")
    query = parse_qs(urlparse(response["Location"]).query)
    idp.claims = {"sub": "u-1", "email": "y@example.se"}
    # The provider answers with a token whose nonce does not match the session's.
    response = client.get("/oidc/callback/", {"code": "the-code", "state": query["state"][0]})
    assert response.status_code == 302 and "sso=" in response["Location"]
    assert not get_user_model().objects.filter(email="y@example.se").exists()
