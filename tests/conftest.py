import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import translation

from varna.organisation.demo import load_demo
from varna.organisation.profiles import load_profile


@pytest.fixture
def demo(db):
    """The Härjedalen demo municipality: (group, {login: password})."""
    return load_demo(load_profile("harjedalen"))


@pytest.fixture
def group(demo):
    return demo[0]


@pytest.fixture
def user_for(demo):
    def get(login: str):
        return get_user_model().objects.get(username=login)

    return get


@pytest.fixture
def client_for(user_for):
    """A logged-in test client for a demo login (samordnare, chef, forvaltningssamordnare, lasare, ...)."""

    def make(login: str) -> Client:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(user_for(login))
        return client

    return make


@pytest.fixture
def unit(group):
    """Look up a demo unit by its code."""
    from varna.organisation.models import OrgUnit

    def get(code: str):
        return OrgUnit.objects.get(group=group, code=code)

    return get


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Argon2 is deliberately slow; tests that are not about hashing use a fast hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def english(request):
    """Tests assert the English source texts (the msgids). The interface is Swedish by default;
    that is tested in tests/core/test_language.py and by the browser tests."""
    if "no_english" in request.keywords:
        yield
        return
    with translation.override("en"):
        yield


@pytest.fixture
def client():
    """The anonymous test client, asking for English like `client_for`."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")
