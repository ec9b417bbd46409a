"""A fourth municipality adopts Värna in the browser (issue 12): from an empty database and a
profile written for it, its own HR export (units, people, then roles) with its own column names
and words, its register of governing documents, and ten years of incidents from another system
(own headers, a separate time column, own status words, one bad row downloaded, corrected and
uploaded again); then every obligation of the policy has a status.

The screens and inputs the journey takes are counted and printed (run with -s): what a
coordinator does, not what a test needs to check."""

import datetime
import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import PASSWORD, assert_accessible
from varna.documents.models import Document
from varna.incidents.models import Incident
from varna.organisation.models import MunicipalGroup, OrgUnit, Person, RoleAssignment
from varna.organisation.profile_tools import new_profile

pytestmark = pytest.mark.e2e

CATEGORIES = ("Klotter", "Inbrott", "Brand", "Skadegörelse")


class Journey:
    """The page, counting screens (pages the user comes to) and inputs (fields filled, choices
    made, files chosen, buttons pressed)."""

    def __init__(self, page):
        self.page, self.screens, self.inputs = page, 0, 0

    def goto(self, url):
        self.page.goto(url)
        self.screens += 1

    def fill(self, label, value):
        self.page.get_by_label(label).fill(value)
        self.inputs += 1

    def choose(self, label, option):
        self.page.get_by_label(label, exact=True).select_option(label=option)
        self.inputs += 1

    def file(self, path):
        self.page.locator("input[type=file]").set_input_files(str(path))
        self.inputs += 1

    def press(self, selector):
        self.page.locator(selector).click()
        self.page.wait_for_load_state()
        self.inputs += 1
        self.screens += 1


@pytest.fixture
def orsa(transactional_db, settings, tmp_path):
    """The profile a fourth municipality wrote (from Härjedalen's, renamed), set up with
    `varna setup` on an empty database."""
    settings.DATA_DIR = tmp_path
    path = new_profile("orsa", "harjedalen", tmp_path / "orsa.yaml")
    text = path.read_text(encoding="utf-8")
    for old, new in (("Härjedalens kommunkoncern", "Orsa kommunkoncern"), ("Härjedalens kommun", "Orsa kommun")):
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    out = io.StringIO()
    call_command(
        "setup_group",
        profile=str(path),
        first_name="Maja",
        last_name="Ek",
        email="maja.ek@orsa.example",
        login="maja",
        no_input=True,
        stdout=out,
    )
    assert "Orsa kommun" in out.getvalue()
    user = get_user_model().objects.get(username="maja")
    user.set_password(PASSWORD)
    user.save()
    return MunicipalGroup.objects.get()


