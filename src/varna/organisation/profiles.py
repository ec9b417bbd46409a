"""Policy profiles: a municipality's policy as data.

A profile is a YAML file (profiles/<key>.yaml in this package, or in any folder named by
VARNA_PROFILE_DIRS) validated on load. Errors name the file, the line and the field. See
docs/profiles.md for the format.
"""

import functools
import os
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from varna.core import areas
from varna.core.i18n import tr
from varna.paths import data_dir

from .schema import I18N, Bool, Context, Date, F, Int, List, Map, ProfileError, Str, Unread, parse
from .schema import Any_ as AnyValue

BUILTIN_DIR = Path(__file__).resolve().parent / "profiles"
KEY = r"[a-z][a-z0-9_]*"
# A profile's key names its file: any usual municipality slug ("ostra-vik", "harjedalen").
PROFILE_KEY = r"[a-z][a-z0-9_-]*"
AREAS = tuple(areas.POLICY_AREAS)
PERMISSIONS = ("view", "change", "manage")

_UNIT = Map(
    {
        "name": F(Str()),
        "code": F(Str(pattern=r"[A-Za-z0-9_.-]+")),
        "level": F(Str(pattern=KEY)),
        "body": F(Str(pattern=KEY), required=False),
        "children": F(List(Map()), required=False, default=[]),
    }
)
_UNIT.fields["children"] = F(List(_UNIT), required=False, default=[])

# The organisation's sections: the frame of every profile. The other areas' sections come from
# the installed areas (core.areas: Area.profile_sections, Area.demo_sections); see spec().
_SECTIONS = {
    "profile": F(Str(pattern=PROFILE_KEY)),
    "municipality": F(
        Map(
            {
                "name": F(Str()),
                "group_name": F(Str()),
                "county": F(Str(), required=False, default=""),
                "policy_title": F(Str()),
            }
        )
    ),
    "body_kinds": F(
        List(Map({"key": F(Str(pattern=KEY)), "name": F(I18N), "plural": F(I18N, required=False)}), min_items=1)
    ),
    "unit_levels": F(
        List(
            Map(
                {
                    "key": F(Str(pattern=KEY)),
                    "name": F(I18N),
                    "plural": F(I18N),
                    "company": F(Bool(), required=False, default=False),
                    "head_title": F(I18N, required=False),
                    "expects_head": F(Bool(), required=False, default=True),
                    "expects_coordinator": F(Bool(), required=False, default=False),
                    # Who is operationally responsible for security at the level: the coordinator
                    # first, else the head (the default), or the head always, supported by the
                    # coordinator (a managing director, a head of administration).
                    "operational": F(Str(choices=("coordinator", "head")), required=False, default="coordinator"),
                }
            ),
            min_items=1,
        )
    ),
    "role_types": F(
        List(
            Map(
                {
                    "key": F(Str(pattern=KEY)),
                    "name": F(I18N),
                    "description": F(I18N, required=False),
                    "permissions": F(List(Str(choices=PERMISSIONS)), required=False, default=[]),
                    "classified": F(Bool(), required=False, default=False),
                    "responsibility": F(
                        Str(choices=("head", "coordinator", "security_group", "chief_executive", "none")),
                        required=False,
                        default="none",
                    ),
                    "require_otp": F(Bool(), required=False, default=False),
                }
            ),
            min_items=1,
        )
    ),
}
_OBLIGATIONS = F(
    List(
        Map(
            {
                "id": F(Str(pattern=r"[A-Z]{2}-[0-9]+")),
                "area": F(Str(choices=AREAS)),
                "text": F(I18N),
                "checks": F(List(Map({"check": F(Str(pattern=KEY))}, extra=AnyValue())), required=False, default=[]),
            }
        ),
        min_items=1,
    )
)
# A political body, in the demo and in `setup`: `kind` one of body_kinds, `parent` another body.
_BODY = Map(
    {
        "key": F(Str(pattern=KEY)),
        "kind": F(Str(pattern=KEY)),
        "name": F(Str()),
        "parent": F(Str(pattern=KEY), required=False),
    }
)

