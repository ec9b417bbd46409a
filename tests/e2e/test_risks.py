"""Assessing a risk in the browser and following it to a measure, back to a re-assessment."""

import pytest
from playwright.sync_api import expect

from .conftest import assert_accessible, go_to, login

pytestmark = pytest.mark.e2e


def test_assess_a_risk_treat_it_with_a_measure_and_reassess(page):
    login(page, "forvaltningssamordnare")
    go_to(page, "Register", "Risker")
    page.get_by_role("link", name="Ny risk").click()
    page.get_by_label("Titel").fill("Isbildning på taket till Sveg simhall")
    page.get_by_label("Kategori").fill("Fastighet")
    page.get_by_label("Ansvarig enhet").select_option(label="Fastighet")
    page.get_by_label("Riskägare").select_option(label="Jonas Berglund")
    page.get_by_role("button", name="Spara").click()

    # Straight to the assessment; a future date is refused and nothing is stored.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bedöm: Isbildning")
    page.get_by_label("Sannolikhet").select_option("4")
    page.get_by_label("Liv och hälsa").select_option("4")
    page.get_by_label("Ekonomiska och materiella värden").select_option("2")
    page.get_by_label("Bedömd den").fill("2999-01-01")
    page.get_by_role("button", name="Spara bedömningen").click()
    expect(page.get_by_text("En bedömning kan inte dateras i framtiden.")).to_be_visible()
    assert_accessible(page, "assessment form with an error")
    page.get_by_label("Bedömd den").fill("2026-01-15")
    page.get_by_label("Motivering").fill("Istappar över entrén varje vinter.")
    page.get_by_role("button", name="Spara bedömningen").click()

    # Life and health 4 flags the risk whatever its zone (AL-1).
    expect(page.get_by_text("Hög konsekvens för liv och hälsa.")).to_be_visible()
    expect(page.locator(".zone").first).to_have_text("Åtgärder krävs")
    assert_accessible(page, "assessed risk")

    page.get_by_role("link", name="Ny åtgärd").click()
    page.get_by_label("Titel").fill("Snörasskydd över entrén")
    page.get_by_label("Ägare", exact=True).select_option(label="Anders Hedlund")
    page.get_by_label("Förfallodatum").fill("2027-01-31")
    page.get_by_label("Påverkan på öppenheten").select_option(label="Påverkar inte tillgång och öppenhet")
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Snörasskydd över entrén")
    page.get_by_role("link", name="Isbildning på taket till Sveg simhall").click()
    expect(page.get_by_role("link", name="Snörasskydd över entrén")).to_be_visible()

    # The measure is done: the coordinator is asked to re-assess, and the new assessment joins the trend.
    page.get_by_role("link", name="Snörasskydd över entrén").click()
    page.get_by_role("button", name="Markera som genomförd").click()
    expect(page.get_by_text("Åtgärden är genomförd.")).to_be_visible()
    go_to(page, "Mitt arbete", "Mina uppgifter")
    page.get_by_role("link", name="Bedöm risken igen: Isbildning på taket till Sveg simhall").click()
    page.get_by_role("link", name="Bedöm", exact=True).click()
    page.get_by_label("Sannolikhet").select_option("2")
    page.get_by_label("Liv och hälsa").select_option("2")
    page.get_by_role("button", name="Spara bedömningen").click()
    expect(page.locator(".zone").first).to_have_text("Acceptabel")
    expect(page.get_by_role("table", name="Bedömningar, nyaste först").locator("tbody tr")).to_have_count(2)


def test_the_matrix_links_each_count_to_its_risks(page):
    login(page, "samordnare")
    page.goto("/risker/matris/")
    assert_accessible(page, "risk matrix")
    page.get_by_role("link", name="2 risker med sannolikhet 3 och konsekvens 5 (Åtgärder krävs)").click()
    expect(page.locator("tbody tr")).to_have_count(2)
    expect(page.get_by_role("link", name="Brand i särskilt boende nattetid")).to_be_visible()


def test_import_a_risk_register_with_a_dry_run_first(page, tmp_path):
    from varna.risks.models import Analysis, Risk

    analysis = Analysis.objects.get(kind="rva")
    login(page, "samordnare")
    page.goto("/risker/")
    page.locator("a[href='/risker/import/']").click()
    page.locator("#id_analysis").select_option(str(analysis.pk))
    path = tmp_path / "risker.csv"
    path.write_text(
        "titel;typ;enhetskod;sannolikhet;konsekvens liv och hälsa;konsekvens miljö\n"
        "Skred vid Ljusnans strand;Olycksrisk;TF;3;4;2\n"
        "Stöld av dieselreserven;Antagonistiskt hot;TF-FA;2;;3\n",
        encoding="utf-8",
    )
    page.locator("input[type=file]").set_input_files(str(path))
    page.locator("button[name=action][value=preview]").click()
    expect(page.locator("#dry-run-heading")).to_be_visible()
    expect(page.locator("td.errors")).to_have_count(0)
    expect(page.get_by_role("cell", name="Skred vid Ljusnans strand")).to_be_visible()
    assert_accessible(page, "risk import dry run")
    assert not Risk.objects.filter(title="Skred vid Ljusnans strand").exists()

    page.locator("button[name=action][value=apply]").click()
    page.wait_for_url(f"**/risker/?analys={analysis.pk}")
    expect(page.get_by_role("link", name="Skred vid Ljusnans strand")).to_be_visible()
    expect(page.get_by_role("link", name="Stöld av dieselreserven")).to_be_visible()
    page.get_by_role("link", name="Skred vid Ljusnans strand").click()
    expect(page.locator(".zone").first).to_have_text("Åtgärder krävs")  # 3 × 4: red in Härjedalen's grid
    assert Risk.objects.get(title="Stöld av dieselreserven").kind == "threat"
