"""The areas of the policy, and what each installed area app declares.

Värna is built area by area. The policy's nine areas are known before any of them is built
(`POLICY_AREAS`): a profile binds obligations to any of them, and an obligation of an area that
is not installed says so. An area app declares itself in its `area.py`, loaded at start-up
(`CoreConfig.ready`):

    from varna.core.areas import Area, NavEntry, register

    register(Area(key="risks", nav=[...], jobs={...}, demo=load_demo, demo_order=20))

The job schedule, the obligations page, the navigation, the start page, the demo and the
profile's schema read the declarations from here, so core imports no area, and an area is added
by adding its folder (plus its line in INSTALLED_APPS; the root URLconf mounts it).
`docs/architecture.md` tells the whole story.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

# The policy's areas, in the order the policy and the start page take them.
POLICY_AREAS = {
    "organisation": _("Organisation and responsibility"),
    "documents": _("Governing documents"),
    "risks": _("Risks and measures"),
    "incidents": _("Incidents and damage"),
    "insurance": _("Insurance and risk financing"),
    "facilities": _("Physical security"),
    "training": _("Training and exercises"),
    "crisis": _("Crisis management and continuity"),
    "followup": _("Follow-up and yearly report"),
}

# The sections of a profile each policy area owns, by name (the top-level keys, and the keys
# under `demo:`). The schema of a section is the area's own (Area.profile_sections,
# Area.demo_sections); here are only the names, so that a profile written for the whole product
# loads where an area is not installed: its sections are accepted and left unread, while a key
# no area owns is still an error. The organisation's sections (municipality, body_kinds,
# unit_levels, role_types, obligations, demo's bodies, units, people and external parties) are
# the frame of every profile (organisation/profiles.py). `trainings` belongs to the training
# area, which is not built yet: until it is, profiles.py keeps its schema.
PROFILE_SECTIONS: dict[str, tuple[str, ...]] = {
    "documents": ("document_kinds", "required_routines"),
    "risks": ("risk_matrix",),
    "incidents": ("incidents",),
    "insurance": ("insurance",),
    "facilities": ("facilities",),
    "training": ("trainings",),
}
DEMO_SECTIONS: dict[str, tuple[str, ...]] = {
    "documents": ("documents",),
    "risks": ("vital_functions", "analyses"),
    "incidents": ("incidents",),
    "insurance": ("insurance",),
    "facilities": ("facilities",),
}

# Where a navigation entry goes: the groups of the main menu, in their order.
NAV_SECTIONS = {
    "organisation": _("Organisation"),
    "registers": _("Registers"),
    "followup": _("Follow-up"),
    "work": _("My work"),
}


@dataclass(frozen=True)
class NavEntry:
    """A link in the main menu. `audience` says who sees it: "scoped" (anyone with a role that
    reads some unit), "person" (anyone registered as a person, with or without such a role),
    "unscoped" (a person without one: an employee who reports incidents) or "everyone" (every
    logged-in user). The entry is the current page when the URL resolves to `url_name` or, if
    `current` is given, to one of the URL names it lists ("app:*" for a whole app namespace,
    a trailing "*" for a prefix); a name starting with "!" excludes."""

    section: str
    label: Any
    url_name: str
    audience: str = "scoped"
    order: int = 50
    current: tuple[str, ...] = ()

    def is_current(self, namespace: str, url_name: str) -> bool:
        full = f"{namespace}:{url_name}" if namespace else url_name
        patterns = self.current or (self.url_name,)
        if any(p.startswith("!") and _matches(p[1:], namespace, full) for p in patterns):
            return False
        return any(not p.startswith("!") and _matches(p, namespace, full) for p in patterns)


def _matches(pattern: str, namespace: str, full: str) -> bool:
    if pattern.endswith(":*"):
        return namespace == pattern[:-2]
    if pattern.endswith("*"):
        return full.startswith(pattern[:-1])
    return full == pattern


@dataclass(frozen=True)
class FirstStep:
    """A step of a new municipality's first week, on the start page of whoever may manage the
    top unit: ticked from what the registers hold, never by hand. `detail` says what they hold
    ("12 units, 340 people")."""

    label: Any
    url_name: str
    done: bool
    detail: Any = ""


@dataclass
class DemoContext:
    """What the demo's loaders share: the organisation loads first and fills in the group,
    bodies, units and logins; each area may leave what later areas build on in `records`
    (e.g. records["documents"]: the demo's documents by their key in the profile)."""

    profile: Any
    group: Any = None
    bodies: dict = field(default_factory=dict)
    units: dict = field(default_factory=dict)
    logins: dict = field(default_factory=dict)
    records: dict = field(default_factory=dict)


@dataclass
class Area:
    """One area of the policy, as its app declares it.

    - `key`: one of POLICY_AREAS; the obligations of the profile bound to it are its own.
    - `requires`: the areas whose models or code it builds on (a measure implements a governing
      document, so risks requires documents); start-up refuses an area without them, and an
      area is removed together with the areas that require it (`dependants`).
    - `urls`, `url_prefix`: its URL module and where it is mounted (the root URLconf mounts the
      installed areas).
    - `nav`: its entries in the main menu.
    - `start_url`: the page the start page's card for the area links to (a URL name), with
      `start_label` as the link's text.
    - `jobs`: its periodic jobs, name -> (task, interval); an interval of a day or more runs
      once a calendar day.
    - `demo`: its demo loader, called with the DemoContext; `demo_order` sorts the loaders (the
      organisation is 0; an area that builds on another's demo records loads after it).
    - `profile_references`: sections an obligation check's parameters may refer to that the
      area defines, name -> function(profile data) -> [{"key": ...}, ...] (e.g. the zones of the
      risk matrix).
    - `profile_sections`: the top-level sections of a profile the area owns, name -> schema
      field (an `organisation.schema.F`), e.g. the risk matrix; only names PROFILE_SECTIONS
      gives the area. A profile is validated against the organisation's sections and the
      installed areas'; a section of an area that is not installed is accepted and left unread.
    - `demo_sections`: the same for the keys under the profile's `demo:` the area owns (names
      from DEMO_SECTIONS), e.g. the demo's analyses.
    - `profile_checks`: functions(profile data, ctx, ref, known) that check the area's parts of
      a profile against the rest of it, once every section has its shape (whether or not the
      profile has a demo); they report with ctx.error(line, path, message). `ref(item, field,
      allowed, path)` reports a value of item[field] not in `allowed`. `known` holds the keys
      the organisation declares ("role_types", "unit_levels", "body_kinds") and the demo's
      ("bodies", "units" by code, "people" by first and last name); the checks run in
      `demo_order`, and a check may add what later areas refer to (the documents' adds
      "document_kinds" and the demo's "documents").
    - `first_steps`: function(group) -> [FirstStep]: what a new municipality does first in the
      area (import its files, start its analysis), each ticked from the registers.
    - `unit_panel`: function(request, unit) -> the area's panel on the unit's page, a dict with
      its "template" and what the template shows (as `panel`), for the unit and everything under
      it, within what the reader may see; None to show none.
    """

    key: str
    requires: tuple[str, ...] = ()
    urls: str = ""
    url_prefix: str = ""
    nav: list[NavEntry] = field(default_factory=list)
    start_url: str = ""
    start_label: Any = ""
    jobs: dict[str, tuple[Any, datetime.timedelta]] = field(default_factory=dict)
    demo: Callable[[DemoContext], None] | None = None
    demo_order: int = 50
    profile_references: dict[str, Callable[[dict], list[dict]]] = field(default_factory=dict)
    profile_sections: dict[str, Any] = field(default_factory=dict)
    demo_sections: dict[str, Any] = field(default_factory=dict)
    profile_checks: list[Callable[..., None]] = field(default_factory=list)
    unit_panel: Callable[[Any, Any], dict | None] | None = None
    first_steps: Callable[[Any], list[FirstStep]] | None = None

    @property
    def name(self):
        return POLICY_AREAS[self.key]


# Core's own pages in the menu: the obligations of the policy, and a person's own work.
CORE_NAV = [
    NavEntry("followup", _("Policy and obligations"), "obligations", order=10),
    NavEntry("work", _("My tasks"), "tasks", audience="everyone", order=10),
    NavEntry("work", _("Notifications"), "notifications", audience="everyone", order=20, current=("notification*",)),
]

_registry: dict[str, Area] = {}


def register(area: Area) -> Area:
    if area.key not in POLICY_AREAS:
        raise ImproperlyConfigured(
            f"Unknown area '{area.key}': an area is one of the policy's ({', '.join(POLICY_AREAS)})."
        )
    if area.key in _registry and _registry[area.key] is not area:
        raise ImproperlyConfigured(f"The area '{area.key}' is declared twice.")
    for entry in area.nav:
        if entry.section not in NAV_SECTIONS:
            raise ImproperlyConfigured(f"{area.key}: unknown menu section '{entry.section}'.")
    for where, declared, owned in (
        ("", area.profile_sections, PROFILE_SECTIONS),
        ("demo.", area.demo_sections, DEMO_SECTIONS),
    ):
        foreign = sorted(set(declared) - set(owned.get(area.key, ())))
        if foreign:
            raise ImproperlyConfigured(
                f"{area.key}: declares the profile section '{where}{foreign[0]}', which is not the area's "
                f"(its sections: {', '.join(where + name for name in owned.get(area.key, ())) or 'none'})."
            )
    _registry[area.key] = area
    return area


def check_requirements() -> None:
    """Every installed area's required areas are installed too (called once all have registered)."""
    for area in _registry.values():
        for key in area.requires:
            if key not in POLICY_AREAS:
                raise ImproperlyConfigured(f"{area.key}: requires the unknown area '{key}'.")
            if key not in _registry:
                raise ImproperlyConfigured(
                    f"The area '{area.key}' requires the area '{key}': install both, or remove '{area.key}' too."
                )


def dependants(key: str) -> set[str]:
    """The area and every installed area that requires it, directly or through others: what
    goes when the area is removed."""
    found = {key}
    while True:
        more = {a.key for a in _registry.values() if a.key not in found and found & set(a.requires)}
        if not more:
            return found
        found |= more


def url_patterns() -> list:
    """The installed areas' URLs, each under its prefix (for the root URLconf)."""
    from django.urls import include, path

    return [path(a.url_prefix, include(a.urls)) for a in installed() if a.urls]


def installed() -> list[Area]:
    """The installed areas, in the policy's order."""
    return [_registry[key] for key in POLICY_AREAS if key in _registry]


def is_built(key: str) -> bool:
    return key in _registry


def area_name(key: str) -> str:
    return str(POLICY_AREAS.get(key, key))


def schedule() -> dict[str, tuple[Any, datetime.timedelta]]:
    """Every installed area's periodic jobs."""
    jobs: dict[str, tuple[Any, datetime.timedelta]] = {}
    for area in installed():
        for name, job in area.jobs.items():
            if name in jobs:
                raise ImproperlyConfigured(f"The job '{name}' is declared by two areas.")
            jobs[name] = job
    return jobs


def demo_loaders() -> list[Callable[[DemoContext], None]]:
    """The installed areas' demo loaders, in the order they build on each other."""
    return [a.demo for a in sorted(installed(), key=lambda a: a.demo_order) if a.demo is not None]


def profile_references() -> dict[str, Callable[[dict], list[dict]]]:
    found: dict[str, Callable[[dict], list[dict]]] = {}
    for area in installed():
        found.update(area.profile_references)
    return found


def profile_sections() -> dict[str, Any]:
    """The installed areas' top-level sections of a profile, name -> schema field."""
    return {name: spec for area in installed() for name, spec in area.profile_sections.items()}


def demo_sections() -> dict[str, Any]:
    """The installed areas' sections of a profile's demo, name -> schema field."""
    return {name: spec for area in installed() for name, spec in area.demo_sections.items()}


def profile_checks() -> list[Callable[..., None]]:
    """The installed areas' profile checks, in the order their demos load (a check may leave in
    `known` what a later area's refers to)."""
    return [check for area in sorted(installed(), key=lambda a: a.demo_order) for check in area.profile_checks]


def first_steps(group) -> list[FirstStep]:
    """The installed areas' first steps for a new municipality, in the policy's order."""
    return [step for area in installed() if area.first_steps is not None for step in area.first_steps(group)]


def unit_panels(request, unit) -> list[dict]:
    """Each installed area's panel for a unit's page (the unit's dashboard)."""
    panels = (area.unit_panel(request, unit) for area in installed() if area.unit_panel is not None)
    return [panel for panel in panels if panel]


def menu(access) -> list[tuple[str, list[NavEntry]]]:
    """The main menu for a reader: (section title, entries) for each section with an entry."""
    audiences = {"everyone"}
    if access.person is not None:
        audiences.add("person")
    audiences.add("scoped" if access.anything else "unscoped" if access.person is not None else "everyone")
    sections: dict[str, list[NavEntry]] = {key: [] for key in NAV_SECTIONS}
    for entry in [*CORE_NAV, *(e for area in installed() for e in area.nav)]:
        if entry.audience in audiences:
            sections[entry.section].append(entry)
    return [(NAV_SECTIONS[key], sorted(entries, key=lambda e: e.order)) for key, entries in sections.items() if entries]
