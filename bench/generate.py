"""Generate a municipal data set at a named scale, for the benchmark harness (bench/run.py).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/varna_bench \\
        uv run python bench/generate.py --scale storkommun [--profile harjedalen] [--seed 2026] [--reset]

Migrates the database in DATABASE_URL, loads the profile's demo municipality if no municipal
group exists, then adds generated rows on top of what is there: org units in a realistic tree,
people with employee numbers, role assignments (current and ended), external parties with
contracts. Everything is built in Python and written with bulk_create in batches, so history
tables (simple_history) get no rows for generated data. The same seed gives the same data.

Finally it creates two bench users to measure as (password below, or use force_login):
the group security coordinator (sees everything) and the head of the largest administration
(a scoped user).
"""

import argparse
import datetime
import os
import random
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"
if str(SRC) not in sys.path:
    sys.path.insert(0, str(SRC))

BENCH_PASSWORD = "bench-varna-2026"
COORDINATOR_USERNAME = "bench-samordnare"
HEAD_USERNAME = "bench-chef"
BATCH = 5000


@dataclass(frozen=True)
class Scale:
    administrations: int  # totals, including what the demo already has
    activities: int
    companies: int
    units: int  # all org units, every level
    people: int
    parties: int


SCALES = {
    "demo": None,
    "medium": Scale(administrations=8, activities=30, companies=6, units=150, people=6_000, parties=200),
    "storkommun": Scale(administrations=12, activities=150, companies=20, units=1_500, people=60_000, parties=2_000),
}

# --- Swedish vocabulary (every name generated from it is fictitious) ---------------------------


def _words(text: str) -> list[str]:
    return text.split()


FIRST_NAMES = _words(
    "Anna Eva Maria Karin Sara Lena Kerstin Emma Ingrid Malin Linnea Sofia Elin Johanna Ida Hanna Julia "
    "Elsa Maja Alice Ebba Wilma Klara Agnes Frida Moa Helena Camilla Jenny Annika Therese Susanne Åsa "
    "Birgitta Margareta Marie Ulla Linda Cecilia Petra Sanna Nora Saga Amira Fatima Leila Yasmin Aisha "
    "Lars Mikael Anders Johan Per Erik Karl Peter Jan Thomas Daniel Fredrik Hans Andreas Stefan Mats "
    "Magnus Jonas Mattias Oskar Gustav Nils Olof Björn Henrik Niklas Viktor Axel Emil Filip Lucas Hugo "
    "Elias William Alexander Sebastian Jakob Martin Tobias Robert Patrik Joakim Ali Mohammed Ahmed Omar "
    "Hassan Yusuf Ibrahim Göran Leif Bengt Åke Kjell Rolf Sven"
)
# Common Swedish surnames, roughly in order of frequency; weights fall off like a Zipf curve,
# so the first (Andersson) is the "common surname" the harness searches for.
LAST_NAMES = _words(
    "Andersson Johansson Karlsson Nilsson Eriksson Larsson Olsson Persson Svensson Gustafsson Pettersson "
    "Jonsson Jansson Hansson Bengtsson Jönsson Lindberg Jakobsson Magnusson Olofsson Lindström Lindqvist "
    "Lindgren Berg Axelsson Bergström Lundberg Lind Lundgren Lundqvist Mattsson Berglund Fredriksson "
    "Sandberg Henriksson Forsberg Sjöberg Ali Wallin Mohammed Engström Eklund Danielsson Lundin Håkansson "
    "Björk Bergman Gunnarsson Holm Wikström Samuelsson Isaksson Fransson Bergqvist Nyström Holmberg "
    "Arvidsson Löfgren Söderberg Nyberg Blomqvist Claesson Nordström Mårtensson Lundström Ahmed Viklund "
    "Björklund Eliasson Pålsson Hassan Berggren Sandström Lund Nordin Ström Åberg Hermansson Ekström "
    "Falk Holmgren Dahlberg Hellström Hedlund Sundberg Sjögren Ek Blom Abrahamsson Martinsson Öberg "
    "Andreasson Strömberg Månsson Åkesson Hansen Norberg Lindholm Dahl Jonasson Sundqvist Nordqvist"
)
# The long tail: compound surnames (Bergqvist, Sjödahl, ...), together 60 % of people, so that the
# most common surname holds about 2 % of them, as Andersson does in Sweden.
TAIL_NAMES = [
    f"{a}{b}"
    for a in _words("Berg Lind Sjö Ek Björk Gran Ahl Sand Lund Holm Ny Norr Sö Öst Väst Hag Dahl Fors Ström Wall Hed")
    for b in _words("berg lund ström qvist gren dahl holm sten mark bäck hage by ling man lin")
    if a.lower() != b
]
_top = [1 / (rank + 1) ** 0.5 for rank in range(len(LAST_NAMES))]
SURNAMES = LAST_NAMES + TAIL_NAMES
SURNAME_WEIGHTS = [0.4 * w / sum(_top) for w in _top] + [0.6 / len(TAIL_NAMES)] * len(TAIL_NAMES)