# The organisation's parts of the demo: the first three come before the areas', the external
# parties after them.
_DEMO = {
    "bodies": F(List(_BODY)),
    "units": F(List(_UNIT, min_items=1)),
    "people": F(
        List(
            Map(
                {
                    "first_name": F(Str()),
                    "last_name": F(Str()),
                    "unit": F(Str()),
                    "title": F(Str(), required=False, default=""),
                    "email": F(Str(), required=False),
                    "employee_number": F(Str(), required=False),
                    "employment_start": F(Date(), required=False),
                    "login": F(Str(pattern=KEY), required=False),
                    "roles": F(
                        List(
                            Map(
                                {
                                    "role": F(Str(pattern=KEY)),
                                    "unit": F(Str()),
                                    "valid_from": F(Date(), required=False),
                                }
                            )
                        ),
                        required=False,
                        default=[],
                    ),
                }
            )
        )
    ),
}
_DEMO_AFTER = {
    "external_parties": F(
        List(
            Map(
                {
                    "name": F(Str()),
                    "kind": F(Str(choices=("contractor", "hired_staff", "consultant", "supplier", "other"))),
                    "unit": F(Str()),
                    "org_number": F(Str(pattern=r"\d{6}-\d{4}"), required=False, default=""),
                    "contact_name": F(Str(), required=False, default=""),
                    "contact_email": F(Str(), required=False, default=""),
                    "classification": F(
                        Str(choices=("public", "internal", "classified")),
                        required=False,
                        default="internal",
                    ),
                    "classification_ground": F(Str(), required=False, default=""),
                    "contracts": F(
                        List(
                            Map(
                                {
                                    "title": F(Str()),
                                    "reference": F(Str(), required=False, default=""),
                                    "units": F(List(Str(), min_items=1)),
                                    "valid_from": F(Date()),
                                    "valid_to": F(Date(), required=False),
                                }
                            )
                        ),
                        required=False,
                        default=[],
                    ),
                }
            )
        ),
        required=False,
        default=[],
    ),
}

# What `varna setup` creates for a real start (organisation/setup.py): the top unit and the
# bodies. Both may be left out: the top unit is then named after the municipality, and one body
# is made per body kind described in the singular.
_SETUP = F(
    Map(
        {
            "top_unit": F(
                Map(
                    {
                        "name": F(Str(), required=False),
                        "code": F(Str(pattern=r"[A-Za-z0-9_.-]+"), required=False),
                        "level": F(Str(pattern=KEY), required=False),
                        "body": F(Str(pattern=KEY), required=False),
                    }
                ),
                required=False,
                default={},
            ),
            "bodies": F(List(_BODY), required=False),
        }
    ),
    required=False,
    default={},
)

# Sections of areas that are not built yet, kept here until their area is (it then declares the
# section, and its schema replaces this one): the obligations page shows the trainings, so they
# are validated as before. Their checks are in _cross_check.
_INTERIM_SECTIONS = {
    "trainings": F(
        List(
            Map(
                {
                    "key": F(Str(pattern=KEY)),
                    "name": F(I18N),
                    "audience": F(Str(choices=("new_employees", "all_employees", "role"))),
                    "role": F(Str(pattern=KEY), required=False),
                    "within_days": F(Int(minimum=1, maximum=3650), required=False),
                    "repeat_months": F(Int(minimum=1, maximum=120), required=False),
                }
            )
        ),
        required=False,
        default=[],
    ),
}

# A section of a policy area that is not installed: accepted as it is and left unread (None).
_UNREAD = F(Unread(), required=False)


def _area_fields(owned_names: dict[str, tuple[str, ...]], declared: dict[str, F]) -> dict[str, F]:
    """The fields of the policy areas' sections, in the policy's order: the installed area's
    schema, else the interim one, else unread."""
    return {
        name: declared.get(name) or _INTERIM_SECTIONS.get(name) or _UNREAD
        for key in areas.POLICY_AREAS
        for name in owned_names.get(key, ())
    }


def spec() -> Map:
    """The schema of a whole profile: the organisation's sections, the installed areas' (each
    area's own, core.areas), and a section of an area that is not installed accepted and left
    unread, so that a profile written for the whole product loads where an area is removed. A
    key no area owns is an unknown field. Composed on each call (it is a few dicts), so that it
    follows the installed areas."""
    return Map(
        {
            **_SECTIONS,
            **_area_fields(areas.PROFILE_SECTIONS, areas.profile_sections()),
            "obligations": _OBLIGATIONS,
            "setup": _SETUP,
            "demo": F(
                Map({**_DEMO, **_area_fields(areas.DEMO_SECTIONS, areas.demo_sections()), **_DEMO_AFTER}),
                required=False,
            ),
        }
    )