def _csv(tmp_path, name, lines):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_municipality_adopts_varna_with_its_own_files(browser, live_server, orsa, tmp_path):
    context = browser.new_context(base_url=live_server.url, locale="sv-SE", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    j = Journey(page)
    top = OrgUnit.objects.get(group=orsa).code

    j.goto("/konto/logga-in/")
    j.fill("Användarnamn", "maja")
    j.fill("Lösenord", PASSWORD)
    j.press("main button[type=submit]")
    expect(page.get_by_role("region", name="Första veckan")).to_be_visible()

    # 1. Units and people from the HR system's export, with its own column names and one word.
    hr = _csv(
        tmp_path,
        "hr-export.csv",
        [
            "Org-ID;Benämning;Ligger under;Nivå;Nämnd;Personnr;Förnamn;Efternamn;Mejl;Befattning",
            f"TF;Tekniska förvaltningen;{top};Förvaltning;Kommunstyrelsen;;;;;",
            "TF-GP;Gata och park;TF;Verksamhet;;;;;;",
            f"SOF;Socialförvaltningen;{top};Förv.;kommunstyrelsen;;;;;",
            "TF;;;;;1001;Anna;Berg;anna.berg@orsa.example;Förvaltningschef",
            "TF-GP;;;;;1002;Bo;Lund;bo.lund@orsa.example;Verksamhetschef",
            "SOF;;;;;1003;Cecilia;Nord;;Förvaltningschef",
            "SOF;;;;;1004;David;Ström;;Säkerhetssamordnare",
        ],
    )
    page.get_by_role("link", name="Importera enheter och personer").click()
    j.screens += 1
    j.file(hr)
    j.press("button[name=action][value=preview]")
    expect(page.locator("#mapping-heading")).to_be_visible()
    assert_accessible(page, "column mapping of an HR export")
    for header, field in (
        ("Org-ID", "Enhetskod"),
        ("Benämning", "Enhetsnamn"),
        ("Ligger under", "Överordnad enhetskod"),
        ("Personnr", "Anställningsnummer"),
        ("Mejl", "E-post"),
        ("Befattning", "Titel"),
    ):
        j.choose(header, field)
    j.press("button[name=action][value=map]")
    expect(page.locator("#values-heading")).to_be_visible()  # "Förv." is not a level Värna knows
    j.choose("Förv.", "Förvaltning")
    j.press("button[name=action][value=values]")
    expect(page.locator("button[name=action][value=apply]")).to_be_enabled()
    j.press("button[name=action][value=apply]")
    assert Person.objects.filter(group=orsa).count() == 5  # Maja and the four of the file
    assert OrgUnit.objects.get(group=orsa, code="SOF").kind == "administration"
    # The body column is known by its name: both administrations answer to the executive board.
    assert {u.responsible_body.name for u in OrgUnit.objects.filter(group=orsa, code__in=["TF", "SOF"])} == {
        "Kommunstyrelsen"
    }

    # 2. Their roles, from a sheet of the same system.
    roles = _csv(
        tmp_path,
        "roller.csv",
        ["Personnr;Roll;Org-ID", "1001;Chef;TF", "1002;Chef;TF-GP", "1003;Chef;SOF", "1004;Förvaltningssamordnare;SOF"],
    )
    j.goto("/organisation/import/roller/")
    j.file(roles)
    j.press("button[name=action][value=preview]")
    j.choose("Personnr", "Anställningsnummer")
    j.choose("Org-ID", "Enhetskod")
    j.press("button[name=action][value=map]")
    expect(page.locator("#count-added")).to_have_text("4")
    assert_accessible(page, "role import dry run")
    j.press("button[name=action][value=apply]")
    assert RoleAssignment.objects.filter(unit__group=orsa, source="import").count() == 4

    # 3. The register of governing documents, in Värna's own columns.
    documents = _csv(
        tmp_path,
        "styrdokument.csv",
        [
            "typ;titel;enhetskod;beslutsdatum;beslutad av",
            f"Policy;Säkerhetspolicy för Orsa kommun;{top};2024-06-10;Kommunfullmäktige",
        ],
    )
    j.goto("/styrdokument/import/")
    j.file(documents)
    j.press("button[name=action][value=preview]")
    j.press("button[name=action][value=apply]")
    assert Document.objects.filter(group=orsa).count() == 1

    # 4. Ten years of incidents from another system: own headers, a time column, own status words.
    header = "Inträffat datum;Kl;Händelsetyp;Enhet;Beskrivning;Läge"
    good = [
        f"{year}-{month:02d}-1{n};1{n}:15;{CATEGORIES[n]};{'TF' if n % 2 else 'SOF'};"
        f"{CATEGORIES[n]} vid förrådet {year}-{month};{'Arkiverad' if year < 2025 else 'Ny'}"
        for year in range(2016, 2026)
        for n, month in enumerate((2, 5, 8, 11))
    ]
    bad = "2021-06-01;09:30;Inbrott;XX;Inbrott i paviljongen 2021;Arkiverad"
    school = "2025-09-01;08:05;Klotter;Orsaskolan;Klotter på skolans gavel;Ny"  # a unit not yet registered
    export = _csv(tmp_path, "handelser-export.csv", [header, *good[:20], bad, *good[20:], school])
    j.goto("/handelser/import/")
    j.file(export)
    j.press("button[name=action][value=preview]")
    expect(page.locator("#mapping-heading")).to_be_visible()
    j.choose("Inträffat datum", "Datum")
    j.choose("Läge", "Status")
    j.press("button[name=action][value=map]")
    expect(page.locator("#values-heading")).to_be_visible()
    j.choose("Arkiverad", "Avslutad")
    j.choose("Orsaskolan", "En ny enhet ”Orsaskolan”")
    j.choose("Ny enhet ”Orsaskolan” under", "TF – Tekniska förvaltningen")
    j.choose("Nivå för ”Orsaskolan”", "Enhet")
    assert_accessible(page, "incident import: words and a new unit")
    j.press("button[name=action][value=values]")
    expect(page.get_by_text("Ny enhet skapad: Orsaskolan (ORSASKOLAN).")).to_be_visible()
    assert OrgUnit.objects.get(group=orsa, code="ORSASKOLAN").parent.code == "TF"
    expect(page.locator("#count-refused")).to_have_text("1")  # the unit XX
    assert_accessible(page, "incident import dry run with a refused row")
    with page.expect_download() as download:
        page.locator("button[name=action][value=refused]").click()
    j.inputs += 1
    assert download.value.suggested_filename == "handelser-export-avvisade.xlsx"
    downloaded = tmp_path / download.value.suggested_filename
    download.value.save_as(downloaded)
    refused = openpyxl.load_workbook(downloaded)
    sheet = refused.active
    rows = list(sheet.iter_rows(values_only=True))
    assert (
        len(rows) == 2
        and rows[1][3] == "XX"
        and rows[1][-1] == "Rad 22: Enhet (D): Det finns ingen enhet med koden XX."
    )
    sheet.cell(row=2, column=4, value="TF")  # corrected in Excel
    j.inputs += 1
    fixed = tmp_path / "rattade.xlsx"
    refused.save(fixed)

    # The good rows first (the bad one taken out of the export), then the corrected one.
    j.goto("/handelser/import/")
    j.file(_csv(tmp_path, "handelser-utan-fel.csv", [header, *good, school]))
    j.press("button[name=action][value=preview]")
    expect(page.locator("#count-added")).to_have_text("41")  # the saved choices read it at once
    j.press("button[name=action][value=apply]")
    j.goto("/handelser/import/")
    j.file(fixed)
    j.press("button[name=action][value=preview]")
    expect(page.locator("#count-added")).to_have_text("1")
    j.press("button[name=action][value=apply]")
    incidents = Incident.objects.filter(group=orsa)
    assert incidents.count() == 42
    assert incidents.get(unit__code="ORSASKOLAN").description == "Klotter på skolans gavel"
    assert incidents.filter(occurred_at__year=2016).count() == 4
    first = incidents.order_by("occurred_at").first()
    assert timezone.localtime(first.occurred_at).replace(tzinfo=None) == datetime.datetime(2016, 2, 10, 10, 15)
    assert incidents.filter(status="closed").count() == 37  # 2016–2024 and the corrected 2021 row

    # 5. The policy's obligations: every one has a status.
    j.goto("/skyldigheter/")
    statuses = page.locator("table.obligations > tbody > tr .status")
    rows = page.locator("table.obligations > tbody > tr")
    assert rows.count() == 12 and statuses.count() == rows.count()  # HJ-1 … HJ-12, as the profile's
    assert all(text.strip() for text in statuses.all_inner_texts())
    assert_accessible(page, "obligations after adoption")
    print(f"\nADOPTION JOURNEY: {j.screens} screens, {j.inputs} inputs")
    context.close()
