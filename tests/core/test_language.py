"""The interface is Swedish by default, with a complete English translation."""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

import varna

pytestmark = pytest.mark.no_english

PO = Path(varna.__file__).parent / "locale" / "sv" / "LC_MESSAGES" / "django.po"


def msgfmt() -> str:
    path = shutil.which("msgfmt")
    if path is None:
        pytest.skip("gettext's msgfmt is not installed (apt-get install gettext)")
    return path


def test_swedish_is_the_default(demo, user_for):
    client = Client()
    client.force_login(user_for("samordnare"))
    page = client.get(reverse("home")).content.decode()
    assert '<html lang="sv">' in page
    assert "Säkerhetsarbetet i Härjedalens kommun" in page and "Mina uppgifter" in page


def test_english_on_request(demo, user_for):
    client = Client()
    client.force_login(user_for("samordnare"))
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("home")).content.decode()
    assert '<html lang="en">' in page and "Security work in Härjedalens kommun" in page


def test_every_message_has_a_swedish_translation():
    result = subprocess.run([msgfmt(), "--statistics", "-o", "/dev/null", str(PO)], capture_output=True, text=True)
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr


def test_the_compiled_catalogue_is_up_to_date(tmp_path):
    compiled = tmp_path / "django.mo"
    subprocess.run([msgfmt(), "-o", str(compiled), str(PO)], check=True)
    assert compiled.read_bytes() == PO.with_suffix(".mo").read_bytes(), "run: msgfmt -o django.mo django.po"
