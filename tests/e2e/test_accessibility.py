"""axe-core scan of every page, in Swedish and in English, with zero WCAG 2.1 AA violations."""

import pytest

from varna.documents.models import Document, NotificationDuty
from varna.facilities.models import (
    AccessControlSystem,
    Alarm,
    Building,
    CameraSurveillance,
    CameraThinning,
    Key,
    KeySystem,
    Site,
)
from varna.incidents.models import CostItem, Incident
from varna.insurance.models import InsurancePolicy, InsuranceReview
from varna.organisation.models import ExternalParty, OrgUnit, Person, RoleAssignment
from varna.risks.models import Analysis, Measure, Risk, VitalFunction

from .conftest import assert_accessible, login

pytestmark = pytest.mark.e2e


def pages(group):
    tf = OrgUnit.objects.get(group=group, code="TF")
    person = Person.objects.get(group=group, last_name="Berglund")
    party = ExternalParty.objects.get(group=group, name="Norrlarm Säkerhet AB")
    role = RoleAssignment.objects.filter(unit=tf).first()
    body = tf.responsible_body
    policy = Document.objects.get(group=group, kind="policy")
    standard = Document.objects.get(group=group, title="Standard för larm och passersystem")
    draft = Document.objects.get(group=group, title="Instruktion för kameraövervakning")
    duty = NotificationDuty.objects.filter(document__group=group, delivered_on__isnull=True).first()
    return [
        "/",
        "/skyldigheter/",
        "/uppgifter/",
        "/notiser/",
        "/health/",
        "/organisation/",
        f"/organisation/enheter/{tf.pk}/",
        f"/organisation/enheter/{tf.pk}/andra/",
        "/organisation/enheter/ny/",
        f"/organisation/organ/{body.pk}/",
        "/organisation/personer/",
        "/organisation/personer/?q=berg",
        "/organisation/personer/ny/",
        f"/organisation/personer/{person.pk}/",
        f"/organisation/personer/{person.pk}/andra/",
        "/organisation/roller/ny/",
        f"/organisation/roller/{role.pk}/andra/",
        "/organisation/externa-parter/",
        "/organisation/externa-parter/ny/",
        f"/organisation/externa-parter/{party.pk}/",
        f"/organisation/externa-parter/{party.pk}/andra/",
        f"/organisation/externa-parter/{party.pk}/avtal/nytt/",
        "/organisation/mandatperioder/",
        "/organisation/import/",
        "/organisation/import/roller/",
        "/konto/tvafaktor/aktivera/",
        "/konto/tvafaktor/enheter/",
        "/styrdokument/",
        "/styrdokument/?granskning=forsenad&typ=instruction",
        "/styrdokument/ny/",
        "/styrdokument/granskningskalender/",
        "/styrdokument/kalender/",
        "/styrdokument/import/",
        "/styrdokument/mina-kvittenser/",
        "/styrdokument/publikt/",
        f"/styrdokument/publikt/{policy.pk}/",
        f"/styrdokument/{policy.pk}/",
        f"/styrdokument/{policy.pk}/kvittenser/",
        f"/styrdokument/{standard.pk}/",
        f"/styrdokument/{draft.pk}/",
        f"/styrdokument/{draft.pk}/andra/",
        f"/styrdokument/{draft.pk}/ny-version/",
        f"/styrdokument/{draft.pk}/ladda-upp/",
        f"/styrdokument/{draft.pk}/beslut/",
        f"/styrdokument/{policy.pk}/jamfor/",
        f"/styrdokument/delgivningar/{duty.pk}/",
        f"/styrdokument/{policy.pk}/ersatt/",
        "/styrdokument/?omrade=x&q=nyckel",
        *risk_pages(group),
        *incident_pages(group),
    ]


def risk_pages(group):
    risk = Risk.objects.get(group=group, title="Långvarigt elavbrott i hela kommunen")
    unassessed = Risk.objects.get(group=group, title="Störning i drivmedelsförsörjningen")
    measure = Measure.objects.get(group=group, title="Larmknappar och rutin för hembesök i par")
    rva = Analysis.objects.get(group=group, kind="rva")
    function = VitalFunction.objects.get(group=group, name="Vård och omsorg i särskilt boende")
    return [
        "/risker/",
        "/risker/?liv=1&zon=red&q=brand",
        "/risker/matris/",
        "/risker/matris/?visa=rest",
        "/risker/ny/",
        "/risker/import/",
        f"/risker/import/?analys={rva.pk}",
        f"/risker/{risk.pk}/",
        f"/risker/{risk.pk}/andra/",
        f"/risker/{risk.pk}/bedom/",
        f"/risker/{risk.pk}/acceptera/",
        f"/risker/{unassessed.pk}/",
        "/risker/analyser/",
        "/risker/analyser/ny/",
        f"/risker/analyser/{rva.pk}/",
        f"/risker/analyser/{rva.pk}/andra/",
        "/risker/atgarder/",
        "/risker/atgarder/?forfallen=1",
        "/risker/atgarder/ny/",
        f"/risker/atgarder/{measure.pk}/",
        f"/risker/atgarder/{measure.pk}/andra/",
        "/risker/samhallsviktig-verksamhet/",
        "/risker/samhallsviktig-verksamhet/ny/",
        "/risker/samhallsviktig-verksamhet/beroenden/",
        f"/risker/samhallsviktig-verksamhet/{function.pk}/",
        f"/risker/samhallsviktig-verksamhet/{function.pk}/andra/",
    ]


