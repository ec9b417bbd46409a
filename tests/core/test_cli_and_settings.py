"""The README's start command and production safety, run as a user runs them."""

import json
import os
import subprocess
import sys

import pytest


def _env(tmp_path, **extra):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "SECRET_KEY", "VARNA_ENV", "DJANGO_SETTINGS_MODULE")
    }
    env.update(VARNA_DATA_DIR=str(tmp_path), **extra)
    return env


@pytest.mark.parametrize("profile", ["harjedalen", "ale", "karlskrona"])
def test_varna_demo_loads_a_profile_and_prints_logins(tmp_path, profile):
    cmd = [sys.executable, "-m", "varna.cli", "demo", "--profile", profile, "--no-serve"]
    first = subprocess.run(cmd, env=_env(tmp_path), capture_output=True, text=True, timeout=180, check=True)
    assert "Laddade demokommunen" in first.stdout
    logins = json.loads((tmp_path / f"demo-{profile}-logins.json").read_text())
    for login in ("samordnare", "chef", "forvaltningssamordnare", "lasare", "medarbetare", "admin"):
        assert f"{login} " in first.stdout and logins[login] in first.stdout
    assert (tmp_path / f"demo-{profile}.sqlite3").exists()
    # A second start finds the demo and prints the same logins.
    second = subprocess.run(cmd, env=_env(tmp_path), capture_output=True, text=True, timeout=180, check=True)
    assert "finns redan" in second.stdout and logins["samordnare"] in second.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=_env(tmp_path, VARNA_ENV="production", DJANGO_SETTINGS_MODULE="varna.settings"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_settings_are_secure(tmp_path):
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0, s.ALLOWED_HOSTS)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=_env(
            tmp_path,
            VARNA_ENV="production",
            DJANGO_SETTINGS_MODULE="varna.settings",
            SECRET_KEY="x" * 50,
            VARNA_DEBUG="1",
        ),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.strip() == "False True True True []"


def test_the_data_folder_does_not_depend_on_the_current_directory(monkeypatch, tmp_path):
    """Issue 10: a run from inside src/varna left a development secret key in the source tree."""
    from pathlib import Path

    from varna.paths import data_dir

    root = Path(__file__).resolve().parents[2]
    monkeypatch.delenv("VARNA_DATA_DIR", raising=False)
    for where in (root, root / "src" / "varna", tmp_path):
        monkeypatch.chdir(where)
        assert data_dir() == root / "var"
    monkeypatch.setenv("VARNA_DATA_DIR", str(tmp_path))
    assert data_dir() == tmp_path.resolve()
    git = ["git", "-C", str(root)]
    tracked = subprocess.run([*git, "ls-files"], capture_output=True, text=True, check=False).stdout
    assert not [line for line in tracked.splitlines() if line.endswith("secret_key") or "/var/" in f"/{line}"]
    ignored = subprocess.run([*git, "check-ignore", "-q", "src/varna/var/secret_key"], capture_output=True, check=False)
    assert ignored.returncode == 0  # a data folder made anywhere in the tree is ignored
