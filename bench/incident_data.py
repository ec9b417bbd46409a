"""Incidents, their costs and the insurance policies they are claimed under, for bench/generate.py.

Rows are written with PostgreSQL's COPY (psycopg's `cursor.copy`), ids chosen here and the
identity sequences moved past them afterwards: a million incidents and their cost items take
about a minute instead of the ten that `bulk_create` would. On another database (SQLite) the
same rows go through `bulk_create`. As everywhere in the bench, no history rows are written.

What the rows look like (per incident unless said otherwise):

- when: spread over the ten years up to now, a little denser towards today (more reporting),
  70 % in the daytime; the ids follow the time of the report, as they would in production;
- unit: every org unit below the root, weighted by kind (activities 3, administrations 2,
  companies 1.5, units 1), by theme (schools 2, care 1.6) and by a log-normal size;
- category: near misses 14 %, accidents 12 %, vandalism 14 %, graffiti 12 %, theft 9 %,
  burglary 4 %, fire 3 %, threat and violence 15 %, water damage 4 %, IT 6 %, disruption 6 %,
  extraordinary events 0.5 %; threats and violence are classified (as in the demo), 1 % of the
  rest too;
- place: one of a few thousand strings ("Björkskolan, matsalen"): each unit has one to three
  sites of its theme and reports mostly from them; 4 % without a place;
- costs: about 60 % have one or two cost items (fewer for near misses and threats, most for
  damage), amounts log-normal around a typical cost of the category; a closed incident's items
  have a final amount (95 %), an open one's only an estimate; `cost_estimated`, `cost_final` and
  `cost` are the sums `services.update_costs` would write; a closed incident without costs is
  marked `no_damage_cost` in 70 % of cases;
- insurance: damage above the deductible is claimed in 85 % of cases under the property policy
  valid on the day (the demo's from four years back, a generated one before it), large IT
  incidents under the cyber policy (three years), some accidents under the pupils' accident
  policy; `deductible` from the policy's cover, `insurer_paid` = final cost less the deductible
  once closed;
- status by age: older than four months 98.5 % closed; the last weeks mostly reported or under
  investigation;
- thinning: closed incidents past the profile's retention for personal data
  (`incidents.personal_data_months`) are thinned as the daily job leaves them (texts, reporter
  and position emptied, `thinned_on` set, no persons involved); the others keep a description
  from a Swedish vocabulary ("fönster", the harness's search word, is in about 13 % of
  them), immediate actions for 60 %, findings for half of the closed ones;
- persons involved for most threats and half of the accidents that are not thinned; a link to
  a measure and to a risk of the same unit for 0.5 % each.

The damage figures added up ahead (incidents/summary.py) are rebuilt from the rows at the end,
as `manage.py rebuild_incident_summary` would.
"""

import bisect
import datetime
import itertools
import random
from decimal import Decimal

# (category, weight %, share with costs, median cost SEK, log-normal sigma, cost item kinds)
CATEGORIES = [
    ("near_miss", 14, 0.05, 1_500, 0.8, ["repair"]),
    ("accident", 12, 0.40, 3_000, 1.0, ["staff_time", "other"]),
    ("vandalism", 14, 0.95, 9_000, 1.0, ["repair", "replacement"]),
    ("graffiti", 12, 0.95, 4_500, 0.8, ["clean_up"]),
    ("theft", 9, 0.90, 11_000, 1.0, ["replacement"]),
    ("burglary", 4, 0.95, 28_000, 1.0, ["repair", "replacement"]),
    ("fire", 3, 0.90, 40_000, 1.5, ["repair", "clean_up", "replacement"]),
    ("threat_violence", 15, 0.25, 4_000, 0.9, ["staff_time"]),
    ("water_damage", 4, 0.95, 45_000, 1.1, ["repair", "clean_up"]),
    ("it", 6, 0.60, 15_000, 1.4, ["staff_time", "loss_of_service"]),
    ("disruption", 6, 0.60, 10_000, 1.1, ["loss_of_service", "staff_time"]),
    ("extraordinary", 0.5, 0.90, 120_000, 1.2, ["staff_time", "loss_of_service", "repair"]),
]
SECOND_ITEM = 0.25  # of the incidents with costs, the share with two cost items