class Profile:
    """A validated policy profile with lookups used across the application."""

    def __init__(self, data: dict[str, Any], filename: str):
        self.data = data
        self.filename = filename
        self.key: str = data["profile"]
        self.role_types = {r["key"]: r for r in data["role_types"]}
        self.unit_levels = {u["key"]: u for u in data["unit_levels"]}
        self.body_kinds = {b["key"]: b for b in data["body_kinds"]}
        # The documents area's kinds (None where the area is not installed).
        self.document_kinds = {d["key"]: d for d in data.get("document_kinds") or []}
        self.obligations = data["obligations"]

    @property
    def municipality(self) -> dict[str, str]:
        return self.data["municipality"]

    def role_name(self, key: str) -> str:
        role = self.role_types.get(key)
        return tr(role["name"]) if role else key

    def level_name(self, key: str, plural: bool = False) -> str:
        level = self.unit_levels.get(key)
        if not level:
            return key
        return tr(level["plural" if plural else "name"])

    def body_kind_name(self, key: str) -> str:
        kind = self.body_kinds.get(key)
        return tr(kind["name"]) if kind else key

    def roles_with(
        self, *, permission: str | None = None, responsibility: str | None = None, classified: bool | None = None
    ) -> list[str]:
        keys = []
        for key, role in self.role_types.items():
            if permission and permission not in role["permissions"]:
                continue
            if responsibility and role["responsibility"] != responsibility:
                continue
            if classified is not None and role["classified"] != classified:
                continue
            keys.append(key)
        return keys

    def company_levels(self) -> list[str]:
        return [k for k, v in self.unit_levels.items() if v["company"]]

    def obligation(self, obligation_id: str) -> dict[str, Any] | None:
        return next((o for o in self.obligations if o["id"] == obligation_id), None)


def installed_profile_dir() -> Path:
    """Where `varna setup` and the first-run page keep a municipality's own profile file, so the
    group finds it by its key (in the data folder, beside the database)."""
    from django.conf import settings

    return (settings.DATA_DIR if settings.configured else data_dir()) / "profiles"


def profile_dirs() -> list[Path]:
    extra = [Path(p) for p in os.environ.get("VARNA_PROFILE_DIRS", "").split(os.pathsep) if p]
    return [*extra, installed_profile_dir(), BUILTIN_DIR]


def available_profiles() -> list[str]:
    keys = set()
    for folder in profile_dirs():
        if folder.is_dir():
            keys.update(p.stem for p in folder.glob("*.yaml"))
    return sorted(keys)


def check_keys_unique(data: dict[str, Any], ctx: Context, sections) -> None:
    """Each key is declared once in each of the sections (lists of items with a `key`)."""
    for section in sections:
        seen: set[str] = set()
        for i, item in enumerate(data.get(section) or []):
            if item.get("key") in seen:
                ctx.error(
                    item.line_of("key"), f"{section}[{i}].key", _("'%(key)s' is declared twice") % {"key": item["key"]}
                )
            seen.add(item.get("key"))


