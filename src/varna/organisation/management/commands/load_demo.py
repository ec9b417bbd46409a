import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from varna.organisation.demo import load_demo
from varna.organisation.models import MunicipalGroup, Person
from varna.organisation.profiles import ProfileError, load_profile


class Command(BaseCommand):
    help = "Load a policy profile's demo municipality (once) and print a login for each demo role."

    def add_arguments(self, parser):
        parser.add_argument("--profile", default=settings.VARNA_PROFILE)

    def handle(self, *args, profile, **options):
        try:
            loaded = load_profile(profile)
        except ProfileError as exc:
            raise CommandError("\n".join(exc.errors)) from exc
        if not loaded.data.get("demo"):
            raise CommandError(f"The profile '{profile}' has no demo section.")
        logins_file = settings.DATA_DIR / f"demo-{profile}-logins.json"
        group = MunicipalGroup.objects.filter(profile_key=profile).first()
        if group is None:
            group, logins = load_demo(loaded)
            settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
            logins_file.write_text(json.dumps(logins, indent=2))
            logins_file.chmod(0o600)
            self.stdout.write(f"Laddade demokommunen {group.municipality_name} ({profile}).")
        else:
            logins = json.loads(logins_file.read_text()) if logins_file.exists() else {}
            self.stdout.write(f"Demokommunen {group.municipality_name} finns redan ({profile}).")
        self.stdout.write("\nInloggningar (användarnamn / lösenord – roll):")
        people = {
            p.user.username: p for p in Person.objects.filter(group=group, user__isnull=False).select_related("user")
        }
        for username, password in logins.items():
            person = people.get(username)
            if person is not None:
                roles = ", ".join(f"{r.role_name} ({r.unit})" for r in person.roles.select_related("unit__group"))
                what = roles or "medarbetare utan roll"
            else:
                what = "administratör (Django-admin)"
            self.stdout.write(f"  {username:24} {password:16} – {what}")
