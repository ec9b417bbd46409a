"""The README's start command and production safety, run as a user runs them."""

import contextlib
import json
import os
import signal
import subprocess
import sys
import time

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


def _mailer(tmp_path, **extra) -> dict:
    code = "import django, json; django.setup(); from django.conf import settings; print(json.dumps(settings.MAILERS))"
    env = _env(tmp_path, DJANGO_SETTINGS_MODULE="varna.settings", **extra)
    for name in ("EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_FILE_PATH"):
        if name not in extra:
            env.pop(name, None)
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60, check=True
    )
    return json.loads(result.stdout)["default"]


def test_without_a_mail_server_e_mail_is_written_to_the_data_folder(tmp_path):
    """Issue 11: the demo's worker failed with a traceback a minute, sending to an SMTP server
    nobody runs."""
    mailer = _mailer(tmp_path)
    assert mailer["BACKEND"] == "django.core.mail.backends.filebased.EmailBackend"
    assert mailer["OPTIONS"] == {"file_path": str(tmp_path.resolve() / "mail")}
    # A configured server is used, and production sends by SMTP to a local relay by default.
    configured = _mailer(tmp_path, EMAIL_HOST="smtp.kommun.example", EMAIL_PORT="587")
    assert configured["BACKEND"].endswith("smtp.EmailBackend")
    assert (configured["OPTIONS"]["host"], configured["OPTIONS"]["port"]) == ("smtp.kommun.example", 587)
    production = _mailer(tmp_path, VARNA_ENV="production", SECRET_KEY="x" * 50)
    assert production["BACKEND"].endswith("smtp.EmailBackend") and production["OPTIONS"]["host"] == "localhost"
    chosen = _mailer(tmp_path, EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend")
    assert chosen == {"BACKEND": "django.core.mail.backends.console.EmailBackend", "OPTIONS": {}}


def _heartbeats(database) -> int:
    import sqlite3

    with contextlib.closing(sqlite3.connect(database)) as connection:
        try:
            return connection.execute("SELECT count(*) FROM core_workerheartbeat").fetchone()[0]
        except sqlite3.OperationalError:  # not migrated yet
            return 0


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_the_worker_stops_cleanly_on_ctrl_c_and_sigterm(tmp_path, stop):
    """Issue 11: Ctrl+C on `varna demo` printed the worker's KeyboardInterrupt traceback."""
    database = tmp_path / "worker.sqlite3"
    env = _env(tmp_path, DATABASE_URL=f"sqlite:///{database}")
    subprocess.run([sys.executable, "-m", "varna.cli", "manage", "migrate", "-v0"], env=env, timeout=180, check=True)
    worker = subprocess.Popen(
        [sys.executable, "-m", "varna.cli", "worker", "--interval", "0.5"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not _heartbeats(database) and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.2)
        assert _heartbeats(database), "the worker did not start"
        worker.send_signal(stop)
        out, err = worker.communicate(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.communicate()
    assert worker.returncode == 0, err
    assert "Traceback" not in out + err


def test_each_demo_has_its_own_control_socket(tmp_path):
    """Issue 11: every demo used gunicorn's one socket per user, ~/.gunicorn/gunicorn.ctl, so a
    second demo took over the first one's and removed it when it stopped."""
    from varna.cli import _demo_control_socket

    first, second = _demo_control_socket(tmp_path / "a", 8000), _demo_control_socket(tmp_path / "b", 8124)
    assert first == {"control_socket": str(tmp_path / "a" / "gunicorn-8000.ctl")}
    assert second == {"control_socket": str(tmp_path / "b" / "gunicorn-8124.ctl")}
    assert _demo_control_socket(tmp_path / "a", 8001) != first  # two profiles' demos in one folder
    assert _demo_control_socket(tmp_path / ("x" * 120), 8000) == {"control_socket_disable": True}


def test_the_favicon_is_served_where_browsers_look_for_it(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in response.content