def incident_pages(group):
    closed = Incident.objects.filter(group=group, status="closed", cost__gt=0).order_by("pk").first()
    threat = Incident.objects.filter(group=group, category="threat_violence").order_by("pk").first()
    fire = Incident.objects.filter(group=group, category="fire").order_by("pk").first()
    item = CostItem.objects.filter(incident=closed).first()
    return [
        "/handelser/",
        "/handelser/?kategori=graffiti&status=oppna&q=fasad",
        "/handelser/rapportera/",
        "/handelser/anmal/",
        "/handelser/skadekostnader/",
        "/handelser/import/",
        f"/handelser/{closed.pk}/",
        f"/handelser/{threat.pk}/",
        f"/handelser/{fire.pk}/",
        f"/handelser/{closed.pk}/utred/",
        f"/handelser/{closed.pk}/foton/",
        f"/handelser/{closed.pk}/ny-atgard/",
        f"/handelser/kostnader/{item.pk}/andra/",
        *insurance_pages(group),
        *facilities_pages(group),
        *alarm_pages(group),
    ]


def facilities_pages(group):
    site = Site.objects.get(group=group, code="KOMMUNHUS")
    building = Building.objects.get(site=site, code="A")
    return [
        "/anlaggningar/",
        "/anlaggningar/?q=sveg&typ=school",
        "/anlaggningar/ny/",
        "/anlaggningar/import/",
        f"/anlaggningar/{site.pk}/",
        f"/anlaggningar/{site.pk}/andra/",
        f"/anlaggningar/{site.pk}/ta-bort/",
        f"/anlaggningar/{site.pk}/ny-byggnad/",
        f"/anlaggningar/byggnader/{building.pk}/",
        f"/anlaggningar/byggnader/{building.pk}/andra/",
        f"/anlaggningar/byggnader/{building.pk}/ta-bort/",
        *key_pages(group),
        *camera_pages(group),
    ]


def camera_pages(group):
    school = CameraSurveillance.objects.get(group=group, code="KAM-SVEG-SK")
    depot = CameraSurveillance.objects.get(group=group, code="KAM-SVEG-FORRAD")
    CameraThinning.objects.get_or_create(
        group=group, code="KAM-GAMMAL", defaults={"date": "2026-01-02", "ended": "2020-12-31", "records_removed": 4}
    )
    return [
        "/anlaggningar/kamerabevakning/",
        "/anlaggningar/kamerabevakning/?saknar=1&status=alla&q=sveg",
        "/anlaggningar/kamerabevakning/ny/",
        "/anlaggningar/kamerabevakning/gallring/",
        "/anlaggningar/kamerabevakning/publik/",
        f"/anlaggningar/kamerabevakning/{school.pk}/",
        f"/anlaggningar/kamerabevakning/{depot.pk}/",
        f"/anlaggningar/kamerabevakning/{school.pk}/andra/",
        f"/anlaggningar/kamerabevakning/{school.pk}/ta-bort/",
        f"/anlaggningar/kamerabevakning/{school.pk}/ny-kamera/",
        f"/anlaggningar/kamerabevakning/{school.pk}/bedomning/",
        f"/anlaggningar/kamerabevakning/kameror/{school.cameras.first().pk}/ta-bort/",
    ]


def key_pages(group):
    system = KeySystem.objects.get(site__group=group, code="SVEG-SK-1")
    held = Key.objects.get(system=system, number="SK-031")
    free = Key.objects.get(system=system, number="SK-032")
    loan = held.loans.get()
    return [
        "/anlaggningar/nycklar/",
        "/anlaggningar/nycklar/?q=A1&status=utlamnad",
        "/anlaggningar/nycklar/att-aterlamna/",
        "/anlaggningar/nycklar/mina/",
        f"/anlaggningar/{system.site_id}/nytt-nyckelsystem/",
        f"/anlaggningar/nyckelsystem/{system.pk}/",
        f"/anlaggningar/nyckelsystem/{system.pk}/andra/",
        f"/anlaggningar/nyckelsystem/{system.pk}/nytt-las/",
        f"/anlaggningar/nyckelsystem/{system.pk}/ny-nyckel/",
        f"/anlaggningar/nycklar/{held.pk}/",
        f"/anlaggningar/nycklar/{held.pk}/forlorad/",
        f"/anlaggningar/nycklar/{free.pk}/lamna-ut/",
        f"/anlaggningar/nycklar/{free.pk}/andra/",
        f"/anlaggningar/kvittenser/{loan.pk}/",
    ]


