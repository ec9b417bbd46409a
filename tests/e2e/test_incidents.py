"""Reporting an incident on a phone, the coordinator taking it up, and importing historical incidents."""

import pytest
from playwright.sync_api import expect

from varna.incidents.models import Incident, Photo

from ..incidents.conftest import jpeg_with_gps
from .conftest import assert_accessible, login

pytestmark = pytest.mark.e2e


def test_an_employee_reports_from_a_phone_and_the_coordinator_investigates(phone, browser, live_server, e2e_demo):
    page = phone
    login(page, "medarbetare")
    page.get_by_role("link", name="Rapportera en händelse").first.click()
    page.wait_for_url("**/handelser/rapportera/")
    assert_accessible(page, "report form on a phone")
    # The form fits the phone: nothing scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_label("Kategori").select_option(label="Klotter")
    page.get_by_label("Var").fill("Gavel mot skolgården")
    page.get_by_label("Vad hände").fill("Stort klotter på gaveln i natt.")
    page.get_by_label("Foton").set_input_files(
        files=[{"name": "IMG_0042.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps()}]
    )
    page.get_by_role("button", name="Skicka rapporten").click()
    page.wait_for_url("**/handelser/*/")
    assert page.get_by_text("Tack. Händelsen är rapporterad").is_visible()
    incident = Incident.objects.get(place="Gavel mot skolgården")
    assert incident.category == "graffiti" and Photo.objects.filter(incident=incident).count() == 1
    assert page.locator("ul.photos img").count() == 1

    context = browser.new_context(base_url=live_server.url, locale="sv-SE")
    desk = context.new_page()
    login(desk, "forvaltningssamordnare")
    desk.goto("/notiser/")
    desk.get_by_text("Ny händelse").first.click()
    desk.wait_for_url(f"**/handelser/{incident.pk}/")
    desk.get_by_text("Lägg till en kostnad").click()
    desk.get_by_label("Typ av kostnad").select_option("clean_up")
    desk.get_by_label("Beräknat (kr)").fill("4500")
    desk.get_by_role("button", name="Lägg till kostnaden").click()
    desk.wait_for_url(f"**/handelser/{incident.pk}/*")
    incident.refresh_from_db()
    assert incident.cost == 4500
    desk.get_by_role("link", name="Utred och uppdatera").click()
    desk.get_by_label("Status").select_option("investigating")
    desk.get_by_label("Polisanmälans nummer").fill("5000-K1-26")
    desk.get_by_role("button", name="Spara").click()
    desk.wait_for_url(f"**/handelser/{incident.pk}/")
    incident.refresh_from_db()
    assert incident.status == "investigating" and incident.police_report_number == "5000-K1-26"
    assert_accessible(desk, "incident under investigation")
    context.close()


def test_import_historical_incidents_with_a_dry_run_first(page, tmp_path, settings):
    settings.DATA_DIR = tmp_path
    login(page, "samordnare")
    page.goto("/handelser/")
    page.locator("a[href='/handelser/import/']").click()
    page.wait_for_url("**/handelser/import/")
    path = tmp_path / "handelser.csv"
    path.write_bytes(
        "datum;kategori;enhetskod;plats;beskrivning;kostnad\r\n"
        "2024-03-05 14:30;Klotter;TF-FA;Gaveln mot Ljusnan;Klotter vid Ljusnan på gaveln.;12 345,50\r\n"
        "5/3/2024;Anlagd brand;TF;Soprummet vid Ljusnan;Brand i soprummet vid Ljusnan.;48 000 kr\r\n"
        "20230611;Stöld;TF;Förrådet vid Ljusnan;Stöld ur förrådet vid Ljusnan.;0\r\n".encode("cp1252")
    )
    page.locator("input[type=file]").set_input_files(str(path))
    page.locator("button[name=action][value=preview]").click()
    expect(page.locator("#dry-run-heading")).to_be_visible()
    expect(page.locator("#count-added")).to_have_text("3")
    expect(page.locator("td.errors")).to_have_count(0)
    assert_accessible(page, "incident import dry run")
    assert not Incident.objects.filter(description__contains="Ljusnan").exists()

    page.locator("button[name=action][value=apply]").click()
    page.wait_for_url("**/handelser/")
    assert Incident.objects.filter(description__contains="Ljusnan").count() == 3
    fire = Incident.objects.get(description="Brand i soprummet vid Ljusnan.")
    assert fire.category == "fire" and fire.fire_deliberate and fire.cost == 48000 and fire.status == "closed"
    page.goto("/handelser/?q=Ljusnan")
    expect(page.locator(f"a[href='/handelser/{fire.pk}/']")).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(3)


def test_a_large_import_runs_in_the_background_with_its_progress(page, tmp_path, settings, monkeypatch, e2e_demo):
    from django.contrib.auth import get_user_model

    from varna.incidents import import_jobs

    settings.DATA_DIR = tmp_path
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    monkeypatch.setattr(import_jobs, "BACKGROUND_BYTES", 100)
    monkeypatch.setattr(import_jobs, "BACKGROUND_ROWS", 2)
    monkeypatch.setattr(import_jobs, "WRITE_EVERY", 0)
    login(page, "samordnare")

    # A run in progress: the page shows how far it has come and updates itself until it ends.
    token = "d" * 32
    (tmp_path / "imports" / "incidents").mkdir(parents=True)
    user = get_user_model().objects.get(username="samordnare")
    reporter = import_jobs.Reporter(token, {"job": "import", "user": user.pk, "group": e2e_demo.pk})
    reporter("writing", 3000, 12000)
    page.goto(f"/handelser/import/{token}/")
    expect(page.locator("#import-progress-bar")).to_have_attribute("value", "3000")
    assert_accessible(page, "incident import in progress")
    reporter("writing", 9000, 12000)
    expect(page.locator("#import-progress-bar")).to_have_attribute("value", "9000")
    reporter.finish("done", added=12000)
    expect(page.locator("#import-progress")).to_have_attribute("data-state", "done")
    expect(page.locator("#import-progress a[href='/handelser/']")).to_be_visible()

    # A file checked and imported in the background (here at once, by the immediate backend).
    path = tmp_path / "handelser.csv"

    def check_in_background(rows: str) -> None:
        path.write_text("datum;kategori;enhetskod;beskrivning\n" + rows, encoding="utf-8")
        page.goto("/handelser/import/")
        page.locator("input[type=file]").set_input_files(str(path))
        page.locator("button[name=action][value=preview]").click()
        page.wait_for_url("**/handelser/import/*/")

    check_in_background(
        "2024-01-10;Vattenskada;TF;Vattenläcka i Funäsdalens sporthall.\n"
        "2024-01-11;Tillbud;TF;Halka vid entrén i Funäsdalen.\n"
        "2024-01-12;Inbrott;TF;Inbrott i förrådet i Funäsdalen.\n"
    )
    expect(page.locator("#count-added")).to_have_text("3")
    assert_accessible(page, "incident import checked in the background")
    page.locator("button[name=action][value=apply]").click()
    expect(page.locator("#import-progress")).to_have_attribute("data-state", "done")
    assert_accessible(page, "incident import done")
    assert Incident.objects.filter(description__contains="Funäsdalen").count() == 3

    # Refused in the background: the file's own words are given a meaning on the progress page,
    # which also offers the refused rows, and the file is checked again.
    check_in_background(
        "2024-02-10;Fordonsskada;TF;Krossad ruta på bilen i Funäsdalen.\n"
        "2024-02-11;Fordonsskada;TF;Repad lack på bilen i Funäsdalen.\n"
    )
    expect(page.locator("#count-refused")).to_have_text("2")
    expect(page.locator("button[name=action][value=refused]")).to_be_visible()
    assert_accessible(page, "incident import refused in the background")
    page.get_by_label("Fordonsskada").select_option("vandalism")
    page.locator("button[name=action][value=values]").click()
    expect(page.locator("#count-added")).to_have_text("2")
