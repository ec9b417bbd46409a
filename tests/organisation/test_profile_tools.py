"""`varna profile new` and `varna profile check` (issue 12): a municipality writes its own profile."""

import subprocess
import sys

import pytest

from varna.organisation.profile_tools import check_profile, new_profile
from varna.organisation.profiles import parse_profile


@pytest.mark.parametrize("source", ["harjedalen", "ale", "karlskrona"])
def test_a_new_profile_starts_from_a_shipped_one_without_its_demo(tmp_path, source):
    out = new_profile("ostra-vik", source, tmp_path / "ostra-vik.yaml")
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Policyprofil för ostra-vik")
    assert "varna profile check ostra-vik.yaml" in text
    profile = parse_profile(text, out.name)
    assert profile.key == "ostra-vik" and "\ndemo:" not in text
    assert profile.data.get("demo") is None and profile.obligations


def test_a_new_profile_does_not_overwrite_a_file_or_take_a_bad_key(tmp_path):
    out = tmp_path / "ostra-vik.yaml"
    out.write_text("mine", encoding="utf-8")
    with pytest.raises(ValueError, match="exists already"):
        new_profile("ostra-vik", "harjedalen", out)
    assert out.read_text(encoding="utf-8") == "mine"
    new_profile("ostra-vik", "harjedalen", out, force=True)
    with pytest.raises(ValueError, match="not a profile key"):
        new_profile("Östra Vik", "harjedalen", tmp_path / "x.yaml")


def test_check_gives_the_loaders_messages(tmp_path):
    out = new_profile("ostra-vik", "harjedalen", tmp_path / "ostra-vik.yaml")
    ok, lines = check_profile(out)
    assert ok and "valid profile for Härjedalens kommun" in lines[0]
    out.write_text(out.read_text(encoding="utf-8").replace("responsibility: head", "responsibility: boss"))
    ok, lines = check_profile(out)
    assert not ok and lines[0].startswith("ostra-vik.yaml, line ") and "responsibility" in lines[0]


def test_check_refuses_a_key_that_is_not_the_file_name(tmp_path):
    out = new_profile("ostra-vik", "harjedalen", tmp_path / "ostra-vik.yaml")
    renamed = out.rename(tmp_path / "vastra-vik.yaml")
    ok, lines = check_profile(renamed)
    assert not ok and "'profile' is 'ostra-vik'" in lines[0]


def test_the_command_exits_non_zero_on_an_error_and_speaks_swedish(tmp_path):
    varna = [sys.executable, "-m", "varna.cli", "profile"]
    env_run = {"capture_output": True, "text": True, "timeout": 120, "cwd": tmp_path}
    made = subprocess.run([*varna, "new", "ostra-vik", "--from", "ale"], **env_run, check=True)
    assert "Skrev ostra-vik.yaml" in made.stdout
    good = subprocess.run([*varna, "check", "ostra-vik.yaml"], **env_run)
    assert good.returncode == 0 and "giltig profil" in good.stdout
    (tmp_path / "ostra-vik.yaml").write_text("profile: ostra-vik\nmunicipality: [\n", encoding="utf-8")
    bad = subprocess.run([*varna, "check", "ostra-vik.yaml"], **env_run)
    assert bad.returncode == 1 and "ostra-vik.yaml" in bad.stderr and "rad" in bad.stderr


def test_every_check_is_documented_in_both_languages():
    """docs/profiles.md lists every obligation check a profile may bind, in Swedish and English."""
    from pathlib import Path

    from varna.core.obligations import registry

    text = (Path(__file__).resolve().parents[2] / "docs" / "profiles.md").read_text(encoding="utf-8")
    swedish, english = text.split("# Policy profiles: the municipality")
    missing = [name for name in registry.checks if f"| `{name}` |" not in swedish or f"| `{name}` |" not in english]
    assert missing == []
