"""`varna setup`: a municipality starts for real (organisation/setup.py)."""

import shutil
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from varna.organisation.profiles import ProfileError, installed_profile_dir, load_profile, parse_profile
from varna.organisation.setup import Coordinator, plan, set_up

FIELDS = [
    ("first_name", "First name"),
    ("last_name", "Last name"),
    ("email", "E-mail"),
    ("login", "Login"),
]


class Command(BaseCommand):
    help = "Set up a municipality from its policy profile, with its first security coordinator."

    def add_arguments(self, parser):
        parser.add_argument("--profile", required=True, help="a shipped profile's key, or a profile file (.yaml)")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--email", default="")
        parser.add_argument("--login", default="")
        parser.add_argument(
            "--sso-group", default="", help="an identity provider group whose members become coordinators"
        )
        parser.add_argument("--no-input", action="store_true", help="ask for nothing: fail on what is missing")

    def handle(self, *args, profile, no_input, **options):
        translation.activate(settings.LANGUAGE_CODE)
        loaded, source = self._profile(profile)
        coordinator = Coordinator(
            **{name: options[name].strip() for name in ("first_name", "last_name", "email", "login", "sso_group")}
        )
        if not coordinator.sso_group and not no_input:
            for name, label in FIELDS:
                while not getattr(coordinator, name):
                    value = input(f"{_(label)}: ").strip()
                    setattr(coordinator, name, value)
                    if name == "email":
                        break  # the e-mail address may be left out
        what = plan(loaded)
        try:
            result = set_up(loaded, coordinator)
        except ValidationError as exc:
            raise CommandError(
                "\n".join(
                    f"--{name.replace('_', '-')}: {' '.join(messages)}" for name, messages in exc.message_dict.items()
                )
            ) from exc
        if source is not None:
            # The group finds its profile by key from now on (organisation/profiles.py).
            folder = installed_profile_dir()
            folder.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, folder / f"{loaded.key}.yaml")
        self.stdout.write(
            _("%(municipality)s is set up: %(unit)s with %(bodies)s.")
            % {
                "municipality": result.group.municipality_name,
                "unit": result.top_unit.name,
                "bodies": ", ".join(b["name"] for b in what["bodies"]) or _("no bodies"),
            }
        )
        role = loaded.role_name(result.role)
        if result.login:
            self.stdout.write(
                _("Log in as %(login)s with the password %(password)s (%(role)s); change it after the first login.")
                % {"login": result.login, "password": result.password, "role": role}
            )
        else:
            self.stdout.write(
                _("Members of %(idp_group)s get the role %(role)s when they sign in.")
                % {"idp_group": coordinator.sso_group, "role": role}
            )

    def _profile(self, value: str):
        path = Path(value)
        try:
            if path.suffix in (".yaml", ".yml") or path.is_file():
                if not path.is_file():
                    raise CommandError(_("No such file: %(file)s") % {"file": value})
                return parse_profile(path.read_text(encoding="utf-8"), path.name), path
            return load_profile(value), None
        except ProfileError as exc:
            raise CommandError("\n".join(exc.errors)) from exc
