"""Time the import of historical incidents from XLSX (incidents/register_io.py) against the budget
in shared/DESIGN.md: 100,000 incidents at ≥ 10,000 rows/s, all or nothing.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/varna_bench_incidents \\
        uv run python bench/incident_import.py [--rows 100000] [--runs 2] [--keep]

Builds an XLSX file as an office would export it (the import's own Swedish column names; dates,
category and status as words, amounts as numbers; every row a different incident, spread over
the ten years and the group's units), then, as the group coordinator of bench/generate.py:

- the dry run: `parse_file` and `build_plan` (what the upload page does before the user confirms);
- the import: `import_file` (parse, check again under the group's lock, write in batches with
  history and the damage figures added up ahead), in a transaction that is rolled back
  afterwards unless --keep, so that the database stays as generated.

Prints the times, rows per second and the number of queries of each step.
"""

import argparse
import datetime
import io
import random
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
SRC = BENCH.parent / "src"
if str(SRC) not in sys.path:
    sys.path.insert(0, str(SRC))

from run import COORDINATOR_USERNAME, setup_django  # noqa: E402

WORDS = ["Klotter", "Krossad ruta", "Stöld", "Inbrott", "Vattenläcka", "Brand", "Hot", "Halka", "Elavbrott"]


class RolledBack(Exception):
    pass


class QueryCounter:
    """An execute wrapper counting queries and the time spent in them (CaptureQueriesContext would
    render every bulk INSERT's SQL with its parameters, which costs more than the insert)."""

    def __init__(self):
        self.n, self.seconds = 0, 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.n += 1
            self.seconds += time.perf_counter() - started


def build_file(group, rows: int, seed: int) -> bytes:
    from django.utils import translation
    from openpyxl import Workbook

    from varna.incidents import register_io
    from varna.incidents.models import Category, Incident
    from varna.organisation.models import OrgUnit

    rng = random.Random(seed)
    with translation.override("sv"):
        headers = [c.header for c in register_io.COLUMNS]
        fields = [c.field for c in register_io.COLUMNS]
        categories = [str(label) for _key, label in Category.choices]
        closed = str(Incident.State.CLOSED.label)
    codes = list(OrgUnit.objects.filter(group=group, depth__gte=1).order_by("pk").values_list("code", flat=True))
    start = datetime.datetime.now() - datetime.timedelta(days=3650)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Händelser")
    sheet.append(headers)
    for i in range(rows):
        when = start + datetime.timedelta(minutes=rng.randint(0, 3640 * 24 * 60))
        values = {
            "occurred_at": when.replace(second=0, microsecond=0),
            "category": rng.choice(categories),
            "unit": rng.choice(codes),
            "place": f"Byggnad {rng.randint(1, 400)}, {rng.choice(['entrén', 'förrådet', 'gården'])}",
            "description": f"{rng.choice(WORDS)} (historisk rad {i + 1})",
            "immediate_actions": "Åtgärdat." if rng.random() < 0.5 else "",
            "status": closed,
            "cost": rng.randint(0, 60) * 500 if rng.random() < 0.6 else "",
        }
        sheet.append([values.get(f, "") for f in fields])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=2, help="imports to time (each rolled back)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep what the last import wrote")
    args = parser.parse_args(argv)

    setup_django()
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from varna.incidents.models import Incident

    try:
        from varna.incidents import register_io
    except ImportError:
        raise SystemExit("No incident import (varna/incidents/register_io.py) in this tree.") from None
    user = get_user_model().objects.get(username=COORDINATOR_USERNAME)
    group = user.person.group
    before = Incident.objects.filter(group=group).count()

    started = time.perf_counter()
    data = build_file(group, args.rows, args.seed)
    print(f"file: {args.rows} rows, {len(data) / 1e6:.1f} MB XLSX, made in {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    table = register_io.parse_file(data, "historik.xlsx")
    parsed = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        plan = register_io.build_plan(table, group, user)
    checked = time.perf_counter()
    if not plan.can_apply:
        for row in plan.refused[:5]:
            print(f"  row {row.number}: {[e.message for e in row.errors]}", file=sys.stderr)
        raise SystemExit(f"The file was refused: {len(plan.refused)} rows, {plan.file_errors}")
    print(
        f"dry run: parse {parsed - started:.1f} s, check {checked - parsed:.1f} s ({len(queries)} queries), "
        f"{args.rows / (checked - started):,.0f} rows/s"
    )

    for run in range(args.runs):
        keep = args.keep and run == args.runs - 1
        started = time.perf_counter()
        try:
            counter = QueryCounter()
            with transaction.atomic(), connection.execute_wrapper(counter):
                plan = register_io.import_file(data, "historik.xlsx", group, user)
                written = time.perf_counter()
                assert plan.created == args.rows, plan.created
                assert Incident.objects.filter(group=group).count() == before + args.rows
                if not keep:
                    raise RolledBack
        except RolledBack:
            pass
        elapsed = written - started
        print(
            f"import {run + 1}: {plan.created} incidents in {elapsed:.1f} s ({counter.n} queries, "
            f"{counter.seconds:.1f} s of them waiting for the database), "
            f"{plan.created / elapsed:,.0f} rows/s{'' if keep else ' (rolled back)'}"
        )
    print(f"incidents in the group now: {Incident.objects.filter(group=group).count()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
