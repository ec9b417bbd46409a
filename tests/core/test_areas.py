"""Areas plug in (issue 11): each area app declares itself in its area.py, and core's schedule,
obligations, menu, start page and demo read the declarations."""

import datetime
import re

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from varna.core import areas
from varna.core.jobs import schedule
from varna.core.obligations import Status, evaluate


def _menu_labels(page: str) -> list[str]:
    nav = page[page.index('class="main-nav"') : page.index("</nav>")]
    return [re.sub(r"<[^>]+>", "", link).strip() for link in re.findall(r"<a [^>]*>.*?</a>", nav)]


def test_the_installed_areas_are_the_apps_that_declare_one():
    assert [a.key for a in areas.installed()] == [
        "organisation",
        "documents",
        "risks",
        "incidents",
        "insurance",
        "facilities",
    ]
    assert all(areas.is_built(a.key) for a in areas.installed())
    assert not areas.is_built("training")


def test_each_area_brings_its_jobs_into_the_schedule():
    jobs = schedule()
    assert {"document_review_reminders", "risk_daily_jobs", "incident_daily_jobs", "insurance_daily_jobs"} <= set(jobs)
    assert {"send_notification_emails", "record_obligation_statuses"} <= set(jobs)  # core's, the organisation's
    assert jobs["risk_daily_jobs"][1] == datetime.timedelta(days=1)


def test_the_demo_loads_the_organisation_first_and_the_areas_in_their_order():
    loaders = [f.__module__ for f in areas.demo_loaders()]
    assert loaders == [
        "varna.organisation.demo",
        "varna.documents.demo",
        "varna.facilities.demo",
        "varna.risks.demo",
        "varna.incidents.demo",
        "varna.insurance.demo",
    ]


def test_an_area_must_be_one_of_the_policy_and_declared_once():
    with pytest.raises(ImproperlyConfigured, match="Unknown area"):
        areas.register(areas.Area(key="parking"))
    with pytest.raises(ImproperlyConfigured, match="declared twice"):
        areas.register(areas.Area(key="risks"))
    with pytest.raises(ImproperlyConfigured, match="menu section"):
        areas.register(areas.Area(key="training", nav=[areas.NavEntry("somewhere", "Kurs", "home")]))
    assert not areas.is_built("training")


def test_the_coordinator_sees_every_section_of_the_menu(client_for):
    page = client_for("samordnare").get(reverse("home")).content.decode()
    for section in ("Organisation", "Registers", "Follow-up", "My work"):
        assert f">{section}</button>" in page
    labels = _menu_labels(page)
    for label in (
        "Municipal group",
        "Governing documents",
        "Risks",
        "Measures",
        "Incidents",
        "Insurance",
        "Sites and buildings",
    ):
        assert label in labels
    assert "Policy and obligations" in labels and "My tasks" in labels
    assert "My reports" not in labels  # the register itself is in the menu


def test_an_employee_without_a_role_sees_what_they_can_do(client_for):
    page = client_for("medarbetare").get(reverse("home")).content.decode()
    labels = _menu_labels(page)
    assert "Report an incident" in labels and "My reports" in labels
    assert "Risks" not in labels and "Governing documents" not in labels and "Registers" not in page
    # The start page tells them the same, instead of "nothing to show".
    assert "What you can do here" in page and "nothing to show" not in page
    assert client_for("medarbetare").get(reverse("incidents:list")).status_code == 200


def test_the_current_page_is_marked_in_its_section(client_for):
    page = client_for("samordnare").get(reverse("risks:measures")).content.decode()
    nav = page[page.index('class="main-nav"') : page.index("</nav>")]
    assert re.search(r'<a href="/risker/atgarder/" aria-current="page">Measures</a>', nav)
    assert not re.search(r'aria-current="page">Risks<', nav)
    assert '<li class="menu-section is-current">' in nav
    page = client_for("samordnare").get(reverse("risks:list")).content.decode()
    assert re.search(r'aria-current="page">Risks<', page)


def test_the_menu_works_without_script(client_for):
    """Every section has its label and its links in the page; menu.js only folds them."""
    page = client_for("samordnare").get(reverse("home")).content.decode()
    assert 'class="menu-label"' in page and "varna/menu.js" in page
    assert page.count('aria-controls="menu-') == page.count('class="menu-label"')


@pytest.fixture
def without_insurance(monkeypatch):
    """As if the insurance app were not installed: its declaration is gone from the registry."""
    registry = {k: v for k, v in areas._registry.items() if k != "insurance"}
    monkeypatch.setattr(areas, "_registry", registry)


def test_an_area_not_installed_shows_its_obligations_as_not_built(group, without_insurance, client_for):
    hj3 = next(o for o in group.profile.obligations if o["id"] == "HJ-3")  # insurance, with checks
    status, results = evaluate(hj3, group, group.profile)
    assert status == Status.NOT_BUILT
    assert "Insurance and risk financing area is not built yet" in results[0].summary
    assert "insurance_daily_jobs" not in schedule()
    client = client_for("samordnare")
    home = client.get(reverse("home")).content.decode()
    assert "Insurance" not in _menu_labels(home)
    assert client.get(reverse("obligations")).status_code == 200