def alarm_pages(group):
    alarm = Alarm.objects.get(identifier="NL-10231")
    system = AccessControlSystem.objects.get(site__group=group, name="Passersystem kommunhuset")
    return [
        "/anlaggningar/larm/",
        "/anlaggningar/larm/?q=skola&typ=intrusion&ansluten=ja&forsenad=1",
        "/anlaggningar/larm/import/",
        f"/anlaggningar/larm/{alarm.pk}/",
        f"/anlaggningar/larm/{alarm.pk}/andra/",
        f"/anlaggningar/larm/{alarm.pk}/service/",
        f"/anlaggningar/larm/{alarm.pk}/ta-bort/",
        f"/anlaggningar/larm/{alarm.pk}/ny-handelse/",
        f"/anlaggningar/byggnader/{alarm.building_id}/nytt-larm/",
        f"/anlaggningar/{system.site_id}/nytt-passersystem/",
        f"/anlaggningar/passersystem/{system.pk}/",
        f"/anlaggningar/passersystem/{system.pk}/andra/",
        f"/anlaggningar/passersystem/{system.pk}/ta-bort/",
        f"/anlaggningar/passersystem/{system.pk}/ny-oversyn/",
    ]


def insurance_pages(group):
    policy = InsurancePolicy.objects.get(group=group, name="Kommunförsäkring egendom")
    review = InsuranceReview.objects.filter(group=group).order_by("-year").first()
    open_review = InsuranceReview.objects.create(
        group=group, unit=review.unit, body=review.body, year=2001, due_date="2002-03-31"
    )
    return [
        "/forsakringar/",
        "/forsakringar/?alla=1",
        "/forsakringar/ny/",
        "/forsakringar/riskfinansiering/",
        f"/forsakringar/{policy.pk}/",
        f"/forsakringar/{policy.pk}/andra/",
        f"/forsakringar/oversyn/{review.pk}/",
        f"/forsakringar/oversyn/{open_review.pk}/",
    ]


@pytest.mark.parametrize("language", ["sv", "en"])
def test_every_page_has_no_wcag_violations(page, e2e_demo, language):
    login(page, "samordnare")
    if language == "en":
        page.get_by_role("button", name="English").click()
    for url in pages(e2e_demo):
        response = page.goto(url)
        assert response.status == 200, url
        assert_accessible(page, f"{url} ({language})")


def test_a_form_with_errors_has_no_wcag_violations(page, e2e_demo):
    login(page, "samordnare")
    page.goto("/organisation/personer/ny/")
    page.get_by_role("button", name="Spara").click()
    assert page.locator(".errors").count() > 0
    assert_accessible(page, "person form with errors")


def test_the_camera_assessment_form_with_errors_has_no_wcag_violations(page, e2e_demo):
    school = CameraSurveillance.objects.get(group=e2e_demo, code="KAM-SVEG-SK")
    login(page, "samordnare")
    page.goto(f"/anlaggningar/kamerabevakning/{school.pk}/bedomning/")
    page.get_by_role("button", name="Spara").click()
    assert page.locator(".errors").count() > 0
    assert_accessible(page, "camera assessment form with errors")


@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_error_pages_have_no_wcag_violations(page, e2e_demo, language):
    login(page, "chef")
    if language == "en":
        page.get_by_role("button", name="English").click()
    tf = OrgUnit.objects.get(group=e2e_demo, code="SOF")
    for url, status in (
        ("/finns-inte/", 404),
        (f"/organisation/enheter/{tf.pk}/andra/", 404),
        ("/skyldigheter/x", 404),
    ):
        response = page.goto(url)
        assert response.status == status, url
        assert_accessible(page, f"{url} ({language})")
    response = page.goto("/organisation/import/")
    assert response.status == 403
    assert_accessible(page, f"403 ({language})")


def test_a_user_without_role_sees_an_accessible_start_page(page):
    login(page, "medarbetare")
    assert_accessible(page, "start page without role")


def test_the_lists_have_no_wcag_violations_on_a_phone(phone, e2e_demo):
    """The lists become cards at 390 px (table.records): the same scan on the phone layout."""
    from .test_phone_lists import list_pages

    login(phone, "samordnare")
    for url in list_pages(e2e_demo):
        response = phone.goto(url)
        assert response.status == 200, url
        assert_accessible(phone, f"{url} (390 px)")


def test_the_site_import_dry_run_has_no_wcag_violations(page, e2e_demo, tmp_path, settings):
    """The import of sites and buildings, with rows added, changed and refused on its dry run."""
    settings.DATA_DIR = tmp_path
    login(page, "samordnare")
    path = tmp_path / "fastigheter.csv"
    path.write_text(
        "anläggningskod;anläggningsnamn;typ;ägarenhet;gatuadress;byggnadskod;byggnadsnamn\n"
        "NY-SK;Ny skola;Skola;TF;Skolvägen 1;A;Huvudbyggnad\n"
        "SVEG-SK;;;;Kyrkogatan 14;;\n"
        "NY-2;Annan;Slott;NOPE;;;\n",
        encoding="utf-8",
    )
    page.goto("/anlaggningar/import/")
    page.locator("input[type=file]").set_input_files(str(path))
    page.locator("button[name=action][value=preview]").click()
    page.wait_for_selector("#dry-run-heading")
    assert_accessible(page, "/anlaggningar/import/ (dry run)")
