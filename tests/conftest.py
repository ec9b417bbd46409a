import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client, override_settings
from django.utils import translation

from varna.organisation.demo import load_demo
from varna.organisation.models import MunicipalGroup
from varna.organisation.profiles import load_profile

# Loading the demo takes about a second, and most tests start from it. So the tests of a module
# share one load: it is made in an outer transaction when the module's first test that needs it
# starts, each test runs in a savepoint inside it (as with the `db` fixture), and the outer
# transaction is rolled back after the module's last test that needs it. Tests that commit
# (transactional_db, the browser tests) load their own demo.


class _SharedDemo:
    atomic = None
    blocker = None
    group_pk = None
    passwords = None
    current_item = None

    def open(self, blocker):
        # Set up before the function-scoped fixtures, so `fast_password_hashing` is not yet in force.
        with blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
            self.atomic = transaction.atomic()
            self.atomic.__enter__()
            group, self.passwords = load_demo(load_profile("harjedalen"))
        self.blocker, self.group_pk = blocker, group.pk

    def close(self):
        if self.atomic is None:
            return
        with self.blocker.unblock():
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)
        self.atomic = self.group_pk = self.passwords = None


_shared = _SharedDemo()
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _commits(item) -> bool:
    """Whether the test runs outside a rolled-back transaction."""
    marker = item.get_closest_marker("django_db")
    if marker is not None and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        return True
    return bool({"transactional_db", "live_server"} & set(item.fixturenames))


def _shares_demo(item) -> bool:
    return "_module_demo" in getattr(item, "fixturenames", ()) and not _commits(item)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Within each module's run of tests (pytest-django has already put the tests that commit
    after the others), the tests that share the demo go last, so a test that starts from an
    empty database never sees the shared demo."""
    start = 0
    while start < len(items):
        end = start
        while end < len(items) and items[end].module is items[start].module:
            end += 1
        run = items[start:end]
        items[start:end] = [i for i in run if not _shares_demo(i)] + [i for i in run if _shares_demo(i)]
        start = end


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    _shared.current_item = item


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    try:
        return (yield)
    finally:
        if nextitem is None or nextitem.module is not item.module or not _shares_demo(nextitem):
            _shared.close()


@pytest.fixture(scope="module")
def _module_demo(django_db_setup, django_db_blocker):
    # Module-scoped, so it is set up before the test's own transaction (`db`) is opened.
    if _shared.atomic is None and _shares_demo(_shared.current_item):
        _shared.open(django_db_blocker)
    yield
    _shared.close()


@pytest.fixture
def demo(_module_demo, db):
    """The Härjedalen demo municipality: (group, {login: password}). `db` is asked for by name,
    so pytest-django knows the test needs a database (a test that commits gets its own kind of
    `db` from its marker or fixtures)."""
    if _shared.atomic is None:
        return load_demo(load_profile("harjedalen"))
    return MunicipalGroup.objects.get(pk=_shared.group_pk), dict(_shared.passwords)


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
    settings.PASSWORD_HASHERS = FAST_HASHERS


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
