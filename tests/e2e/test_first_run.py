"""A municipality starts in the browser (issue 12): the first-run page on an empty database."""

import pytest

from tests.e2e.conftest import assert_accessible
from varna.organisation.models import MunicipalGroup, RoleAssignment

pytestmark = pytest.mark.e2e


@pytest.fixture
def empty(browser, live_server, transactional_db, settings, tmp_path):
    from varna.organisation.first_run import setup_key

    settings.DATA_DIR = tmp_path
    key = setup_key()
    pages = []

    def open_page(width, height):
        context = browser.new_context(
            base_url=live_server.url, locale="sv-SE", viewport={"width": width, "height": height}
        )
        page = context.new_page()
        page.set_default_timeout(10_000)
        pages.append(context)
        return page

    yield key, open_page
    for context in pages:
        context.close()


def test_set_up_a_municipality_in_the_browser_and_start_working(empty):
    key, open_page = empty
    page = open_page(1366, 900)
    # Without the key the page says how to begin, and so does the login page.
    page.goto("/organisation/kom-igang/")
    assert "varna setup" in page.locator("main").inner_text()
    assert_accessible(page, "first run without a key")
    page.goto("/konto/logga-in/")
    assert "Värna har ingen kommun ännu" in page.locator("main").inner_text()

    page.goto(f"/organisation/kom-igang/?nyckel={key}")
    assert_accessible(page, "first run")
    page.get_by_label("Policyprofil").select_option(label="Ale kommun")
    page.get_by_label("Förnamn").fill("Maja")
    page.get_by_label("Efternamn").fill("Ek")
    page.get_by_label("Användarnamn").fill("maja")
    page.locator("#id_password1").fill("ett långt lösenord 42")
    page.locator("#id_password2").fill("ett annat lösenord 42")
    page.get_by_role("button", name="Sätt upp", exact=True).click()
    # The error is at its field, and what was typed is still there.
    assert "De två lösenorden skiljer sig åt." in page.locator("main").inner_text()
    assert page.get_by_label("Förnamn").input_value() == "Maja"
    assert_accessible(page, "first run with errors")
    page.locator("#id_password1").fill("ett långt lösenord 42")
    page.locator("#id_password2").fill("ett långt lösenord 42")
    page.get_by_role("button", name="Sätt upp", exact=True).click()
    page.wait_for_url("**/")
    assert "Ale kommun är uppsatt" in page.locator("main").inner_text()
    # The first week's checklist, nothing done yet, each step a link to where it is done.
    steps = page.get_by_role("region", name="Första veckan")
    assert steps.get_by_role("listitem").count() == 5
    assert "Importera enheter och personer" in steps.inner_text()
    assert_accessible(page, "start page with the first week")
    group = MunicipalGroup.objects.get()
    assert RoleAssignment.objects.get(person__group=group).person.first_name == "Maja"
    # The coordinator is logged in and can go on: the municipal group's page shows the top unit.
    page.goto("/organisation/")
    assert "Ale kommun" in page.locator("main").inner_text()
    page.goto(f"/organisation/kom-igang/?nyckel={key}")
    assert "404" in page.title() or page.locator("h1").inner_text() != "Sätt upp Värna"


def test_the_first_run_page_on_a_phone(empty):
    key, open_page = empty
    page = open_page(390, 844)
    page.goto(f"/organisation/kom-igang/?nyckel={key}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page, "first run on a phone")
