"""Removing an area (issue 11): with an area's app taken out of INSTALLED_APPS, together with the
areas that require it (core.areas.dependants), Värna starts, migrates, loads the demo and serves
its pages, and the removed areas' obligations show as not built.

Each case runs in a fresh interpreter (INSTALLED_APPS is fixed once Django is set up), on its
own SQLite file."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from varna.core import areas
from varna.organisation.profiles import load_profile

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r"""
import json, os, sys
import django
from django.test.utils import setup_test_environment

django.setup()
setup_test_environment()
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from varna.core import areas, jobs
from varna.organisation.demo import load_demo
from varna.organisation.models import OrgUnit
from varna.organisation.profiles import load_profile

call_command("check", fail_level="ERROR")
call_command("migrate", verbosity=0)
group, _ = load_demo(load_profile("harjedalen"))
for name, (task, _interval) in jobs.schedule().items():
    task.call() if hasattr(task, "call") else task()
client = Client(HTTP_ACCEPT_LANGUAGE="en")
client.force_login(get_user_model().objects.get(username="samordnare"))
unit = OrgUnit.objects.filter(group=group, parent__isnull=False).first()
urls = [reverse("home"), reverse("obligations"), reverse("tasks"), reverse("notifications"),
        reverse("organisation:group"), reverse("organisation:unit", args=[unit.pk]),
        *[reverse(a.start_url) for a in areas.installed() if a.start_url]]
pages = {url: client.get(url) for url in urls}
print(json.dumps({
    "apps": sorted(c.label for c in apps.get_app_configs()),
    "areas": [a.key for a in areas.installed()],
    "status": {url: r.status_code for url, r in pages.items()},
    "obligations": pages[reverse("obligations")].content.decode(),
}))
"""

CASES = sorted({frozenset(areas.dependants(a.key)) for a in areas.installed() if a.key != "organisation"}, key=len)


@pytest.mark.parametrize("removed", CASES, ids=lambda r: "-".join(sorted(r)))
def test_the_rest_works_without_an_area_and_its_dependants(tmp_path, removed):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings_without_areas",
        "VARNA_TEST_WITHOUT": ",".join(sorted(removed)),
        "VARNA_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "PYTHONPATH": str(ROOT),
    }
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert not removed & set(out["apps"]) and not removed & set(out["areas"])
    assert set(out["status"].values()) == {200}, out["status"]
    # Each removed area's obligations are there, shown as not built (an area the profile binds
    # no obligation to has none to show).
    bound = {o["area"] for o in load_profile("harjedalen").obligations}
    for key in removed & bound:
        assert f"The {areas.area_name(key)} area is not built yet" in out["obligations"]


def test_an_area_without_the_areas_it_requires_is_refused(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    registry = dict(areas._registry)
    registry.pop("documents")
    monkeypatch.setattr(areas, "_registry", registry)
    with pytest.raises(ImproperlyConfigured, match="'risks' requires the area 'documents'"):
        areas.check_requirements()


def test_the_dependants_of_an_area_are_what_goes_with_it():
    assert areas.dependants("insurance") == {"insurance", "incidents", "facilities"}
    assert areas.dependants("documents") == {"documents", "risks", "incidents", "insurance", "facilities"}
    assert areas.dependants("facilities") == {"facilities"}
