"""The physical-security part of the storkommun data set: sites, buildings, key systems, locks,
keys and who holds them, on a database bench/generate.py has filled.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/varna_bench uv run python bench/key_data.py --keys 200000

Replaces the facilities rows of the group (sites and everything on them) with: 2,000 sites over
the group's units, three buildings each, 150 key systems (one in twenty classified) with ten
locks each, and `--keys` keys spread over the systems as real ones are (a few large systems hold
most of them), 60 % handed out to people of the group (a receipt confirmed for nine in ten), 10 %
returned earlier, and among the holders one in fifty whose employment ends within the fortnight
(their keys fall due). The same seed gives the same rows.
"""

import argparse
import datetime
import random
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from generate import setup_django  # noqa: E402

SITES = 2000
BUILDINGS_PER_SITE = 3
SYSTEMS = 150
LOCKS_PER_SYSTEM = 10
BATCH = 5000


def _system_sizes(rng, keys: int) -> list[int]:
    """Keys per system: a long tail (Pareto-like weights), at least one key each."""
    weights = [rng.paretovariate(1.2) for _ in range(SYSTEMS)]
    total = sum(weights)
    sizes = [max(1, int(keys * w / total)) for w in weights]
    sizes[sizes.index(max(sizes))] += keys - sum(sizes)
    return sizes


def generate(keys: int, seed: int = 13) -> dict[str, int]:
    from django.db import connection, transaction
    from django.utils import timezone

    from varna.facilities.models import Building, Key, KeyLoan, KeySystem, Lock, Site
    from varna.organisation.models import MunicipalGroup, OrgUnit, Person

    rng = random.Random(seed)
    group = MunicipalGroup.objects.order_by("pk").first()
    today = timezone.localdate()
    with transaction.atomic():
        KeyLoan.objects.filter(key__system__site__group=group).delete()
        Key.opens.through.objects.filter(key__system__site__group=group).delete()
        Key.objects.filter(system__site__group=group).delete()
        KeySystem.objects.filter(site__group=group).delete()
        Building.objects.filter(site__group=group).delete()
        Site.using_units.through.objects.filter(site__group=group).delete()
        Site.objects.filter(group=group).delete()

        units = list(OrgUnit.objects.filter(group=group, depth__gte=2).order_by("path"))
        sites = Site.objects.bulk_create(
            [
                Site(
                    group=group,
                    unit=rng.choice(units),
                    name=f"Anläggning {i:04d}",
                    code=f"ANL-{i:04d}",
                    kind=rng.choice(["school", "preschool", "care_home", "office", "depot", "sports"]),
                    address=f"Storgatan {i % 300 + 1}",
                )
                for i in range(SITES)
            ],
            batch_size=BATCH,
        )
        Building.objects.bulk_create(
            [
                Building(site=site, name=f"Hus {chr(65 + b)}", code=chr(65 + b))
                for site in sites
                for b in range(BUILDINGS_PER_SITE)
            ],
            batch_size=BATCH,
        )
        system_sites = rng.sample(sites, SYSTEMS)
        people = list(Person.objects.filter(group=group).values_list("pk", flat=True))
        systems = KeySystem.objects.bulk_create(
            [
                KeySystem(
                    site=site,
                    name=f"Nyckelsystem {site.code}",
                    code=f"NS-{i:03d}",
                    administrator_id=rng.choice(people),
                    classification="classified" if i % 20 == 0 else "internal",
                    classification_ground="OSL 18 kap. 8 §" if i % 20 == 0 else "",
                )
                for i, site in enumerate(system_sites)
            ]
        )
        locks = {}
        for system in systems:
            locks[system.pk] = Lock.objects.bulk_create(
                [Lock(system=system, code=f"D-{n:02d}", name=f"Dörr {n}") for n in range(LOCKS_PER_SYSTEM)]
            )
        leaving = set(rng.sample(people, len(people) // 50))
        Person.objects.filter(pk__in=leaving).update(employment_end=today + datetime.timedelta(days=7))
        created = {"keys": 0, "loans": 0, "opens": 0}
        for system, size in zip(systems, _system_sizes(rng, keys), strict=True):
            for start in range(0, size, BATCH):
                batch = Key.objects.bulk_create(
                    [
                        Key(system=system, number=f"{system.code}-{n:06d}", series=f"S{n % 40:02d}")
                        for n in range(start, min(size, start + BATCH))
                    ]
                )
                opens, loans = [], []
                for key in batch:
                    for lock in rng.sample(locks[system.pk], rng.randint(1, 3)):
                        opens.append(Key.opens.through(key_id=key.pk, lock_id=lock.pk))
                    draw = rng.random()
                    handed = today - datetime.timedelta(days=rng.randint(1, 3000))
                    if draw < 0.6:
                        loans.append(
                            KeyLoan(
                                key=key,
                                person_id=rng.choice(people),
                                handed_out_on=handed,
                                confirmed_at=timezone.now() if rng.random() < 0.9 else None,
                            )
                        )
                    elif draw < 0.7:
                        loans.append(
                            KeyLoan(
                                key=key,
                                person_id=rng.choice(people),
                                handed_out_on=handed,
                                returned_on=min(today, handed + datetime.timedelta(days=rng.randint(1, 400))),
                            )
                        )
                Key.opens.through.objects.bulk_create(opens, batch_size=BATCH)
                KeyLoan.objects.bulk_create(loans, batch_size=BATCH)
                created["keys"] += len(batch)
                created["opens"] += len(opens)
                created["loans"] += len(loans)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {"sites": SITES, "buildings": SITES * BUILDINGS_PER_SITE, "systems": SYSTEMS, **created}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keys", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args(argv)
    setup_django()
    started = time.perf_counter()
    sizes = generate(args.keys, args.seed)
    print(", ".join(f"{n} {name}" for name, n in sizes.items()) + f" in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