DESCRIPTIONS = {
    "near_miss": [
        "Halkolycka nära att inträffa vid entrén, isfläckar på trappan.",
        "En hylla i förrådet var på väg att välta; den förankrades direkt.",
        "Elev nära att klämma fingrarna i en branddörr som stängdes för fort.",
        "Kabel över gången i personalrummet, nästan snubblat.",
        "Ett fönster stod öppet på andra våningen utan spärr.",
    ],
    "accident": [
        "Elev föll i trappan och slog i knät, plåster och kylpåse.",
        "Medarbetare skar sig på en trasig glasruta i köket.",
        "Brukare föll vid förflyttning, kontroll av sjuksköterska.",
        "Personal klämde handen i en dörr, besök på vårdcentral.",
        "Barn skadade handen på trasig dörrstängare.",
    ],
    "vandalism": [
        "Krossade fönster på baksidan under natten.",
        "Sönderslagen belysning och utslitna kablar vid cykelstället.",
        "Någon har sparkat in dörren till soprummet.",
        "Krossad ruta i entrédörren och skadad dörrautomatik.",
        "Stenar kastade mot fönster i gymnastiksalen, två rutor sönder.",
        "Förstörd lekutrustning på gården.",
    ],
    "graffiti": [
        "Klotter på fasaden, sanerat av fastighetsskötare.",
        "Tags på dörrar och skyltar vid huvudentrén.",
        "Klotter med sprayfärg på väggen mot parkeringen.",
        "Etsat klotter i fönster på bottenvåningen.",
    ],
    "theft": [
        "Bärbara datorer saknas efter helgen.",
        "Cyklar stulna från det låsta cykelförrådet.",
        "Plånbok stulen ur personalrummet.",
        "Verktyg och en motorsåg saknas i förrådet.",
        "Surfplattor tagna ur ett olåst klassrum.",
    ],
    "burglary": [
        "Inbrott genom fönster på baksidan, larmet gick.",
        "Uppbrutet fönster i källaren, datorer och projektorer stulna.",
        "Inbrott i förrådet, hänglåset avklippt.",
        "Inbrott i kontoret via uppbruten dörr, kassaskåpet orört.",
    ],
    "fire": [
        "Brand i papperskorg som spred sig till fasaden.",
        "Brand i soprummet, räddningstjänsten släckte.",
        "Glödande diskmaskin i köket, brandlarmet löste ut.",
        "Anlagd brand i en container vid skolgården.",
        "Brand i elcentral, rökskador i korridoren.",
    ],
    "threat_violence": [
        "En besökare hotade personal i receptionen.",
        "Elev slog en medarbetare i samband med konflikt på rasten.",
        "Brukare blev utåtagerande och sparkade personal.",
        "Hot via telefon mot handläggare efter beslut.",
        "Anhörig uppträdde hotfullt vid möte.",
    ],
    "water_damage": [
        "Vattenläcka i undertak efter frysskada.",
        "Stopp i avloppet, vatten i källaren.",
        "Läckande diskmaskin, skadat golv i köket.",
        "Regn in genom trasigt fönster, fuktskada på väggen.",
    ],
    "it": [
        "Nätverket låg nere en förmiddag.",
        "Nätfiskemejl, en användare lämnade ut sitt lösenord.",
        "Skadlig kod på en dator i receptionen, datorn isolerad.",
        "Verksamhetssystemet otillgängligt efter uppdatering.",
        "Borttappad mobiltelefon med tjänstemejl.",
    ],
    "disruption": [
        "Elavbrott i tre timmar, reservkraften startade inte.",
        "Värmen borta i byggnaden under natten.",
        "Hissen ur funktion, brukare fick bäras.",
        "Vattnet avstängt hela dagen efter ledningsbrott.",
    ],
    "extraordinary": [
        "Långvarigt elavbrott i hela kommundelen, krisledningen aktiverad.",
        "Storbrand i närheten, evakuering av verksamheten.",
        "Översvämning efter skyfall, lokalerna stängda en vecka.",
    ],
}
IMMEDIATE_ACTIONS = [
    "Området spärrades av och fastighetsjouren kontaktades.",
    "Chefen underrättades och personalen samlades för genomgång.",
    "Polisen kontaktades och platsen dokumenterades med foton.",
    "Skadan provisoriskt åtgärdad samma dag.",
    "Larmbolaget kallades ut och lokalerna låstes.",
]
FINDINGS = [
    "Rutinen för låsning följdes inte; påminnelse till all personal.",
    "Bristande belysning bidrog; ny belysning beställd.",
    "Ingen brist i rutinerna kunde ses.",
    "Utbildning i konflikthantering planeras för arbetslaget.",
    "Fastighetsägaren åtgärdar skalskyddet.",
]
PERSON_NAMES = [
    "Medarbetare i arbetslaget",
    "Elev i årskurs 8",
    "Brukare (se journal)",
    "Besökare, okänd",
    "Undersköterska",
    "Vikarie",
    "Anhörig",
    "Receptionist",
]
SITE_PREFIXES = [
    "Björk",
    "Ek",
    "Lind",
    "Sol",
    "Ängs",
    "Gran",
    "Tall",
    "Berg",
    "Sjö",
    "Hag",
    "Norr",
    "Sör",
    "Väst",
    "Öst",
    "Furu",
    "Rönn",
    "Asp",
    "Al",
    "Lärk",
    "Vide",
    "Hassel",
    "Äppel",
    "Körsbärs",
    "Ros",
    "Lilje",
    "Klöver",
    "Blåbärs",
    "Lingon",
    "Lönn",
    "Alm",
    "Sälg",
    "Enebacke",
    "Mo",
    "Ås",
    "Dal",
    "Kvarn",
    "Strand",
    "Lunda",
    "Hammar",
    "Vall",
]
SITE_KINDS = {
    "school": ["{p}skolan", "{p}s förskola", "Förskolan {p}hagen", "{p}gymnasiet", "{p}skolans fritidshem"],
    "care": ["{p}gårdens äldreboende", "Gruppbostad {p}vägen", "{p}hemmet", "Daglig verksamhet {p}"],
    "technical": ["Förrådet {p}vägen", "{p}verket", "Depån {p}", "Återvinningscentralen {p}"],
    "culture": ["{p}biblioteket", "Fritidsgården {p}", "{p}badet", "{p}hallen"],
    "rescue": ["Brandstation {p}", "Räddningsvärn {p}"],
    "labour": ["Jobbtorg {p}", "Lärcentrum {p}"],
    "central": ["Kommunhuset {p}", "Kontorshuset {p}torget", "Servicecenter {p}"],
    "company": ["{p}gatan {n}", "Kontoret {p}", "Anläggningen {p}", "Fastigheten {p} {n}"],
}
SITE_PARTS = [
    "entrén",
    "skolgården",
    "matsalen",
    "personalrummet",
    "parkeringen",
    "cykelstället",
    "förrådet",
    "korridoren",
    "fasaden",
    "källaren",
    "gymnastiksalen",
    "receptionen",
    "soprummet",
    "trapphuset",
    "köket",
]
POLICE_CATEGORIES = {"theft", "burglary", "threat_violence", "vandalism", "fire"}
PROPERTY_CATEGORIES = {"fire", "water_damage", "burglary", "vandalism", "theft", "extraordinary"}
SEARCH_WORD = "fönster"  # the harness's search word (bench/run.py)
CLASSIFIED_GROUND = {"threat_violence": "OSL 21 kap. 3 §", "other": "OSL 18 kap. 8 §"}


