import time

from django.core.management.base import BaseCommand, CommandError

from varna.incidents import summary
from varna.organisation.models import MunicipalGroup


class Command(BaseCommand):
    help = (
        "Recompute the damage figures added up ahead (incidents/summary.py) from the incidents, "
        "or with --check only report where they differ."
    )

    def add_arguments(self, parser):
        parser.add_argument("--group", type=int, help="only this municipal group (its id)")
        parser.add_argument("--check", action="store_true", help="compare with the incidents, change nothing")

    def handle(self, *args, group=None, check=False, **options):
        groups = MunicipalGroup.objects.order_by("pk")
        if group is not None:
            groups = groups.filter(pk=group)
            if not groups.exists():
                raise CommandError(f"No municipal group {group}.")
        wrong = 0
        for g in groups:
            started = time.perf_counter()
            if check:
                differences = summary.differences(g)
                wrong += len(differences)
                for key, stored, live in differences[:10]:
                    self.stdout.write(f"  {key}: summary {stored}, incidents {live}")
                self.stdout.write(f"{g}: {len(differences)} rows differ ({time.perf_counter() - started:.1f} s)")
            else:
                rows = summary.rebuild(g)
                self.stdout.write(f"{g}: {rows} rows ({time.perf_counter() - started:.1f} s)")
        if wrong:
            raise CommandError(f"{wrong} rows of the summary differ from the incidents: run without --check.")
