"""Another system's export imported as it is: the columns mapped once in the browser, on a
desk and on a phone, and the next file read without asking."""

import pytest
from playwright.sync_api import expect

from varna.incidents.models import Incident

from .conftest import assert_accessible, login

pytestmark = pytest.mark.e2e

EXPORT = (
    "Ärende-ID;Tidpunkt;Typ av händelse;Ansvar;Vad hände;Handläggare\r\n"
    "A-1;2024-03-05 14:30;Klotter;TF-FA;Klotter på gaveln vid Orsa.;Kim\r\n"
    "A-2;2024-04-01;Stöld;TF;Stöld ur förrådet vid Orsa.;Kim\r\n"
)


def test_an_export_with_its_own_column_names_is_mapped_once_on_a_desk(page, tmp_path, settings):
    settings.DATA_DIR = tmp_path
    _map_and_import(page, "desk", tmp_path)


def test_an_export_with_its_own_column_names_is_mapped_once_on_a_phone(phone, tmp_path, settings):
    settings.DATA_DIR = tmp_path
    _map_and_import(phone, "phone", tmp_path)


def _map_and_import(browser_page, device, tmp_path):
    login(browser_page, "samordnare")
    browser_page.goto("/handelser/import/")
    path = tmp_path / "export.csv"
    path.write_text(EXPORT, encoding="utf-8")
    browser_page.locator("input[type=file]").set_input_files(str(path))
    browser_page.locator("button[name=action][value=preview]").click()

    expect(browser_page.locator("#mapping-heading")).to_contain_text("Vad innehåller kolumnerna?")
    expect(browser_page.get_by_text("Klotter på gaveln vid Orsa.", exact=False)).to_be_visible()
    # Suggested from the names: "Typ av händelse" is not known, but "Vad hände" is not either;
    # the user picks what the suggestions did not.
    browser_page.get_by_label("Tidpunkt").select_option(label="Datum")
    browser_page.get_by_label("Typ av händelse").select_option(label="Kategori")
    browser_page.get_by_label("Ansvar").select_option(label="Enhetskod")
    browser_page.get_by_label("Vad hände").select_option(label="Beskrivning")
    browser_page.get_by_label("Handläggare").select_option(label="– Importeras inte –")
    assert_accessible(browser_page, f"column mapping ({device})")
    browser_page.screenshot(path=str(tmp_path / f"mapping-{device}.png"), full_page=True)
    browser_page.locator("button[name=action][value=map]").click()

    expect(browser_page.locator("#dry-run-heading")).to_be_visible()
    expect(browser_page.locator("#count-added")).to_have_text("2")
    expect(browser_page.get_by_text("Lästa enligt kommunens sparade val")).to_be_visible()
    assert_accessible(browser_page, f"dry run after mapping ({device})")
    browser_page.locator("button[name=action][value=apply]").click()
    browser_page.wait_for_url("**/handelser/")
    assert Incident.objects.filter(description__contains="Orsa").count() == 2

    # Next month's export: straight to the dry run.
    path.write_text(EXPORT.replace("Orsa", "Mora").replace("2024", "2025"), encoding="utf-8")
    browser_page.goto("/handelser/import/")
    browser_page.locator("input[type=file]").set_input_files(str(path))
    browser_page.locator("button[name=action][value=preview]").click()
    expect(browser_page.locator("#count-added")).to_have_text("2")
    expect(browser_page.locator("#mapping-heading")).to_have_count(0)