def _cumulative(weights):
    return list(itertools.accumulate(weights))


def _pick(rng, items, cum):
    return items[bisect.bisect_right(cum, rng.random() * cum[-1])]


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    last = (datetime.date(year + month // 12, month % 12 + 1, 1) - datetime.timedelta(days=1)).day
    return datetime.date(year, month, min(day.day, last))


class IncidentGenerator:
    def __init__(self, group, profile, seed: int, units, theme: dict[int, str], kind_weights: dict[str, float], now):
        from django.utils import timezone

        self.group = group
        self.profile = profile
        self.rng = random.Random(f"{seed}-incidents")
        self.units = [u for u in units if u.depth >= 1]
        self.theme = theme
        self.kind_weights = kind_weights
        self.now = now
        self.today = timezone.localdate(now)
        self.retention = (profile.data.get("incidents") or {}).get("personal_data_months") or {}

    # --- insurance --------------------------------------------------------------------------

    def create_policies(self):
        """A handful of policies besides the demo's property and liability policies (four years
        back): the property policy before it, vehicles, crime, the pupils' accident policy, cyber."""
        from varna.insurance.models import Cover, InsurancePolicy
        from varna.organisation.models import OrgUnit

        year = self.today.year
        root = next(u for u in OrgUnit.objects.filter(group=self.group, parent__isnull=True).order_by("pk"))
        insured = list(OrgUnit.objects.filter(group=self.group, depth__lte=1))
        specs = [
            (
                "Kommunförsäkring egendom (föregående avtal)",
                "Länsförsäkringar Jämtland",
                False,
                1_180_000,
                datetime.date(year - 10, 1, 1),
                datetime.date(year - 5, 12, 31),
                [("fire", 20_000), ("burglary", 20_000), ("water", 20_000), ("all_risk", 10_000)],
            ),
            (
                "Motorfordonsförsäkring",
                "Kommunassurans Syd Försäkrings AB",
                True,
                460_000,
                datetime.date(year - 10, 1, 1),
                None,
                [("vehicle", 5_000)],
            ),
            (
                "Förmögenhetsbrottsförsäkring",
                "If Skadeförsäkring",
                False,
                65_000,
                datetime.date(year - 10, 1, 1),
                None,
                [("crime", 25_000)],
            ),
            (
                "Olycksfallsförsäkring elever och deltagare",
                "Kommunassurans Syd Försäkrings AB",
                True,
                290_000,
                datetime.date(year - 10, 1, 1),
                None,
                [("accident", 0)],
            ),
            (
                "Cyberförsäkring",
                "Cyberförsäkringar Norden AB",
                False,
                350_000,
                datetime.date(year - 3, 1, 1),
                None,
                [("cyber", 100_000)],
            ),
        ]
        policies = []
        for name, insurer, owned, premium, valid_from, valid_to, covers in specs:
            policy = InsurancePolicy.objects.create(
                group=self.group,
                unit=root,
                name=name,
                insurer=insurer,
                municipally_owned_insurer=owned,
                policy_number=f"B-{len(policies) + 1:03d}-{valid_from.year}",
                premium=Decimal(premium),
                valid_from=valid_from,
                valid_to=valid_to,
            )
            policy.insured_units.set(insured)
            for kind, deductible in covers:
                Cover.objects.create(policy=policy, kind=kind, deductible=Decimal(deductible))
            policies.append(policy)
        return policies

    def _claim_rules(self):
        """(policy id, valid from, valid to, deductible) per claim kind, from every policy of the group."""
        from varna.insurance.models import Cover

        rules: dict[str, list] = {"property": [], "cyber": [], "accident": []}
        for cover in Cover.objects.filter(policy__group=self.group).select_related("policy"):
            policy = cover.policy
            kind = {"fire": "property", "cyber": "cyber", "accident": "accident"}.get(cover.kind)
            if kind:
                rules[kind].append(
                    (policy.pk, policy.valid_from, policy.valid_to or datetime.date.max, int(cover.deductible))
                )
        return rules

    # --- incidents --------------------------------------------------------------------------

    def _sites(self):
        """Sites per unit (one to three, of its theme) and the place strings reported from them."""
        rng = self.rng
        pool: dict[str, list[str]] = {}
        for theme, kinds in SITE_KINDS.items():
            names = []
            for p in SITE_PREFIXES:
                for kind in kinds:
                    names.append(kind.format(p=p, n=rng.randint(1, 40)))
            rng.shuffle(names)
            pool[theme] = names[:90]  # about 700 sites in all, shared by units of a theme
        places = {}
        for unit in self.units:
            sites = rng.sample(pool[self.theme.get(unit.pk, "central")], rng.choice((1, 1, 2, 2, 3)))
            parts = rng.sample(SITE_PARTS, 6)
            strings = []
            weights = []
            for i, site in enumerate(sites):
                strings.append(site)
                weights.append(3 / (i + 1))
                for j, part in enumerate(parts):
                    strings.append(f"{site}, {part}")
                    weights.append(2 / ((i + 1) * (j + 1)))
            places[unit.pk] = (strings, _cumulative(weights))
        return places

    def create(self, n: int):
        """n incidents with their cost items, persons involved and links; returns counts."""
        from django.utils import timezone

        from varna.incidents.models import CostItem, Incident, InvolvedPerson
        from varna.organisation.models import Person
        from varna.risks.models import Measure, Risk

        rng, today, now = self.rng, self.today, self.now
        if n <= 0 or not self.units:
            return {}
        self.create_policies()
        claims = self._claim_rules()
        tz = timezone.get_current_timezone()

        weight_by_theme = {"school": 2.0, "care": 1.6, "company": 0.75}
        units = self.units
        unit_cum = _cumulative(
            [
                self.kind_weights.get(u.kind, 1.0)
                * weight_by_theme.get(self.theme.get(u.pk), 1.0)
                * rng.lognormvariate(0, 0.8)
                for u in units
            ]
        )
        categories = CATEGORIES
        category_cum = _cumulative([c[1] for c in categories])
        places = self._sites()
        staff: dict[int, list[tuple[int, int | None]]] = {}
        for pk, unit_id, user_id in (
            Person.objects.filter(group=self.group, employment_end__isnull=True)
            .order_by("pk")
            .values_list("pk", "unit_id", "user_id")
        ):
            staff.setdefault(unit_id, []).append((pk, user_id))
        measures: dict[int, list[int]] = {}
        for pk, unit_id in Measure.objects.filter(group=self.group).order_by("pk").values_list("pk", "unit_id"):
            measures.setdefault(unit_id, []).append(pk)
        risks: dict[int, list[int]] = {}
        for pk, unit_id in Risk.objects.filter(group=self.group).order_by("pk").values_list("pk", "unit_id"):
            risks.setdefault(unit_id, []).append(pk)

        # When: ten years up to now, denser towards today; sorted, so that ids follow time.
        start = now - datetime.timedelta(days=3652)
        span = (now - start).total_seconds()
        moments = []
        for _ in range(n):
            day = start + datetime.timedelta(seconds=span * rng.random() ** 0.85)
            if rng.random() < 0.7:  # daytime: 07-17 local time
                local = day.astimezone(tz)
                day = local.replace(hour=rng.randint(7, 16), minute=rng.randint(0, 59), second=0, microsecond=0)
            moments.append(min(day, now - datetime.timedelta(minutes=1)))
        moments.sort()

        next_incident, next_item, next_person = (_next_id(m) for m in (Incident, CostItem, InvolvedPerson))

        incidents, items, persons, measure_links, risk_links = [], [], [], [], []
        claim_number = 10_000
        police_number = 100_000
        group_id = self.group.pk
        for k, occurred in enumerate(moments):
            incident_id = next_incident + k
            unit = _pick(rng, units, unit_cum)
            category, _w, p_cost, median, sigma, kinds = _pick(rng, categories, category_cum)
            local_day = occurred.astimezone(tz).date()
            age = (today - local_day).days
            reported_at = min(occurred + datetime.timedelta(minutes=int(rng.expovariate(1 / 600))), now)
            roll = rng.random()
            if age > 120:
                status = "closed" if roll < 0.985 else "measures_decided" if roll < 0.995 else "investigating"
            elif age > 30:
                status = "closed" if roll < 0.75 else "measures_decided" if roll < 0.87 else "investigating"
                status = "reported" if roll > 0.97 else status
            elif age > 7:
                status = (
                    "closed"
                    if roll < 0.35
                    else "measures_decided"
                    if roll < 0.55
                    else "investigating"
                    if roll < 0.85
                    else "reported"
                )
            else:
                status = (
                    "reported"
                    if roll < 0.55
                    else "investigating"
                    if roll < 0.85
                    else "closed"
                    if roll < 0.95
                    else "measures_decided"
                )
            closed = status == "closed"
            closed_on = (
                min(local_day + datetime.timedelta(days=1 + int(rng.expovariate(1 / 20))), today) if closed else None
            )
            months = self.retention.get(category) or self.retention.get("default")
            thinned_on = None
            if closed and months:
                due = _add_months(local_day, months) + datetime.timedelta(days=1)
                if due <= today:
                    thinned_on = max(due, closed_on)
            classified = category == "threat_violence" or rng.random() < 0.01

            # Cost items and their sums, as services.update_costs writes them.
            estimated_sum = final_sum = best_sum = 0
            n_items = 0
            if rng.random() < p_cost:
                n_items = 2 if rng.random() < SECOND_ITEM else 1
            for i in range(n_items):
                amount = int(round(median * rng.lognormvariate(0, sigma) * (1 if i == 0 else 0.3), -2)) or 100
                final = int(round(amount * rng.uniform(0.8, 1.3), -2)) if closed and rng.random() < 0.95 else None
                estimated_sum += amount
                final_sum += final or 0
                best_sum += final if final is not None else amount
                items.append(
                    {
                        "id": next_item + len(items),
                        "incident_id": incident_id,
                        "kind": kinds[i % len(kinds)] if i == 0 else rng.choice(("staff_time", "clean_up", "other")),
                        "description": "",
                        "estimated": amount,
                        "final": final,
                        "version": 1,
                        "created_at": reported_at,
                        "updated_at": reported_at,
                    }
                )

            # Insurance: damage above the deductible, claimed under the policy valid on the day.
            policy_id, deductible, insurer_paid, claim = None, 0, 0, ""
            kind = (
                "property"
                if category in PROPERTY_CATEGORIES
                else "cyber"
                if category == "it"
                else "accident"
                if category == "accident"
                else None
            )
            if kind and best_sum:
                for pk, valid_from, valid_to, cover_deductible in claims.get(kind, []):
                    if valid_from <= local_day <= valid_to and best_sum > cover_deductible * 1.2:
                        share = 0.3 if kind == "accident" else 0.85
                        if rng.random() < share:
                            policy_id, deductible = pk, cover_deductible
                            claim_number += 1
                            claim = f"S-{claim_number}"
                            if closed and final_sum:
                                insurer_paid = max(final_sum - deductible, 0)
                        break

            reporter, reported_by, source = None, None, "employee"
            people = staff.get(unit.pk)
            if category in ("graffiti", "vandalism") and rng.random() < 0.05:
                source = "public"
            elif people and rng.random() < 0.85:
                reporter, reported_by = people[int(rng.random() * len(people))]
            strings, cum = places[unit.pk]
            place = "" if rng.random() < 0.04 else _pick(rng, strings, cum)
            police = ""
            serious = best_sum > 5_000 or category == "threat_violence"
            if category in POLICE_CATEGORIES and serious and rng.random() < 0.6:
                police_number += 1
                police = f"5000-K{police_number}-{local_day:%y}"
            thinned = thinned_on is not None
            description = "" if thinned else rng.choice(DESCRIPTIONS[category])
            row = {
                "id": incident_id,
                "version": 1,
                "created_at": reported_at,
                "updated_at": reported_at,
                "classification": "classified" if classified else "internal",
                "classification_ground": CLASSIFIED_GROUND.get(category, CLASSIFIED_GROUND["other"])
                if classified
                else "",
                "group_id": group_id,
                "unit_id": unit.pk,
                "category": category,
                "occurred_at": occurred,
                "reported_at": reported_at,
                "reported_by_id": None if thinned else reported_by,
                "reporter_id": None if thinned else reporter,
                "source": source,
                "place": place,
                "description": description,
                "immediate_actions": "" if thinned or rng.random() < 0.4 else rng.choice(IMMEDIATE_ACTIONS),
                "status": status,
                "investigation": rng.choice(FINDINGS) if closed and not thinned and rng.random() < 0.5 else "",
                "closed_on": closed_on,
                "fire_deliberate": rng.random() < 0.4 if category == "fire" else None,
                "fire_alarm_detected": rng.random() < 0.7 if category == "fire" else None,
                "police_report_number": police,
                "insurance_policy_id": policy_id,
                "insurance_claim_number": claim,
                "authorities_notified": "Arbetsmiljöverket underrättat inom 24 timmar."
                if category == "threat_violence" and not thinned and rng.random() < 0.3
                else "",
                "no_damage_cost": closed and not n_items and rng.random() < 0.7,
                "deductible": deductible,
                "internal_deductible": 0,
                "insurer_paid": insurer_paid,
                "cost_estimated": estimated_sum,
                "cost_final": final_sum,
                "cost": best_sum,
                "thinned_on": thinned_on,
            }
            if not thinned and rng.random() < 0.4:
                row["latitude"] = Decimal(f"{62.0 + rng.random() * 0.6:.5f}")
                row["longitude"] = Decimal(f"{12.5 + rng.random() * 2.0:.5f}")
            incidents.append(row)
            if not thinned and (
                (category == "threat_violence" and rng.random() < 0.8)
                or (category == "accident" and rng.random() < 0.5)
            ):
                for j in range(1 if category == "accident" or rng.random() < 0.5 else 2):
                    persons.append(
                        {
                            "id": next_person + len(persons),
                            "incident_id": incident_id,
                            "role": ("victim", "perpetrator")[j] if category == "threat_violence" else "victim",
                            "name": rng.choice(PERSON_NAMES),
                            "details": "",
                            "added_at": reported_at,
                            "added_by_id": None,
                        }
                    )
            if unit.pk in measures and rng.random() < 0.005:
                measure_links.append({"incident_id": incident_id, "measure_id": rng.choice(measures[unit.pk])})
            if unit.pk in risks and rng.random() < 0.005:
                risk_links.append({"incident_id": incident_id, "risk_id": rng.choice(risks[unit.pk])})

        write_rows(Incident, incidents)
        write_rows(CostItem, items)
        write_rows(InvolvedPerson, persons)
        write_rows(Incident.measures.through, measure_links)
        write_rows(Incident.risks.through, risk_links)
        # COPY bypasses save(): the damage figures added up ahead are computed from the rows.
        from varna.incidents import summary

        summary_rows = summary.rebuild(self.group)
        return {
            "incidents": len(incidents),
            "cost items": len(items),
            "persons involved": len(persons),
            "measure links": len(measure_links),
            "risk links": len(risk_links),
            "summary rows": summary_rows,
        }


def _next_id(model) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608
        return cursor.fetchone()[0] + 1


def _default(field):
    if field.has_default():
        return field.get_default()
    if field.null:
        return None
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        from django.utils import timezone

        return timezone.now()
    if field.get_internal_type() in ("CharField", "TextField"):
        return ""
    return _missing


_missing = object()


def write_rows(model, rows: list[dict]) -> None:
    """Write rows (dicts keyed by attname, ids included) into the model's table: COPY on
    PostgreSQL, then move the id sequence past them; bulk_create elsewhere. A column the rows do
    not name gets the field's default (so that new fields with defaults need no change here)."""
    from django.db import connection

    if not rows:
        return
    fields = [f for f in model._meta.concrete_fields if f.attname in rows[0] or not f.primary_key]
    if "id" not in rows[0]:
        fields = [f for f in fields if not f.primary_key]
    defaults = {f.attname: _default(f) for f in fields}
    missing = [name for name, value in defaults.items() if value is _missing and name not in rows[0]]
    if missing:
        raise SystemExit(
            f"{model.__name__}: no value nor default for {', '.join(missing)} (update bench/incident_data.py)"
        )
    names = [f.attname for f in fields]
    if connection.vendor != "postgresql":
        objs = [model(**{n: row.get(n, defaults[n]) for n in names}) for row in rows]
        model.objects.bulk_create(objs, batch_size=5000)
        return
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row.get(n, defaults[n]) for n in names])
        if "id" in rows[0]:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT MAX(id) FROM {table}))",  # noqa: S608
                [model._meta.db_table],
            )