PLACES = _words(
    "Norr Söder Öster Väster Centrum Björkhagen Granbacken Tallåsen Ekdalen Lindvallen Sjöstaden Åkerby "
    "Bergsjön Hagalund Ängsby Kvarnbacken Strandvik Furulund Solberga Lillåsen Rosendal Backa Mossen "
    "Högdalen Bäckby Skogsby Vallby Hammarby Ladugårdsängen Stenhagen Fjällsta Älvsborg Kyrkbyn Hamnen"
)

ADMINISTRATIONS = [
    ("Samhällsbyggnadsförvaltningen", "SBF", "Samhällsbyggnadsnämnden"),
    ("Vård- och omsorgsförvaltningen", "VOF", "Vård- och omsorgsnämnden"),
    ("Kultur- och fritidsförvaltningen", "KFF", "Kultur- och fritidsnämnden"),
    ("Gymnasie- och vuxenutbildningsförvaltningen", "GVF", "Gymnasie- och vuxenutbildningsnämnden"),
    ("Miljöförvaltningen", "MF", "Miljönämnden"),
    ("Arbetsmarknadsförvaltningen", "AMF", "Arbetsmarknadsnämnden"),
    ("Räddningstjänsten", "RTJ", "Räddningsnämnden"),
    ("Serviceförvaltningen", "SEF", "Servicenämnden"),
    ("Förskoleförvaltningen", "FSF", "Förskolenämnden"),
    ("Stadsbyggnadsförvaltningen", "SBK", "Stadsbyggnadsnämnden"),
    ("Överförmyndarförvaltningen", "ÖFF", "Överförmyndarnämnden"),
    ("Fritidsförvaltningen", "FRF", "Fritidsnämnden"),
    ("Idrottsförvaltningen", "IDF", "Idrottsnämnden"),
    ("Trafikförvaltningen", "TRF", "Trafiknämnden"),
]

COMPANIES = [
    "Bostadsbolaget",
    "Energi",
    "Vatten och Avfall",
    "Hamn",
    "Parkering",
    "Fastigheter",
    "Näringslivsbolaget",
    "Stadsnät",
    "Flygplats",
    "Turism och Evenemang",
    "Industrilokaler",
    "Kraftvärme",
    "Renhållning",
    "Studentbostäder",
    "Science Park",
    "Utvecklingsbolaget",
    "Teaterbolaget",
    "Arenabolaget",
    "Skogsbolaget",
    "Biogas",
    "Kollektivtrafik",
    "Omsorgsfastigheter",
]

# Activities and units by the theme of their administration (found from words in its name).
THEMES = {
    "school": (
        ("utbild", "skol", "barn", "gymnas", "försk"),
        ["Grundskola", "Förskola", "Fritidshem", "Elevhälsa", "Modersmål", "Särskola", "Gymnasium", "Vuxenutbildning"],
        ["{place}skolan", "{place}s förskola", "Förskolan {place}", "{place}skolan, fritids"],
    ),
    "care": (
        ("social", "omsorg", "vård"),
        ["Hemtjänst", "Särskilt boende", "Hemsjukvård", "LSS", "Individ- och familjeomsorg", "Socialpsykiatri"],
        ["Hemtjänst {place}", "{place}s äldreboende", "Gruppbostad {place}", "Daglig verksamhet {place}"],
    ),
    "technical": (
        ("tekn", "samhälls", "bygg", "miljö", "trafik"),
        ["Fastighet", "Gata och park", "VA-drift", "Bygglov", "Miljötillsyn", "Trafik", "Mark och exploatering"],
        ["Driftområde {place}", "Förråd {place}", "Arbetslag {place}"],
    ),
    "culture": (
        ("kultur", "fritid", "idrott"),
        ["Bibliotek", "Fritidsgårdar", "Idrottsanläggningar", "Kulturskola", "Museum"],
        ["{place}s bibliotek", "Fritidsgården {place}", "{place}badet"],
    ),
    "rescue": (
        ("räddning",),
        ["Operativ verksamhet", "Förebyggande", "Larm och ledning", "Beredskap"],
        ["Brandstation {place}", "Räddningsvärn {place}", "Skiftlag {place}"],
    ),
    "labour": (
        ("arbetsmarknad",),
        ["Arbetsmarknadsinsatser", "Försörjningsstöd", "Integration", "Vuxenutbildning"],
        ["Jobbtorg {place}", "Arbetslag {place}"],
    ),
    "central": (
        ("lednings", "service", "överförmyndar", "kansli"),
        ["Ekonomi", "HR", "IT", "Kommunikation", "Kansli", "Upphandling", "Kontaktcenter", "Måltid", "Lokalvård"],
        ["Team {place}", "Enhet {place}", "Gruppen {place}"],
    ),
}
COMPANY_UNITS = ["Drift", "Förvaltning", "Kundservice", "Projekt", "Underhåll", "Ekonomi", "Marknad"]

