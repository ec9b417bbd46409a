import re

import pytest
from playwright.sync_api import expect

from .conftest import PASSWORD, assert_accessible, go_to, login

pytestmark = pytest.mark.e2e


def test_log_in_see_the_start_page_and_switch_to_english(page):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/konto/logga-in/"))
    assert_accessible(page, "login")
    page.get_by_label("Användarnamn").fill("samordnare")
    page.get_by_label("Lösenord").fill("fel lösenord")
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page, "login with error")

    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Säkerhetsarbetet i Härjedalens kommun")
    expect(page.get_by_role("heading", name="Mina uppgifter")).to_be_visible()
    expect(page.get_by_role("heading", name="Policyns områden")).to_be_visible()

    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Security work in Härjedalens kommun")
    page.get_by_role("button", name="Svenska").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Säkerhetsarbetet i Härjedalens kommun")


def test_browse_the_municipal_group_to_a_unit_and_its_responsible_people(page):
    login(page, "samordnare")
    go_to(page, "Organisation", "Kommunkoncernen")
    expect(page.get_by_role("heading", name="Politiska organ")).to_be_visible()
    expect(page.get_by_role("link", name="Tekniska nämnden")).to_be_visible()
    page.get_by_role("link", name="Socialförvaltningen", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Socialförvaltningen")
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("Socialnämnden")
    expect(facts).to_contain_text("Eva Lindgren")
    expect(facts).to_contain_text("chefen, eftersom ingen samordnare är utsedd")
    page.get_by_role("link", name="Äldreomsorg").click()
    expect(page.get_by_role("navigation", name="Brödsmulor")).to_contain_text("Socialförvaltningen")


def test_add_a_role_assignment_and_see_it_on_the_unit(page):
    login(page, "forvaltningssamordnare")
    page.goto("/organisation/")
    page.get_by_role("link", name="Gata och park").click()
    page.get_by_role("link", name="Lägg till rolltilldelning").click()
    assert_accessible(page, "role form")
    page.get_by_label("Person").select_option(label="Oskar Wallin")
    page.get_by_label("Roll").select_option(label="Nyckeladministratör")
    page.get_by_label("Giltig till").fill("2026-01-01")  # before the start date: refused
    page.get_by_role("button", name="Spara").click()
    expect(page.locator(".errors").first).to_be_visible()
    assert_accessible(page, "role form with errors")
    page.get_by_label("Giltig till").fill("")
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_role("status")).to_contain_text("Oskar Wallin")
    expect(page.get_by_role("table").first).to_contain_text("Nyckeladministratör")


def test_a_reader_sees_only_their_own_units(page):
    login(page, "lasare")
    page.goto("/organisation/")
    expect(page.get_by_role("link", name="Socialförvaltningen", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Tekniska förvaltningen")).to_have_count(0)
    response = page.goto("/organisation/enheter/1/")
    assert response.status == 404


def test_the_pages_work_on_a_phone(phone):
    login(phone, "samordnare")
    phone.goto("/organisation/")
    expect(phone.get_by_role("heading", level=1)).to_be_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1, "the page scrolls sideways on a phone"
