"""The `varna` command: demo, setup, profile, serve, worker and manage.

`varna demo` is the one command a newcomer runs: it migrates an SQLite database in the data
folder, loads a demo municipality, prints a login per demo role and serves the application
together with a background worker. `varna setup` starts a municipality for real, from its
profile and without a demo (organisation/setup.py).
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path


def _setup(environment: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "varna.settings")
    os.environ.setdefault("VARNA_ENV", environment)
    import django

    django.setup()


def _gunicorn(bind: str, workers: int, threads: int, **options) -> None:
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", bind)
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("accesslog", "-")
            for name, value in options.items():
                self.cfg.set(name, value)

        def load(self):
            from varna.wsgi import application

            return application

    Server().run()


def demo(args: argparse.Namespace) -> None:
    from varna.paths import data_dir as default_data_dir

    data_dir = default_data_dir()
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["VARNA_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{data_dir / f'demo-{args.profile}.sqlite3'}")
    os.environ["VARNA_PROFILE"] = args.profile
    # Links in the demo's e-mail lead to this server, whatever its port.
    os.environ.setdefault("VARNA_BASE_URL", f"http://{args.host}:{args.port}")
    _setup("development")
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_demo", profile=args.profile)
    if args.no_serve:
        return
    print(f"\n{_mail_destination()}", flush=True)
    print(f"\nVärna körs på http://{args.host}:{args.port}/  (Ctrl+C avslutar)\n", flush=True)
    worker = subprocess.Popen([sys.executable, "-m", "varna.cli", "worker"], env=os.environ.copy())
    try:
        _gunicorn(f"{args.host}:{args.port}", workers=2, threads=4, **_demo_control_socket(data_dir, args.port))
    finally:
        _stop(worker)


def _mail_destination() -> str:
    """Where the demo's e-mail goes, said once at the start: no mail server is needed to try it."""
    from django.conf import settings
    from django.utils.translation import gettext as _

    mailer = settings.MAILERS["default"]
    backend, options = mailer["BACKEND"], mailer.get("OPTIONS", {})
    if backend.endswith("filebased.EmailBackend"):
        return _("E-mail is not sent: each message is written to a file in %(folder)s") % {
            "folder": options["file_path"]
        }
    if backend.endswith("smtp.EmailBackend"):
        return _("E-mail is sent by SMTP to %(server)s") % {"server": f"{options['host']}:{options['port']}"}
    return _("E-mail goes to %(backend)s") % {"backend": backend}


def _demo_control_socket(data_dir: Path, port: int) -> dict:
    """Gunicorn's control socket for this demo, in its data folder. Gunicorn's default is one path
    per user, so a second demo would take over the first one's socket and remove it when it
    stopped. A data folder too deep for a Unix socket's path (about 100 bytes) gets none."""
    path = data_dir / f"gunicorn-{port}.ctl"
    if len(os.fsencode(path)) >= 100:
        return {"control_socket_disable": True}
    return {"control_socket": str(path)}


def _stop(worker: subprocess.Popen, grace: float = 15.0) -> None:
    """Ask the worker to stop and wait: it finishes the task it is running (on Ctrl+C it has
    already had the terminal's SIGINT; a second signal does not hurry it). Killed only if stuck."""
    worker.terminate()
    try:
        worker.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def profile(args: argparse.Namespace) -> None:
    _setup(os.environ.get("VARNA_ENV", "development"))
    from django.conf import settings
    from django.utils import translation

    from varna.organisation.profile_tools import check_profile, new_profile

    translation.activate(settings.LANGUAGE_CODE)
    if args.action == "check":
        ok, lines = check_profile(Path(args.file))
        print("\n".join(lines), file=sys.stdout if ok else sys.stderr)
        sys.exit(0 if ok else 1)
    out = Path(args.out or f"{args.key}.yaml")
    try:
        written = new_profile(args.key, args.source, out, force=args.force)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        sys.exit(1)
    print(f"Skrev {written}. Gå igenom den mot er policy och kontrollera den med: varna profile check {written}")


def serve(args: argparse.Namespace) -> None:
    _setup("production")
    from django.core.management import call_command

    if args.migrate:
        call_command("migrate", interactive=False, verbosity=1)
    call_command("collectstatic", interactive=False, verbosity=0)
    _print_first_run_link(args.host, args.port)
    _gunicorn(f"{args.host}:{args.port}", workers=args.workers, threads=args.threads)