TITLES = {
    "school": ["Lärare", "Förskollärare", "Barnskötare", "Fritidspedagog", "Elevassistent", "Speciallärare"],
    "care": ["Undersköterska", "Vårdbiträde", "Sjuksköterska", "Stödassistent", "Socialsekreterare", "Boendestödjare"],
    "technical": ["Fastighetsskötare", "Drifttekniker", "Ingenjör", "Handläggare", "Inspektör", "Arbetsledare"],
    "culture": ["Bibliotekarie", "Fritidsledare", "Badmästare", "Kulturpedagog", "Vaktmästare"],
    "rescue": ["Brandman", "Styrkeledare", "Brandinspektör", "Räddningschef i beredskap"],
    "labour": ["Arbetskonsulent", "Handläggare", "Jobbcoach", "Studie- och yrkesvägledare"],
    "central": ["Controller", "HR-specialist", "IT-tekniker", "Kommunikatör", "Handläggare", "Måltidsbiträde"],
    "company": ["Drifttekniker", "Kundtjänstmedarbetare", "Projektledare", "Ekonom", "Montör", "Förvaltare"],
}

PARTY_WORDS = _words(
    "Norr Syd Fjäll Älv Skog Sjö Berg Dal Strand Ås Kust Mälar Vättern Polar Nord Väst Öst Granit Ek Björk "
    "Tall Ljus Sten Järn Falk Örn Varg"
)
PARTY_TRADES = {
    "contractor": ["Bygg", "Entreprenad", "El", "VVS", "Mark och Anläggning", "Måleri", "Tak", "Rivning"],
    "hired_staff": ["Bemanning", "Vårdbemanning", "Personalpool", "Rekrytering"],
    "consultant": ["Konsult", "Arkitekter", "Advokatbyrå", "Revision", "IT-konsult", "Säkerhetskonsult"],
    "supplier": ["Larm", "Säkerhet", "Städ", "Livs", "Kontorsvaror", "Data", "Transport", "Lås", "Fordon"],
    "other": ["Förening", "Stiftelse", "Utbildning", "Tolktjänst"],
}
PARTY_KIND_WEIGHTS = {"contractor": 30, "hired_staff": 10, "consultant": 20, "supplier": 35, "other": 5}
CONTRACT_TITLES = {
    "contractor": ["Ramavtal byggentreprenad", "Ramavtal elarbeten", "Underhållsentreprenad", "Markarbeten"],
    "hired_staff": ["Inhyrd personal", "Bemanning sjuksköterskor", "Bemanning vikarier"],
    "consultant": ["Konsulttjänster", "Juridisk rådgivning", "Granskning", "Utredning"],
    "supplier": ["Larm och bevakning", "Lokalvård", "Livsmedel", "IT-drift", "Låsservice", "Leasing fordon"],
    "other": ["Samverkansavtal", "Tolktjänster", "Föreningsbidrag med avtal"],
}
BOARD_PREFIXES = ["KS", "TN", "BUN", "SN", "SBN", "KFN", "VON"]


def ascii_slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()
    return "".join(ch for ch in text if ch.isalnum() or ch in ".-")


def theme_of(name: str) -> str:
    lower = name.lower()
    for key, (words, _activities, _units) in THEMES.items():
        if any(word in lower for word in words):
            return key
    return "central"


@dataclass
class PlannedUnit:
    """A unit to be created; `parent` is an OrgUnit or another PlannedUnit."""

    kind: str
    name: str
    code: str
    parent: object
    theme: str
    body: object = None
    obj: object = None
    children: list = field(default_factory=list)


