"""The main menu as people use it: with the keyboard, with a mouse, on a phone (issue 11)."""

import pytest
from playwright.sync_api import expect

from .conftest import assert_accessible, go_to, login

pytestmark = pytest.mark.e2e


def test_a_section_opens_with_the_keyboard_and_closes_with_escape(page):
    login(page, "samordnare")
    nav = page.get_by_role("navigation", name="Huvudmeny")
    registers = nav.get_by_role("button", name="Register")
    risks = nav.get_by_role("link", name="Risker", exact=True)
    expect(registers).to_have_attribute("aria-expanded", "false")
    expect(risks).to_be_hidden()

    registers.focus()
    page.keyboard.press("Enter")
    expect(registers).to_have_attribute("aria-expanded", "true")
    expect(risks).to_be_visible()
    assert_accessible(page, "start page with a menu section open")
    page.keyboard.press("Tab")
    page.keyboard.press("Escape")
    expect(risks).to_be_hidden()
    expect(registers).to_be_focused()

    # Opening another section closes the first; a click elsewhere closes it too.
    registers.click()
    nav.get_by_role("button", name="Organisation").click()
    expect(risks).to_be_hidden()
    expect(nav.get_by_role("link", name="Personer")).to_be_visible()
    page.get_by_role("heading", level=1).click()
    expect(nav.get_by_role("link", name="Personer")).to_be_hidden()


def test_the_current_page_is_shown_in_its_section(page):
    login(page, "samordnare")
    go_to(page, "Register", "Åtgärder")
    expect(page.get_by_role("heading", level=1)).to_have_text("Åtgärder")
    nav = page.get_by_role("navigation", name="Huvudmeny")
    nav.get_by_role("button", name="Register").click()
    expect(nav.get_by_role("link", name="Åtgärder")).to_have_attribute("aria-current", "page")


def test_on_a_phone_one_button_opens_the_whole_menu(phone):
    login(phone, "samordnare")
    nav = phone.get_by_role("navigation", name="Huvudmeny")
    toggle = nav.get_by_role("button", name="Meny")
    expect(nav.get_by_role("link", name="Styrdokument")).to_be_hidden()
    height = phone.evaluate("document.querySelector('.site-header').getBoundingClientRect().height")
    assert height < 200, f"the header takes {height} px of the phone's screen"
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    for link in ("Kommunkoncernen", "Styrdokument", "Händelser", "Policy och skyldigheter", "Mina uppgifter"):
        expect(nav.get_by_role("link", name=link, exact=True)).to_be_visible()
    assert_accessible(phone, "phone menu open")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    go_to(phone, "Register", "Händelser")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Händelser")


def test_an_employee_without_a_role_is_offered_what_they_can_do(page):
    login(page, "medarbetare")
    expect(page.get_by_role("heading", name="Det här kan du göra")).to_be_visible()
    page.get_by_role("main").get_by_role("link", name="Rapportera en händelse").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rapportera")
    nav = page.get_by_role("navigation", name="Huvudmeny")
    expect(nav.get_by_role("button", name="Register")).to_have_count(0)
