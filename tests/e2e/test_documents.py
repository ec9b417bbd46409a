"""A governing document's life in the browser, and the review calendar."""

import pytest
from playwright.sync_api import expect

from .conftest import assert_accessible, go_to, login

pytestmark = pytest.mark.e2e


def test_write_consult_decide_and_see_an_instruction_in_force(page):
    login(page, "samordnare")
    go_to(page, "Register", "Styrdokument")
    assert_accessible(page, "register")
    page.get_by_role("link", name="Nytt dokument").click()
    page.get_by_label("Titel").fill("Instruktion för besöksrutiner")
    page.get_by_label("Typ").select_option(label="Instruktion")
    page.get_by_label("Ägarenhet").select_option(label="Fastighet")
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Instruktion för besöksrutiner")
    expect(page.get_by_text("Utkast", exact=True)).to_be_visible()

    page.get_by_role("link", name="Skriv en ny version").click()
    page.get_by_label("Text").fill("# Besök\n\nBesökare kvitterar ut en besöksbricka i receptionen.")
    page.get_by_role("button", name="Spara").click()
    page.get_by_role("button", name="Skicka på remiss").click()
    expect(page.get_by_text("På remiss", exact=True).first).to_be_visible()

    # Instructions are decided by the head of the owner unit: the wrong person is refused.
    page.get_by_role("link", name="Registrera beslut").click()
    assert_accessible(page, "decision form")
    page.get_by_label("Beslutad av (person)").select_option(label="Karin Nordqvist")
    page.get_by_role("button", name="Registrera beslut").click()
    expect(page.locator("#id_person_error")).to_contain_text("Karin Nordqvist")
    assert_accessible(page, "decision form with error")
    page.get_by_label("Beslutad av (person)").select_option(label="Anders Hedlund")
    page.get_by_role("button", name="Registrera beslut").click()
    expect(page.get_by_text("Gällande", exact=True).first).to_be_visible()
    expect(page.locator(".document-text")).to_contain_text("besöksbricka")
    assert_accessible(page, "document in force")


def test_the_review_calendar_shows_the_overdue_instruction(page):
    login(page, "forvaltningssamordnare")
    page.goto("/styrdokument/granskningskalender/")
    overdue = page.locator("section", has=page.get_by_role("heading", name="Försenade", exact=False))
    expect(overdue).to_contain_text("Instruktion för nyckelhantering")
    assert_accessible(page, "review calendar")
    overdue.get_by_role("link", name="Instruktion för nyckelhantering").click()
    page.get_by_label("Granskad, ingen ändring").check()
    page.get_by_role("button", name="Registrera granskningen").click()
    expect(page.get_by_role("status")).to_contain_text("nästa granskning")