def setup_django() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "varna.settings"
    os.environ["VARNA_ENV"] = "development"
    import django

    django.setup()


def levels(profile):
    """(root, administration, activity, unit, company) level keys from the profile's order."""
    plain = [k for k, v in profile.unit_levels.items() if not v["company"]]
    company = profile.company_levels()
    if len(plain) < 4 or not company:
        raise SystemExit(f"The profile {profile.key} needs four plain levels and a company level to generate data.")
    return plain[0], plain[1], plain[2], plain[3], company[0]


def role_keys(profile):
    """(group coordinator, head, unit coordinator) role keys."""
    heads = profile.roles_with(responsibility="head")
    coordinators = profile.roles_with(responsibility="coordinator")
    group_coord = next((k for k in coordinators if "group" in k), None)
    unit_coord = next((k for k in coordinators if k != group_coord), None)
    if not heads or not group_coord or not unit_coord:
        raise SystemExit(f"The profile {profile.key} lacks a head, a group coordinator or a unit coordinator role.")
    return group_coord, heads[0], unit_coord


class Generator:
    def __init__(self, group, profile, scale: Scale, seed: int):
        from django.utils import timezone

        self.group = group
        self.profile = profile
        self.scale = scale
        self.rng = random.Random(seed)
        self.today = timezone.localdate()
        self.root_level, self.admin_level, self.activity_level, self.unit_level, self.company_level = levels(profile)
        self.group_coord_role, self.head_role, self.coord_role = role_keys(profile)

    # --- org units ------------------------------------------------------------------------

    def plan_units(self):
        from varna.organisation.models import Body, OrgUnit

        rng = self.rng
        existing = list(OrgUnit.objects.filter(group=self.group).order_by("path"))
        self.codes = {u.code for u in existing}
        by_kind: dict[str, list] = {}
        for unit in existing:
            by_kind.setdefault(unit.kind, []).append(unit)
        root = next(u for u in existing if u.parent_id is None)
        self.root = root
        self.existing_units = existing
        # An existing unit takes the theme of its administration (the first unit below the root).
        names = {u.pk: u.name for u in existing}
        self.theme = {}
        for u in existing:
            top = names[int(u.path.split(".")[1])] if u.depth >= 1 else u.name
            self.theme[u.pk] = "company" if u.kind == self.company_level else theme_of(top)
        plans: list[PlannedUnit] = []
        new_bodies: list = []
        council = Body.objects.filter(group=self.group, kind="council").first()

        def unique(code: str) -> str:
            candidate, n = code, 2
            while candidate in self.codes:
                candidate, n = f"{code}{n}", n + 1
            self.codes.add(candidate)
            return candidate

        def body(kind: str, name: str):
            b = Body(group=self.group, kind=kind, name=name, parent=council if kind == "committee" else None)
            new_bodies.append(b)
            return b

        # Administrations under the root, each with its committee.
        admins = [(u, self.theme[u.pk]) for u in by_kind.get(self.admin_level, [])]
        names = [a for a in ADMINISTRATIONS if a[0] not in {u.name for u, _ in admins}]
        for name, code, committee in names[: max(0, self.scale.administrations - len(admins))]:
            plan = PlannedUnit(self.admin_level, name, unique(code), root, theme_of(name), body("committee", committee))
            plans.append(plan)
            admins.append((plan, plan.theme))

        # Activities under administrations: bigger administrations (care, school) get more.
        n_activities = max(0, self.scale.activities - len(by_kind.get(self.activity_level, [])))
        weights = [3 if theme in ("care", "school") else 1 for _, theme in admins]
        activities = [(u, self.theme[u.pk]) for u in by_kind.get(self.activity_level, [])]
        counters: dict[int, int] = {}
        for admin, theme in rng.choices(admins, weights=weights, k=n_activities):
            counters[id(admin)] = counters.get(id(admin), 0) + 1
            base = rng.choice(THEMES[theme][1])
            plan = PlannedUnit(
                self.activity_level,
                f"{base} {rng.choice(PLACES)}",
                unique(f"{admin.code}-{counters[id(admin)]:02d}"),
                admin,
                theme,
                self._body_of(admin),
            )
            plans.append(plan)
            activities.append((plan, theme))

        # Companies: under the holding company if there is one, a few a level further down.
        companies = list(by_kind.get(self.company_level, []))
        holding = companies[0] if companies else root
        prefix = self.group.municipality_name.replace(" kommun", "")
        for i, name in enumerate(COMPANIES[: max(0, self.scale.companies - len(companies))]):
            parent = holding if i % 6 != 5 or len(companies) < 2 else rng.choice(companies[1:])
            full = f"{prefix} {name} AB"
            plan = PlannedUnit(
                self.company_level, full, unique(f"BOL{i + 1:02d}"), parent, "company", body("company_board", full)
            )
            plans.append(plan)
            companies.append(plan)

        # Units: most under activities, some in companies, and one in seven nested under another unit.
        n_units = self.scale.units - len(existing) - len(plans)
        units: list = []
        for _ in range(max(0, n_units)):
            roll = rng.random()
            if roll < 0.08 and companies:
                parent, theme = rng.choice(companies), "company"
                name = f"{rng.choice(COMPANY_UNITS)} {rng.choice(PLACES)}"
            elif roll < 0.22 and units:
                parent, theme = rng.choice(units)
                name = f"{parent.name} {rng.choice(['lag', 'avdelning', 'grupp'])} {rng.randint(1, 9)}"
            else:
                parent, theme = rng.choice(activities)
                template = rng.choice(THEMES[theme if theme in THEMES else "central"][2])
                name = template.format(place=rng.choice(PLACES))
            counters[id(parent)] = counters.get(id(parent), 0) + 1
            plan = PlannedUnit(
                self.unit_level,
                name,
                unique(f"{parent.code}-{counters[id(parent)]:02d}"),
                parent,
                theme,
                self._body_of(parent),
            )
            plans.append(plan)
            units.append((plan, theme))
        return plans, new_bodies

    @staticmethod
    def _body_of(parent):
        if isinstance(parent, PlannedUnit):
            return parent.body
        return parent.responsible_body if parent.responsible_body_id else None

    def create_units(self):
        from varna.organisation.models import Body, OrgUnit

        plans, bodies = self.plan_units()
        Body.objects.bulk_create(bodies, batch_size=BATCH)
        pending = plans
        created: list = []
        while pending:
            # One wave: every planned unit whose parent already exists, then its paths.
            wave = [p for p in pending if not isinstance(p.parent, PlannedUnit) or p.parent.obj is not None]
            in_wave = {id(p) for p in wave}
            pending = [p for p in pending if id(p) not in in_wave]
            objs = []
            for p in wave:
                parent = p.parent.obj if isinstance(p.parent, PlannedUnit) else p.parent
                p.obj = OrgUnit(
                    group=self.group,
                    parent=parent,
                    kind=p.kind,
                    name=p.name[:200],
                    code=p.code,
                    responsible_body=p.body,
                )
                objs.append(p.obj)
            OrgUnit.objects.bulk_create(objs, batch_size=BATCH)
            for p in wave:
                parent = p.obj.parent
                p.obj.path = f"{parent.path if parent else ''}{p.obj.pk:06d}."
                p.obj.depth = p.obj.path.count(".") - 1
            OrgUnit.objects.bulk_update(objs, ["path", "depth"], batch_size=BATCH)
            created.extend(p.obj for p in wave)
        self.theme.update({p.obj.pk: p.theme for p in plans})
        self.units = [*self.existing_units, *created]
        return created, bodies

    # --- people ---------------------------------------------------------------------------

    def create_people(self):
        from varna.organisation.models import Person

        rng = self.rng
        existing_numbers = set(
            Person.objects.filter(group=self.group)
            .exclude(employee_number="")
            .values_list("employee_number", flat=True)
        )
        # Units vary in size (log-normal); care and schools are the big employers, companies small.
        weight_by_kind = {self.root_level: 0.2, self.admin_level: 3, self.activity_level: 4, self.company_level: 3}
        weight_by_theme = {"care": 1.6, "school": 1.5, "company": 0.6}
        units = self.units
        weights = [
            weight_by_kind.get(u.kind, 1) * weight_by_theme.get(self.theme[u.pk], 1) * rng.lognormvariate(3.4, 0.7)
            for u in units
        ]
        # Every unit has at least one person (its head is chosen among them); the rest by weight.
        n_existing = Person.objects.filter(group=self.group).count()
        n_new = max(0, self.scale.people - n_existing)
        assigned = list(units[: min(len(units), n_new)]) + rng.choices(
            units, weights=weights, k=max(0, n_new - len(units))
        )
        people = []
        number = 100_000
        domain = "kommun.example.se"
        for i, unit in enumerate(assigned):
            number += 1
            while str(number) in existing_numbers:
                number += 1
            first = rng.choice(FIRST_NAMES)
            last = rng.choices(SURNAMES, weights=SURNAME_WEIGHTS)[0]
            start = self.today - datetime.timedelta(days=int(rng.expovariate(1 / 2500)) + 1)
            end = None
            if rng.random() < 0.02:
                end = self.today - datetime.timedelta(days=rng.randint(1, 700))
                start = min(start, end - datetime.timedelta(days=30))
            people.append(
                Person(
                    group=self.group,
                    first_name=first,
                    last_name=last,
                    title=rng.choice(TITLES[self.theme.get(unit.pk, "central")]),
                    employee_number=str(number),
                    email=f"{ascii_slug(first)}.{ascii_slug(last)}{i % 97 or ''}@{domain}",
                    phone=f"070-{rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
                    unit=unit,
                    employment_start=start,
                    employment_end=end,
                )
            )
        Person.objects.bulk_create(people, batch_size=BATCH)
        self.people_by_unit: dict[int, list] = {}
        for person in people:
            if person.employment_end is None:
                self.people_by_unit.setdefault(person.unit_id, []).append(person)
        return people

    # --- role assignments -----------------------------------------------------------------

    def create_roles(self):
        from varna.organisation.models import Person, RoleAssignment

        rng = self.rng
        today = self.today
        current = RoleAssignment.objects.current(today).filter(unit__group=self.group)
        has = set(current.values_list("unit_id", "role"))
        roles: list = []
        retitled: list = []

        def since() -> datetime.date:
            return today - datetime.timedelta(days=rng.randint(30, 8 * 365))

        def pick(unit):
            staff = self.people_by_unit.get(unit.pk)
            return rng.choice(staff) if staff else None

        other_roles = [r for r in ("key_administrator", "document_owner", "reader") if r in self.profile.role_types]
        for unit in self.units:
            level = self.profile.unit_levels.get(unit.kind, {})
            if level.get("expects_head", True) and (unit.pk, self.head_role) not in has and rng.random() < 0.9:
                head = pick(unit)
                if head is not None:
                    start = since()
                    roles.append(RoleAssignment(person=head, role=self.head_role, unit=unit, valid_from=start))
                    head_title = level.get("head_title")
                    if head_title:
                        head.title = head_title.get("sv") or head.title
                        retitled.append(head)
                    if rng.random() < 0.06:
                        # The previous head: an ended assignment.
                        before = pick(unit) or head
                        ended = start - datetime.timedelta(days=1)
                        begun = ended - datetime.timedelta(days=rng.randint(365, 6 * 365))
                        roles.append(
                            RoleAssignment(
                                person=before, role=self.head_role, unit=unit, valid_from=begun, valid_to=ended
                            )
                        )
            if level.get("expects_coordinator") and (unit.pk, self.coord_role) not in has and rng.random() < 0.85:
                coordinator = pick(unit)
                if coordinator is not None:
                    roles.append(
                        RoleAssignment(person=coordinator, role=self.coord_role, unit=unit, valid_from=since())
                    )
            if other_roles and unit.depth >= 1 and rng.random() < 0.12:
                holder = pick(unit)
                if holder is not None:
                    role = rng.choice(other_roles)
                    ended = rng.random() < 0.1
                    valid_to = today - datetime.timedelta(days=rng.randint(1, 900)) if ended else None
                    valid_from = (valid_to or today) - datetime.timedelta(days=rng.randint(30, 2000))
                    roles.append(
                        RoleAssignment(person=holder, role=role, unit=unit, valid_from=valid_from, valid_to=valid_to)
                    )
        RoleAssignment.objects.bulk_create(roles, batch_size=BATCH)
        Person.objects.bulk_update(retitled, ["title"], batch_size=BATCH)
        return roles

    # --- external parties -----------------------------------------------------------------

    def create_parties(self):
        from varna.organisation.models import Contract, ExternalParty

        rng = self.rng
        n_new = max(0, self.scale.parties - ExternalParty.objects.filter(group=self.group).count())
        candidates = [u for u in self.units if u.depth >= 1]
        weight = {self.admin_level: 40, self.activity_level: 6, self.company_level: 10}
        weights = [weight.get(u.kind, 1) for u in candidates]
        subtree: dict[str, list] = {}
        for unit in self.units:
            if unit.depth >= 1:
                top = unit.path.split(".")[1]
                subtree.setdefault(top, []).append(unit)
        kinds = list(PARTY_KIND_WEIGHTS)
        kind_weights = list(PARTY_KIND_WEIGHTS.values())
        parties, contract_units = [], []
        contracts: list = []
        used_names: set[str] = set()
        for i in range(n_new):
            kind = rng.choices(kinds, weights=kind_weights)[0]
            unit = rng.choices(candidates, weights=weights)[0]
            name = (
                f"{rng.choice(PARTY_WORDS)}{rng.choice(['', 's', 'lands', 'dalens'])} {rng.choice(PARTY_TRADES[kind])}"
            )
            name = f"{name} {rng.choice(['AB', 'AB', 'AB', 'HB', 'Ekonomisk förening'])}"
            if name in used_names:
                name = f"{name} ({rng.choice(PLACES)})"
            used_names.add(name)
            roll = rng.random()
            classification = "classified" if roll < 0.05 else "public" if roll < 0.15 else "internal"
            contact_first, contact_last = rng.choice(FIRST_NAMES), rng.choices(SURNAMES, weights=SURNAME_WEIGHTS)[0]
            party = ExternalParty(
                group=self.group,
                name=name,
                kind=kind,
                unit=unit,
                org_number=f"55{rng.randint(0, 9999):04d}-{rng.randint(0, 9999):04d}",
                contact_name=f"{contact_first} {contact_last}",
                contact_email=f"{ascii_slug(contact_first)}@{ascii_slug(name.split()[0])}{i}.example",
                contact_phone=f"0{rng.randint(10, 99)}-{rng.randint(100000, 999999)}",
                classification=classification,
                classification_ground="OSL 18 kap. 8 §" if classification == "classified" else "",
            )
            parties.append(party)
            for _ in range(rng.choice([1, 1, 2, 2, 2, 3])):
                start = self.today - datetime.timedelta(days=rng.randint(0, 8 * 365))
                end = None if rng.random() < 0.2 else start + datetime.timedelta(days=rng.randint(365, 5 * 365))
                contracts.append(
                    Contract(
                        party=party,
                        title=rng.choice(CONTRACT_TITLES[kind]),
                        reference=f"{rng.choice(BOARD_PREFIXES)} {start.year}/{rng.randint(1, 400)}",
                        valid_from=start,
                        valid_to=end,
                    )
                )
                served = {unit}
                pool = subtree.get(unit.path.split(".")[1], [unit])
                served.update(rng.sample(pool, min(len(pool), rng.choice([0, 0, 1, 2, 3]))))
                contract_units.append(sorted(served, key=lambda u: u.pk))
        ExternalParty.objects.bulk_create(parties, batch_size=BATCH)
        for contract in contracts:
            contract.party_id = contract.party.pk
        Contract.objects.bulk_create(contracts, batch_size=BATCH)
        Through = Contract.units.through
        links = [
            Through(contract_id=contract.pk, orgunit_id=unit.pk)
            for contract, served in zip(contracts, contract_units, strict=True)
            for unit in served
        ]
        Through.objects.bulk_create(links, batch_size=BATCH)
        return parties, contracts, links


