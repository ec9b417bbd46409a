"""The calendar subscription, the public extract and the register import in the browser:
accessible, and the dry run before the import."""

import pytest
from playwright.sync_api import expect

from varna.documents.models import Document

from .conftest import assert_accessible, login

pytestmark = pytest.mark.e2e


def test_the_public_extract_is_accessible_without_login(page):
    page.goto("/styrdokument/publikt/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Härjedalens kommun")
    assert_accessible(page, "public extract")
    page.get_by_role("link", name="Riktlinjer för säkerhetsarbetet").click()
    expect(page.get_by_role("heading", level=1).first).to_contain_text("Riktlinjer för säkerhetsarbetet")
    assert_accessible(page, "public document")
    internal = Document.objects.get(title="Instruktion för nyckelhantering")
    assert page.goto(f"/styrdokument/publikt/{internal.pk}/").status == 404


def test_a_calendar_address_is_made_and_shown_once(page):
    login(page, "forvaltningssamordnare")
    page.goto("/styrdokument/granskningskalender/")
    page.locator("a[href='/styrdokument/kalender/']").click()
    assert_accessible(page, "calendar subscription")
    page.locator("button[name=action][value=create]").click()
    address = page.locator("#feed-url").input_value()
    assert address.endswith(".ics")
    assert_accessible(page, "calendar subscription with address")
    response = page.request.get(address)
    assert response.status == 200 and "BEGIN:VCALENDAR" in response.text()


def test_the_register_import_shows_a_dry_run_first(page, tmp_path):
    login(page, "samordnare")
    page.goto("/styrdokument/")
    page.locator("a[href='/styrdokument/import/']").click()
    assert_accessible(page, "register import")
    path = tmp_path / "register.csv"
    path.write_text(
        "typ;titel;enhetskod;beslutsdatum;beslutad av\n"
        "Riktlinje;Riktlinjer för informationssäkerhet;HK;2021-03-15;Kommunstyrelsen\n"
        "Riktlinje;Riktlinjer för skalskydd;HK;2021-03-15;Tekniska nämnden\n",
        encoding="utf-8",
    )
    page.locator("input[type=file]").set_input_files(str(path))
    page.locator("button[name=action][value=preview]").click()
    expect(page.locator("td.errors")).to_contain_text("Tekniska nämnden")
    expect(page.locator("button[name=action][value=apply]")).to_be_disabled()
    assert_accessible(page, "register import dry run with a refused row")
    assert not Document.objects.filter(title="Riktlinjer för informationssäkerhet").exists()