def _cross_check(data: dict[str, Any], ctx: Context) -> None:
    """References between sections: every key used must be declared. The organisation checks its
    own sections here; each installed area checks its own (Area.profile_checks)."""
    from varna.core.obligations import registry

    def known(section: str) -> set[str]:
        return {item["key"] for item in data.get(section) or [] if item and item.get("key")}

    declared = areas.profile_sections()
    interim = [name for name in _INTERIM_SECTIONS if name not in declared]
    roles, levels, bodies = known("role_types"), known("unit_levels"), known("body_kinds")
    check_keys_unique(data, ctx, ("role_types", "unit_levels", "body_kinds", *interim))

    def ref(item, field, allowed, path):
        value = item.get(field)
        if value is not None and value not in allowed:
            ctx.error(
                item.line_of(field),
                f"{path}.{field}",
                _("'%(value)s' is not declared (known: %(known)s)")
                % {"value": value, "known": ", ".join(sorted(allowed)) or "–"},
            )

    if "trainings" in interim:
        for i, training in enumerate(data.get("trainings") or []):
            ref(training, "role", roles, f"trainings[{i}]")
            if training.get("audience") == "role" and not training.get("role"):
                ctx.error(training.line, f"trainings[{i}].role", _("is required when the audience is 'role'"))

    ids: set[str] = set()
    for i, obligation in enumerate(data.get("obligations") or []):
        path = f"obligations[{i}]"
        if obligation.get("id") in ids:
            ctx.error(
                obligation.line_of("id"), f"{path}.id", _("'%(key)s' is declared twice") % {"key": obligation["id"]}
            )
        ids.add(obligation.get("id"))
        if not areas.is_built(obligation.get("area")):
            continue  # its checks come with its area: a profile may be written before the area is built
        for j, check in enumerate(obligation.get("checks") or []):
            problem = registry.validate(check, data)
            if problem:
                ctx.error(check.line, f"{path}.checks[{j}]", problem)

    setup = data.get("setup") or {}
    setup_bodies = setup.get("bodies")
    setup_keys = {b["key"] for b in setup_bodies} if setup_bodies is not None else bodies
    for i, body in enumerate(setup_bodies or []):
        ref(body, "kind", bodies, f"setup.bodies[{i}]")
        ref(body, "parent", setup_keys, f"setup.bodies[{i}]")
    top = setup.get("top_unit") or {}
    if top:
        ref(top, "level", levels, "setup.top_unit")
        ref(top, "body", setup_keys, "setup.top_unit")

    demo = data.get("demo") or {}
    body_keys = {b["key"] for b in demo.get("bodies") or []}
    for i, body in enumerate(demo.get("bodies") or []):
        ref(body, "kind", bodies, f"demo.bodies[{i}]")
        ref(body, "parent", body_keys, f"demo.bodies[{i}]")
    codes: set[str] = set()

    def walk(units, path):
        for i, unit in enumerate(units or []):
            p = f"{path}[{i}]"
            ref(unit, "level", levels, p)
            ref(unit, "body", body_keys, p)
            if unit.get("code") in codes:
                ctx.error(unit.line_of("code"), f"{p}.code", _("'%(key)s' is declared twice") % {"key": unit["code"]})
            codes.add(unit.get("code"))
            walk(unit.get("children"), f"{p}.children")

    walk(demo.get("units"), "demo.units")
    if len(demo.get("units") or []) > 1:
        ctx.error(demo.line_of("units"), "demo.units", _("the group must have exactly one top unit"))
    logins: set[str] = set()
    for i, person in enumerate(demo.get("people") or []):
        ref(person, "unit", codes, f"demo.people[{i}]")
        if person.get("login"):
            if person["login"] in logins:
                ctx.error(
                    person.line_of("login"),
                    f"demo.people[{i}].login",
                    _("'%(key)s' is declared twice") % {"key": person["login"]},
                )
            logins.add(person["login"])
        for j, role in enumerate(person.get("roles") or []):
            ref(role, "role", roles, f"demo.people[{i}].roles[{j}]")
            ref(role, "unit", codes, f"demo.people[{i}].roles[{j}]")
    names = {f"{p.get('first_name')} {p.get('last_name')}" for p in demo.get("people") or []}
    for i, party in enumerate(demo.get("external_parties") or []):
        ref(party, "unit", codes, f"demo.external_parties[{i}]")
        for j, contract in enumerate(party.get("contracts") or []):
            for unit in contract.get("units") or []:
                if unit not in codes:
                    ctx.error(
                        contract.line_of("units"),
                        f"demo.external_parties[{i}].contracts[{j}].units",
                        _("'%(value)s' is not declared") % {"value": unit},
                    )

    # Each installed area checks its own sections against the organisation's (and, through
    # `known`, against the areas before it: the documents leave the demo's documents there).
    found = {
        "role_types": roles,
        "unit_levels": levels,
        "body_kinds": bodies,
        "bodies": body_keys,
        "units": codes,
        "people": names,
    }
    for check in areas.profile_checks():
        check(data, ctx, ref, found)


def parse_profile(text: str, filename: str) -> Profile:
    data, ctx = parse(text, filename, spec())
    ctx.raise_if_any()
    _cross_check(data, ctx)
    ctx.raise_if_any()
    return Profile(data, filename)


@functools.cache
def load_profile(key: str) -> Profile:
    for folder in profile_dirs():
        path = folder / f"{key}.yaml"
        if path.is_file():
            profile = parse_profile(path.read_text(encoding="utf-8"), str(path.name))
            if profile.key != key:
                raise ProfileError(
                    [
                        _("%(file)s: 'profile' is '%(value)s' but the file is named '%(key)s'")
                        % {"file": path.name, "value": profile.key, "key": key}
                    ]
                )
            return profile
    raise ProfileError(
        [
            _("No policy profile named '%(key)s' (available: %(known)s)")
            % {"key": key, "known": ", ".join(available_profiles())}
        ]
    )