def bench_users(group, profile):
    """The group security coordinator and the head of the largest administration, as users."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from varna.organisation.models import OrgUnit, Person, RoleAssignment

    User = get_user_model()
    group_coord, head_role, _unit_coord = role_keys(profile)
    _root_level, admin_level, *_ = levels(profile)
    root = OrgUnit.objects.get(group=group, parent__isnull=True)
    admins = list(OrgUnit.objects.filter(group=group, kind=admin_level))
    sizes = dict(
        Person.objects.filter(group=group, unit__depth__gte=1)
        .values_list("unit__path")
        .annotate(n=Count("id"))
        .values_list("unit__path", "n")
    )
    size_of = {a.pk: sum(n for path, n in sizes.items() if path.startswith(a.path)) for a in admins}
    largest = max(admins, key=lambda a: (size_of[a.pk], -a.pk))

    def make_user(username: str, first: str, last: str):
        user, _ = User.objects.get_or_create(username=username, defaults={"first_name": first, "last_name": last})
        user.set_password(BENCH_PASSWORD)
        user.save()
        return user

    # The group coordinator: a new person in the first administration with the group-wide role.
    coordinator = User.objects.filter(username=COORDINATOR_USERNAME).first()
    if coordinator is None:
        coordinator = make_user(COORDINATOR_USERNAME, "Siv", "Bänkström")
        first_admin = min(admins, key=lambda a: a.pk)
        person = Person.objects.create(
            group=group,
            first_name="Siv",
            last_name="Bänkström",
            title="Säkerhetssamordnare",
            email="siv.bankstrom@kommun.example.se",
            unit=first_admin,
            user=coordinator,
        )
        RoleAssignment.objects.create(person=person, role=group_coord, unit=root)

    # The scoped head: the current head of the largest administration, given a bench login.
    head_user = User.objects.filter(username=HEAD_USERNAME).first()
    if head_user is None:
        head_assignment = (
            RoleAssignment.objects.current().filter(unit=largest, role=head_role).select_related("person").first()
        )
        if head_assignment is not None and head_assignment.person.user_id is None:
            person = head_assignment.person
            head_user = make_user(HEAD_USERNAME, person.first_name, person.last_name)
            person.user = head_user
            person.save(update_fields=["user"])
        elif head_assignment is not None:
            head_user = head_assignment.person.user
            head_user.set_password(BENCH_PASSWORD)
            head_user.save()
        else:
            head_user = make_user(HEAD_USERNAME, "Bo", "Bänkström")
            person = Person.objects.create(
                group=group,
                first_name="Bo",
                last_name="Bänkström",
                title="Förvaltningschef",
                unit=largest,
                user=head_user,
            )
            RoleAssignment.objects.create(person=person, role=head_role, unit=largest)
    return coordinator, head_user, largest, size_of[largest.pk]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=list(SCALES), default="storkommun")
    parser.add_argument("--profile", default=None, help="policy profile key (default: VARNA_PROFILE or harjedalen)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--reset", action="store_true", help="empty the database first (flush): everything in it is deleted"
    )
    args = parser.parse_args(argv)

    started = time.perf_counter()
    setup_django()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction

    from varna.organisation.demo import load_demo
    from varna.organisation.models import MunicipalGroup
    from varna.organisation.profiles import load_profile

    db = settings.DATABASES["default"]
    print(f"Database: {db['ENGINE'].rsplit('.', 1)[-1]} {db.get('NAME')}")
    call_command("migrate", interactive=False, verbosity=0)
    if args.reset:
        call_command("flush", interactive=False, verbosity=0)
        print("Emptied the database (--reset).")
    profile_key = args.profile or settings.VARNA_PROFILE
    profile = load_profile(profile_key)

    def step(label: str, since: float) -> float:
        now = time.perf_counter()
        print(f"  {label:<44} {now - since:6.1f} s")
        return now

    t = time.perf_counter()
    group = MunicipalGroup.objects.order_by("pk").first()
    if group is None:
        group, _logins = load_demo(profile)
        t = step(f"demo of profile {profile_key}", t)
    else:
        profile = group.profile
        print(f"Using the existing group {group} (profile {profile.key}).")

    scale = SCALES[args.scale]
    if get_user_model().objects.filter(username=COORDINATOR_USERNAME).exists():
        print(
            "This database already holds generated data (the bench users exist). "
            "Run with --reset to start again from an empty database.",
            file=sys.stderr,
        )
        return 1
    if scale is not None:
        generator = Generator(group, profile, scale, args.seed)
        with transaction.atomic():
            created, bodies = generator.create_units()
            t = step(f"{len(created)} org units, {len(bodies)} bodies", t)
            people = generator.create_people()
            t = step(f"{len(people)} people", t)
            roles = generator.create_roles()
            t = step(f"{len(roles)} role assignments", t)
            parties, contracts, links = generator.create_parties()
            t = step(f"{len(parties)} external parties, {len(contracts)} contracts ({len(links)} unit links)", t)
    with transaction.atomic():
        coordinator, head, admin, admin_people = bench_users(group, profile)
    t = step("bench users", t)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        t = step("VACUUM ANALYZE", t)

    from django.utils import timezone

    from varna.organisation.models import Contract, ExternalParty, OrgUnit, Person, RoleAssignment

    ended = RoleAssignment.objects.filter(valid_to__lt=timezone.localdate()).count()
    print(
        f"\nScale {args.scale}: {OrgUnit.objects.count()} org units, {Person.objects.count()} people, "
        f"{RoleAssignment.objects.count()} role assignments ({ended} ended), "
        f"{ExternalParty.objects.count()} external parties, {Contract.objects.count()} contracts."
    )
    print(f"Bench users (password {BENCH_PASSWORD!r}):")
    print(f"  {coordinator.username:<20} group security coordinator, sees all")
    print(f"  {head.username:<20} head of {admin.name} (unit {admin.pk}, {admin_people} people in its subtree)")
    print(f"Generated in {time.perf_counter() - started:.1f} s (budget 600 s).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