def incident_check(group) -> None:
    """Print how the incidents came out, and check that every incident's cost columns equal the
    sums of its cost items (as services.update_costs leaves them)."""
    from django.db import connection
    from django.db.models import Count, Exists, OuterRef, Q, Sum

    from varna.incidents.models import CostItem, Incident

    incidents = Incident.objects.filter(group=group)
    total = incidents.count()
    if not total:
        return

    def share(n: int, of: int = total) -> str:
        return f"{n} ({100 * n / of:.1f} %)"

    c = incidents.aggregate(
        with_costs=Count("id", filter=Q(Exists(CostItem.objects.filter(incident=OuterRef("pk"))))),
        insured=Count("id", filter=Q(insurance_policy__isnull=False)),
        classified=Count("id", filter=Q(classification="classified")),
        open=Count("id", filter=~Q(status="closed")),
        thinned=Count("id", filter=Q(thinned_on__isnull=False)),
        word=Count("id", filter=Q(description__icontains=SEARCH_WORD) | Q(place__icontains=SEARCH_WORD)),
        no_place=Count("id", filter=Q(place="")),
        cost=Sum("cost", default=0),
        paid=Sum("insurer_paid", default=0),
    )
    places = incidents.exclude(place="").values("place").distinct().count()
    by_category = dict(incidents.values_list("category").annotate(n=Count("id")).values_list("category", "n"))
    by_year = dict(
        incidents.values_list("occurred_at__year").annotate(n=Count("id")).values_list("occurred_at__year", "n")
    )
    incident_table, item_table = Incident._meta.db_table, CostItem._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT COUNT(*) FROM {incident_table} i LEFT JOIN (
                    SELECT incident_id, SUM(estimated) AS e, SUM(final) AS f, SUM(COALESCE(final, estimated, 0)) AS b
                    FROM {item_table} GROUP BY incident_id
                ) s ON s.incident_id = i.id
                WHERE i.group_id = %s AND (i.cost_estimated <> COALESCE(s.e, 0) OR i.cost_final <> COALESCE(s.f, 0)
                      OR i.cost <> COALESCE(s.b, 0))""",  # noqa: S608 (table names from the models)
            [group.pk],
        )
        wrong = cursor.fetchone()[0]
    print(
        f"  incidents: {total}; with costs {share(c['with_costs'])}; insured {share(c['insured'])}; "
        f"classified {share(c['classified'])}; not closed {share(c['open'])}; thinned {share(c['thinned'])}; "
        f"'{SEARCH_WORD}' in description or place {share(c['word'])}; without a place {share(c['no_place'])}; "
        f"{places} distinct places; damage cost {int(c['cost']):,} SEK, insurer paid {int(c['paid']):,} SEK"
    )
    print(f"  by category: {', '.join(f'{k} {share(v)}' for k, v in sorted(by_category.items(), key=lambda x: -x[1]))}")
    print(f"  by year: {', '.join(f'{k} {v}' for k, v in sorted(by_year.items()))}")
    print(f"  cost columns equal to the sums of the cost items: {total - wrong} of {total}")