def _print_first_run_link(host: str, port: int) -> None:
    """On a database without a municipality, where to set it up in the browser."""
    from django.db import DatabaseError
    from django.urls import reverse

    from varna.organisation.first_run import setup_key
    from varna.organisation.models import MunicipalGroup

    try:
        if MunicipalGroup.objects.exists():
            return
    except DatabaseError:
        return  # not migrated yet: `varna serve --migrate`
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104
    base = os.environ.get("VARNA_BASE_URL") or f"http://{shown}:{port}"
    link = f"{base.rstrip('/')}{reverse('organisation:first-run')}?nyckel={setup_key()}"
    print(f"\nVärna har ingen kommun ännu. Sätt upp den på {link}\n(eller kör: varna setup --profile …)\n", flush=True)


def setup(args: argparse.Namespace) -> None:
    _setup(os.environ.get("VARNA_ENV", "development"))
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    options = {k: getattr(args, k) for k in ("first_name", "last_name", "email", "login", "sso_group", "no_input")}
    call_command("setup_group", profile=args.profile, **options)


def worker(args: argparse.Namespace) -> None:
    _setup(os.environ.get("VARNA_ENV", "development"))
    from django.core.management import call_command

    call_command("run_worker", once=args.once, interval=args.interval)


def manage(argv: list[str]) -> None:
    _setup(os.environ.get("VARNA_ENV", "development"))
    from django.core.management import execute_from_command_line

    execute_from_command_line(["varna manage", *argv])


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["manage"]:
        manage(argv[1:])
        return
    parser = argparse.ArgumentParser(prog="varna", description="Värna – säkerhetsarbete för kommuner")
    sub = parser.add_subparsers(dest="command", required=True)

    from varna.organisation.profiles import available_profiles

    p = sub.add_parser("demo", help="start with a demo municipality on SQLite")
    p.add_argument("--profile", choices=available_profiles(), default="harjedalen")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--no-serve", action="store_true", help="load the demo and exit")
    p.set_defaults(func=demo)

    p = sub.add_parser("setup", help="set up a municipality from its policy profile (no demo)")
    p.add_argument("--profile", required=True, help="a shipped profile's key, or a profile file (.yaml)")
    p.add_argument("--first-name", default="")
    p.add_argument("--last-name", default="")
    p.add_argument("--email", default="")
    p.add_argument("--login", default="")
    p.add_argument("--sso-group", default="", help="an identity provider group whose members become coordinators")
    p.add_argument("--no-input", action="store_true", help="ask for nothing: fail on what is missing")
    p.set_defaults(func=setup)

    p = sub.add_parser("profile", help="write or check a municipality's policy profile")
    actions = p.add_subparsers(dest="action", required=True)
    q = actions.add_parser("new", help="write a starting profile from a shipped one")
    q.add_argument("key", help="the new profile's key, e.g. ostra-vik")
    q.add_argument("--from", dest="source", default="harjedalen", help="the profile to start from")
    q.add_argument("--out", default="", help="the file to write (default: KEY.yaml here)")
    q.add_argument("--force", action="store_true", help="overwrite the file")
    q = actions.add_parser("check", help="check a profile file, with the loader's messages")
    q.add_argument("file")
    p.set_defaults(func=profile)

    p = sub.add_parser("serve", help="serve in production mode with gunicorn")
    # A production server listens on every interface behind its reverse proxy.
    p.add_argument("--host", default=os.environ.get("VARNA_HOST", "0.0.0.0"))  # noqa: S104
    p.add_argument("--port", type=int, default=int(os.environ.get("VARNA_PORT", "8000")))
    p.add_argument("--workers", type=int, default=int(os.environ.get("VARNA_WORKERS", "2")))
    p.add_argument("--threads", type=int, default=int(os.environ.get("VARNA_THREADS", "4")))
    p.add_argument("--migrate", action="store_true", help="apply migrations before serving")
    p.set_defaults(func=serve)

    p = sub.add_parser("worker", help="run background jobs (reminders, e-mail)")
    p.add_argument("--once", action="store_true", help="run due jobs once and exit")
    p.add_argument("--interval", type=float, default=5.0)
    p.set_defaults(func=worker)

    sub.add_parser("manage", help="Django management commands")
    args = parser.parse_args(argv)
    from django.core.management.base import CommandError

    try:
        args.func(args)
    except CommandError as exc:
        # A command's refusal (a broken profile, a missing name) is a message, not a traceback.
        print(exc, file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        # Ctrl+C before the server or the worker has taken over its signals (while migrating,
        # say) ends the command as the shell expects, without a traceback.
        sys.exit(130)


if __name__ == "__main__":
    main()
