"""Every list works on a phone (issue 11): at 390 px no page is wider than the screen and no table
column is squeezed to a letter or two; the lists become one card per record (table.records)."""

import pytest

from varna.documents.models import Document
from varna.facilities.models import KeySystem
from varna.incidents.models import Incident
from varna.insurance.models import InsurancePolicy, InsuranceReview
from varna.organisation.models import ExternalParty, OrgUnit, Person
from varna.risks.models import Analysis, Measure, Risk, VitalFunction

from .conftest import login

pytestmark = pytest.mark.e2e


def list_pages(group) -> list[str]:
    """Every page whose main content is a table of records: the lists, and the detail pages with
    tables of their own (costs, covers, roles, assessments, change history); and the risk matrices,
    which keep their grid and scroll sideways in their own region."""
    tf = OrgUnit.objects.get(group=group, code="TF")
    person = Person.objects.get(group=group, last_name="Berglund")
    party = ExternalParty.objects.get(group=group, name="Norrlarm Säkerhet AB")
    document = Document.objects.get(group=group, kind="policy")
    risk = Risk.objects.get(group=group, title="Långvarigt elavbrott i hela kommunen")
    measure = Measure.objects.get(group=group, title="Larmknappar och rutin för hembesök i par")
    rva = Analysis.objects.get(group=group, kind="rva")
    function = VitalFunction.objects.get(group=group, name="Vård och omsorg i särskilt boende")
    incident = Incident.objects.filter(group=group, status="closed", cost__gt=0).order_by("pk").first()
    policy = InsurancePolicy.objects.get(group=group, name="Kommunförsäkring egendom")
    review = InsuranceReview.objects.filter(group=group).order_by("-year").first()
    system = KeySystem.objects.get(site__group=group, code="SVEG-SK-1")
    return [
        "/skyldigheter/",
        "/uppgifter/",
        "/notiser/",
        "/health/",
        "/organisation/",
        f"/organisation/enheter/{tf.pk}/",
        "/organisation/personer/",
        f"/organisation/personer/{person.pk}/",
        "/organisation/externa-parter/",
        f"/organisation/externa-parter/{party.pk}/",
        "/organisation/mandatperioder/",
        "/konto/tvafaktor/enheter/",
        "/styrdokument/",
        "/styrdokument/granskningskalender/",
        "/styrdokument/kalender/",
        "/styrdokument/mina-kvittenser/",
        "/styrdokument/publikt/",
        f"/styrdokument/{document.pk}/",
        f"/styrdokument/{document.pk}/kvittenser/",
        f"/styrdokument/{document.pk}/jamfor/",
        "/risker/",
        "/risker/matris/",
        "/risker/analyser/",
        f"/risker/analyser/{rva.pk}/",
        f"/risker/analyser/{rva.pk}/rapport/",
        "/risker/atgarder/",
        f"/risker/atgarder/{measure.pk}/",
        "/risker/samhallsviktig-verksamhet/",
        "/risker/samhallsviktig-verksamhet/beroenden/",
        f"/risker/samhallsviktig-verksamhet/{function.pk}/",
        f"/risker/{risk.pk}/",
        "/handelser/",
        "/handelser/skadekostnader/",
        f"/handelser/{incident.pk}/",
        "/forsakringar/",
        "/forsakringar/riskfinansiering/",
        f"/forsakringar/{policy.pk}/",
        f"/forsakringar/oversyn/{review.pk}/",
        "/anlaggningar/",
        "/anlaggningar/nycklar/",
        "/anlaggningar/nycklar/att-aterlamna/",
        f"/anlaggningar/nyckelsystem/{system.pk}/",
    ]


# A cell is squeezed when its content box is narrower than about four characters (2 em) while it
# holds a word of three letters or more. Text hidden for screen readers only is left out, and so
# are cells with no box (the header row of a card list is hidden visually).
MEASURE = """() => {
  const squeezed = [];
  for (const cell of document.querySelectorAll("main td, main th")) {
    const box = cell.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1) continue;
    const style = getComputedStyle(cell);
    const width = box.width - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const visible = cell.cloneNode(true);
    visible.querySelectorAll(".visually-hidden").forEach((e) => e.remove());
    if (/\\p{L}{3,}/u.test(visible.textContent) && width < 2 * parseFloat(style.fontSize)) {
      squeezed.push(`${Math.round(width)} px: ${visible.textContent.trim().slice(0, 40)}`);
    }
  }
  return {
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    squeezed: squeezed.slice(0, 5),
  };
}"""


def test_every_list_fits_a_phone_without_squeezed_columns(phone, e2e_demo):
    login(phone, "samordnare")
    width = phone.viewport_size["width"]
    problems = []
    for url in list_pages(e2e_demo):
        response = phone.goto(url)
        assert response.status == 200, url
        found = phone.evaluate(MEASURE)
        # A mobile browser widens its layout viewport to fit content that is too wide (and zooms
        # out), so window.innerWidth alone would hide an overflow: compare with the screen too.
        if max(found["scrollWidth"], found["innerWidth"]) > width + 1:
            problems.append(f"{url}: {found['scrollWidth']} px wide on a {width} px screen")
        if found["squeezed"]:
            problems.append(f"{url}: squeezed cells {found['squeezed']}")
    assert not problems, "\n".join(problems)


def test_a_list_is_a_table_on_a_wide_screen_and_cards_on_a_phone(page, phone, e2e_demo):
    for browser_page in (page, phone):
        login(browser_page, "samordnare")
        browser_page.goto("/handelser/")
    table = "table.records"
    assert page.eval_on_selector(table, "t => getComputedStyle(t).display") == "table"
    assert phone.eval_on_selector(table, "t => getComputedStyle(t).display") == "block"
    # On the phone each value is labelled by its column: the cost is named and not broken up.
    cost = phone.locator(f"{table} tbody td.num").first
    assert cost.get_attribute("data-label") == "Skadekostnad (kr)"
    assert phone.evaluate("c => getComputedStyle(c, '::before').content", cost.element_handle()).startswith('"Skade')
    assert cost.evaluate("c => getComputedStyle(c).whiteSpace") == "nowrap"
    # ... and the table is still a table with its column headers for a screen reader.
    snapshot = phone.locator(table).aria_snapshot()
    assert "- table" in snapshot and 'columnheader "Skadekostnad (kr)"' in snapshot
