"""Error pages are Swedish (and English), in the layout, with a way back (issue 10)."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

pytestmark = [pytest.mark.urls("tests.core.error_urls"), pytest.mark.no_english]

PAGES = [
    ("/finns-inte/", 404, "Sidan finns inte"),
    ("/test/nekad/", 403, "Inte tillåtet"),
    ("/test/misstankt/", 400, "Begäran kunde inte hanteras"),
    ("/test/fel/", 500, "Något gick fel"),
]


@pytest.mark.parametrize(("path", "status", "heading"), PAGES)
def test_error_pages_are_swedish_with_a_way_back(demo, path, status, heading):
    client = Client(raise_request_exception=False)
    client.force_login(get_user_model().objects.get(username="chef"))
    response = client.get(path)
    assert response.status_code == status
    page = response.content.decode()
    assert f"<h1>{heading}</h1>" in page and 'lang="sv"' in page
    assert "Gå till startsidan" in page and 'href="/"' in page


@pytest.mark.parametrize(("path", "status", "heading"), PAGES)
def test_error_pages_in_english(db, path, status, heading):
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")
    response = client.get(path)
    assert response.status_code == status
    assert "Go to the start page" in response.content.decode()


def test_a_failed_csrf_check_explains_itself(demo):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/konto/logga-in/", {"username": "chef", "password": "x"})
    assert response.status_code == 403
    assert "Formuläret hade gått ut" in response.content.decode()
