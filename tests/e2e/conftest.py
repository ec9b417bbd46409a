"""Browser tests: Playwright for Python driving Debian's Chromium against a live test server."""

import os
import shutil

import pytest

# Playwright's sync API runs an event loop; Django's guard against ORM use from async code
# would trip on the test's own setup, which is synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "e2e-lösenord-123"


def chromium_path() -> str | None:
    return os.environ.get("VARNA_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        message = "Chromium is not installed (apt-get install -y chromium)"
        if os.environ.get("VARNA_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=path,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def e2e_demo(transactional_db):
    """The Härjedalen demo, with a known password for every demo login."""
    from django.contrib.auth import get_user_model

    from varna.organisation.demo import load_demo
    from varna.organisation.profiles import load_profile

    group, _ = load_demo(load_profile("harjedalen"))
    for user in get_user_model().objects.all():
        user.set_password(PASSWORD)
        user.save()
    return group


@pytest.fixture
def page(browser, live_server, e2e_demo):
    context = browser.new_context(base_url=live_server.url, locale="sv-SE", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def phone(browser, live_server, e2e_demo):
    context = browser.new_context(
        base_url=live_server.url, locale="sv-SE", viewport={"width": 390, "height": 844}, is_mobile=True
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def login(page, username: str) -> None:
    page.goto("/konto/logga-in/")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url("**/")


def go_to(page, section: str, link: str) -> None:
    """Follow a link of the main menu as a person does: open the menu (on a phone) and the
    section, then click the link."""
    nav = page.get_by_role("navigation", name="Huvudmeny")
    toggle = nav.get_by_role("button", name="Meny")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
    button = nav.get_by_role("button", name=section)
    if button.is_visible() and button.get_attribute("aria-expanded") != "true":
        button.click()
    nav.get_by_role("link", name=link, exact=True).click()


def assert_accessible(page, what: str = "") -> None:
    """axe-core finds no WCAG 2.1 A/AA violation on the page."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page,
        options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}},
    )
    assert results.violations_count == 0, f"{what or page.url}:\n{results.generate_report()}"
