"""A resident reports graffiti from a phone without logging in."""

import pytest

from varna.incidents.models import Incident

from .conftest import assert_accessible

pytestmark = pytest.mark.e2e


def test_a_resident_reports_graffiti_from_a_phone(phone, e2e_demo):
    page = phone
    page.goto("/handelser/anmal/")
    assert_accessible(page, "public report form")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_label("Vad har du sett?").select_option("graffiti")
    page.locator("#id_place").fill("Lekplatsen i Sveg")
    page.get_by_label("Beskriv vad du såg").fill("Klotter på rutschkanan.")
    page.get_by_role("button", name="Skicka rapporten").click()
    assert page.get_by_role("heading", name="Tack för din rapport").is_visible()
    assert_accessible(page, "public report thanks")
    incident = Incident.objects.get(place="Lekplatsen i Sveg")
    assert incident.source == "public" and incident.category == "graffiti"
