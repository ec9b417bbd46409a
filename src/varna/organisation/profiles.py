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

from .schema import I18N, Bool, Context, Date, F, Int, List, Map, ProfileError, Str, parse
from .schema import Any_ as AnyValue

BUILTIN_DIR = Path(__file__).resolve().parent / "profiles"
KEY = r"[a-z][a-z0-9_]*"
AREAS = tuple(areas.POLICY_AREAS)
PERMISSIONS = ("view", "change", "manage")
# incidents.models.Category's keys (the profile is read before the apps are).
INCIDENT_CATEGORIES = (
    "near_miss",
    "accident",
    "vandalism",
    "graffiti",
    "theft",
    "burglary",
    "fire",
    "threat_violence",
    "water_damage",
    "it",
    "disruption",
    "extraordinary",
)
# insurance.models.CoverKind's keys (the profile is read before the apps are).
INSURANCE_COVERS = (
    "fire",
    "burglary",
    "water",
    "all_risk",
    "liability",
    "vehicle",
    "interruption",
    "crime",
    "accident",
    "cyber",
    "other",
)

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

_CLASSIFICATION = F(Str(choices=("public", "internal", "classified")), required=False, default="internal")
_MEASURE = Map(
    {
        "title": F(Str()),
        "unit": F(Str()),
        "owner": F(Str(), required=False),
        "due_in_days": F(Int(-3650, 3650), required=False),
        "status": F(Str(choices=("planned", "in_progress", "done", "cancelled")), required=False, default="planned"),
        "cost": F(Int(0, 10**11), required=False),
        "document": F(Str(pattern=KEY), required=False),
        "openness": F(Str(choices=("improves", "neutral", "restricts")), required=False, default=""),
        "openness_note": F(Str(), required=False, default=""),
        "description": F(Str(), required=False, default=""),
        "classification": _CLASSIFICATION,
        "classification_ground": F(Str(), required=False, default=""),
    }
)
_RISK = Map(
    {
        "title": F(Str()),
        "kind": F(Str(choices=("hazard", "threat", "dependency")), required=False, default="hazard"),
        "category": F(Str(), required=False, default=""),
        "unit": F(Str()),
        "owner": F(Str(), required=False),
        "description": F(Str(), required=False, default=""),
        "cause": F(Str(), required=False, default=""),
        "likelihood": F(Int(1, 10), required=False),
        "consequences": F(Map(extra=Int(1, 10)), required=False),
        "assessed_months_ago": F(Int(0, 120), required=False, default=0),
        "residual": F(Map({"likelihood": F(Int(1, 10)), "consequences": F(Map(extra=Int(1, 10)))}), required=False),
        "classification": _CLASSIFICATION,
        "classification_ground": F(Str(), required=False, default=""),
        "vital_functions": F(List(Str()), required=False, default=[]),
        "measures": F(List(_MEASURE), required=False, default=[]),
    }
)
_VITAL_FUNCTION = Map(
    {
        "name": F(Str()),
        "unit": F(Str()),
        "description": F(Str(), required=False, default=""),
        "acceptable_level": F(Str(), required=False, default=""),
        "max_outage_hours": F(Int(0, 100000), required=False),
        "classification": _CLASSIFICATION,
        "classification_ground": F(Str(), required=False, default=""),
        "dependencies": F(
            List(
                Map(
                    {
                        "kind": F(
                            Str(
                                choices=(
                                    "power",
                                    "water",
                                    "heat",
                                    "fuel",
                                    "it",
                                    "telecom",
                                    "staff",
                                    "transport",
                                    "supplier",
                                    "function",
                                    "other",
                                )
                            )
                        ),
                        "name": F(Str(), required=False, default=""),
                        "function": F(Str(), required=False),
                        "tolerable_outage_hours": F(Int(0, 100000), required=False),
                        "reserve": F(Str(), required=False, default=""),
                    }
                )
            ),
            required=False,
            default=[],
        ),
        "capability": F(
            List(Map({"event_type": F(Str()), "level": F(Int(1, 10)), "reasons": F(Str())})),
            required=False,
            default=[],
        ),
    }
)
_ANALYSIS = Map(
    {
        "title": F(Str()),
        "kind": F(Str(choices=("rva", "unit"))),
        "unit": F(Str()),
        # Demo dates are relative to the day the demo is loaded, so that the demo stays current.
        "mandate_period": F(Str(choices=("current", "previous")), required=False),
        "status": F(Str(choices=("ongoing", "completed", "reported")), required=False, default="ongoing"),
        "started_months_ago": F(Int(0, 120), required=False, default=0),
        "scope": F(Str(), required=False, default=""),
        "method": F(Str(), required=False, default=""),
        "participants": F(Str(), required=False, default=""),
        "classification": F(Str(choices=("public", "internal", "classified")), required=False, default="public"),
        "classification_ground": F(Str(), required=False, default=""),
        "risks": F(List(_RISK), required=False, default=[]),
    }
)

SPEC = Map(
    {
        "profile": F(Str(pattern=KEY)),
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
        "document_kinds": F(
            List(
                Map(
                    {
                        "key": F(Str(pattern=KEY)),
                        "name": F(I18N),
                        "parent_kinds": F(List(Str(pattern=KEY)), required=False, default=[]),
                        "decided_by_body": F(Str(pattern=KEY), required=False),
                        "decided_by_role": F(Str(pattern=KEY), required=False),
                        "review_months": F(Int(minimum=1, maximum=120), required=False),
                        "review_before_mandate_period": F(Bool(), required=False, default=False),
                        "notify_body": F(Str(pattern=KEY), required=False),
                    }
                )
            ),
            required=False,
            default=[],
        ),
        "required_routines": F(List(Map({"key": F(Str(pattern=KEY)), "name": F(I18N)})), required=False, default=[]),
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
        "risk_matrix": F(
            Map(
                {
                    "likelihood": F(
                        List(
                            Map({"level": F(Int(1, 10)), "name": F(I18N), "description": F(I18N, required=False)}),
                            min_items=3,
                        )
                    ),
                    "consequence": F(
                        List(
                            Map({"level": F(Int(1, 10)), "name": F(I18N), "description": F(I18N, required=False)}),
                            min_items=3,
                        )
                    ),
                    "dimensions": F(List(Map({"key": F(Str(pattern=KEY)), "name": F(I18N)}), min_items=1)),
                    "zones": F(
                        List(
                            Map(
                                {
                                    "key": F(Str(pattern=KEY)),
                                    "name": F(I18N),
                                    "colour": F(Str(pattern=r"#[0-9a-fA-F]{6}")),
                                    "review_months": F(Int(1, 60)),
                                }
                            ),
                            min_items=2,
                        )
                    ),
                    "grid": F(List(List(Str(pattern=KEY)))),
                    "capability": F(List(Map({"level": F(Int(1, 10)), "name": F(I18N)})), required=False, default=[]),
                    "life_dimension": F(Str(pattern=KEY), required=False),
                    "life_flag_from": F(Int(1, 10), required=False),
                    "acceptance_role": F(Str(pattern=KEY), required=False),
                }
            ),
            required=False,
        ),
        "incidents": F(
            Map(
                {
                    # How long personal data of an incident is kept, in months after it
                    # happened, per category (`default` for the others); retention.py thins it.
                    "personal_data_months": F(
                        Map(
                            {
                                "default": F(Int(1, 1200), required=False),
                                **{c: F(Int(1, 1200), required=False) for c in INCIDENT_CATEGORIES},
                            }
                        ),
                        required=False,
                        default={},
                    ),
                    # The decision that allows the thinning (a records management plan).
                    "retention_decision": F(Str(), required=False, default=""),
                    # A public form (no login) for residents to report, e.g. graffiti.
                    "public_report": F(
                        Map(
                            {
                                "categories": F(List(Str(choices=INCIDENT_CATEGORIES), min_items=1)),
                                "unit": F(Str()),
                            }
                        ),
                        required=False,
                    ),
                }
            ),
            required=False,
            default={},
        ),
        "insurance": F(
            Map(
                {
                    # The body that watches the insurance needs (HJ-7), by its name in the
                    # municipality; it gets the yearly review.
                    "review_body": F(Str(), required=False),
                    "review_due_month": F(Int(1, 12), required=False, default=3),
                    "required_covers": F(
                        List(Str(choices=INSURANCE_COVERS), min_items=1),
                        required=False,
                        default=["fire", "burglary", "water", "liability"],
                    ),
                }
            ),
            required=False,
            default={},
        ),
        "obligations": F(
            List(
                Map(
                    {
                        "id": F(Str(pattern=r"[A-Z]{2}-[0-9]+")),
                        "area": F(Str(choices=AREAS)),
                        "text": F(I18N),
                        "checks": F(
                            List(Map({"check": F(Str(pattern=KEY))}, extra=AnyValue())), required=False, default=[]
                        ),
                    }
                ),
                min_items=1,
            )
        ),
        "demo": F(
            Map(
                {
                    "bodies": F(
                        List(
                            Map(
                                {
                                    "key": F(Str(pattern=KEY)),
                                    "kind": F(Str(pattern=KEY)),
                                    "name": F(Str()),
                                    "parent": F(Str(pattern=KEY), required=False),
                                }
                            )
                        )
                    ),
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
                    "documents": F(
                        List(
                            Map(
                                {
                                    "key": F(Str(pattern=KEY)),
                                    "kind": F(Str(pattern=KEY)),
                                    "title": F(Str()),
                                    "unit": F(Str()),
                                    "owner": F(Str(), required=False),
                                    "parent": F(Str(pattern=KEY), required=False),
                                    "topics": F(List(Str(pattern=KEY)), required=False, default=[]),
                                    "classification": F(
                                        Str(choices=("public", "internal", "classified")),
                                        required=False,
                                        default="public",
                                    ),
                                    "classification_ground": F(Str(), required=False, default=""),
                                    "text": F(Str()),
                                    "decided": F(
                                        Map(
                                            {
                                                "date": F(Date()),
                                                "body": F(Str(pattern=KEY), required=False),
                                                "person": F(Str(), required=False),
                                                "record_number": F(Str(), required=False, default=""),
                                                "in_force_from": F(Date(), required=False),
                                                "communicated": F(Date(), required=False),
                                            }
                                        ),
                                        required=False,
                                    ),
                                    "status": F(
                                        Str(choices=("draft", "consultation")), required=False, default="draft"
                                    ),
                                }
                            )
                        ),
                        required=False,
                        default=[],
                    ),
                    "vital_functions": F(List(_VITAL_FUNCTION), required=False, default=[]),
                    "analyses": F(List(_ANALYSIS), required=False, default=[]),
                    "external_parties": F(
                        List(
                            Map(
                                {
                                    "name": F(Str()),
                                    "kind": F(
                                        Str(choices=("contractor", "hired_staff", "consultant", "supplier", "other"))
                                    ),
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
            ),
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
        self.document_kinds = {d["key"]: d for d in data["document_kinds"]}
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


def profile_dirs() -> list[Path]:
    extra = [Path(p) for p in os.environ.get("VARNA_PROFILE_DIRS", "").split(os.pathsep) if p]
    return [*extra, BUILTIN_DIR]


def available_profiles() -> list[str]:
    keys = set()
    for folder in profile_dirs():
        if folder.is_dir():
            keys.update(p.stem for p in folder.glob("*.yaml"))
    return sorted(keys)


def _cross_check(data: dict[str, Any], ctx: Context) -> None:
    """References between sections: every key used must be declared."""
    from varna.core.obligations import registry

    def known(section: str) -> set[str]:
        return {item["key"] for item in data.get(section) or [] if item and item.get("key")}

    roles, levels, bodies, docs = (
        known("role_types"),
        known("unit_levels"),
        known("body_kinds"),
        known("document_kinds"),
    )
    for section in ("role_types", "unit_levels", "body_kinds", "document_kinds", "trainings", "required_routines"):
        seen: set[str] = set()
        for i, item in enumerate(data.get(section) or []):
            if item.get("key") in seen:
                ctx.error(
                    item.line_of("key"), f"{section}[{i}].key", _("'%(key)s' is declared twice") % {"key": item["key"]}
                )
            seen.add(item.get("key"))

    def ref(item, field, allowed, path):
        value = item.get(field)
        if value is not None and value not in allowed:
            ctx.error(
                item.line_of(field),
                f"{path}.{field}",
                _("'%(value)s' is not declared (known: %(known)s)")
                % {"value": value, "known": ", ".join(sorted(allowed)) or "–"},
            )

    for i, kind in enumerate(data.get("document_kinds") or []):
        path = f"document_kinds[{i}]"
        ref(kind, "decided_by_body", bodies, path)
        ref(kind, "decided_by_role", roles, path)
        ref(kind, "notify_body", bodies, path)
        for parent in kind.get("parent_kinds") or []:
            if parent not in docs:
                ctx.error(
                    kind.line_of("parent_kinds"),
                    f"{path}.parent_kinds",
                    _("'%(value)s' is not declared") % {"value": parent},
                )
    for i, training in enumerate(data.get("trainings") or []):
        ref(training, "role", roles, f"trainings[{i}]")
        if training.get("audience") == "role" and not training.get("role"):
            ctx.error(training.line, f"trainings[{i}].role", _("is required when the audience is 'role'"))
    for i, kind in enumerate(data.get("document_kinds") or []):
        if bool(kind.get("decided_by_body")) == bool(kind.get("decided_by_role")):
            ctx.error(
                kind.line,
                f"document_kinds[{i}]",
                _("give exactly one of decided_by_body and decided_by_role"),
            )

    matrix = data.get("risk_matrix")
    if matrix:
        for scale in ("likelihood", "consequence", "capability"):
            levels_found = [item.get("level") for item in matrix.get(scale) or []]
            if levels_found and levels_found != list(range(1, len(levels_found) + 1)):
                ctx.error(
                    matrix.line_of(scale),
                    f"risk_matrix.{scale}",
                    _("levels must be 1, 2, 3, … in order (found %(found)s)") % {"found": levels_found},
                )
        for section in ("zones", "dimensions"):
            keys = [item.get("key") for item in matrix.get(section) or []]
            if len(keys) != len(set(keys)):
                ctx.error(matrix.line_of(section), f"risk_matrix.{section}", _("a key is declared twice"))
        zones = {z["key"] for z in matrix.get("zones") or []}
        grid = matrix.get("grid") or []
        n_like, n_cons = len(matrix.get("likelihood") or []), len(matrix.get("consequence") or [])
        if len(grid) != n_like:
            ctx.error(
                matrix.line_of("grid"),
                "risk_matrix.grid",
                _("must have one row per likelihood level (%(rows)s), not %(found)s")
                % {"rows": n_like, "found": len(grid)},
            )
        for r, row in enumerate(grid):
            if len(row or []) != n_cons:
                ctx.error(
                    getattr(row, "line", matrix.line_of("grid")),
                    f"risk_matrix.grid[{r}]",
                    _("must have one column per consequence level (%(cols)s), not %(found)s")
                    % {"cols": n_cons, "found": len(row or [])},
                )
        for row in grid:
            for cell in row or []:
                if cell not in zones:
                    ctx.error(
                        matrix.line_of("grid"),
                        "risk_matrix.grid",
                        _("zone '%(value)s' is not declared") % {"value": cell},
                    )

    if matrix:
        dimension_keys = {d.get("key") for d in matrix.get("dimensions") or []}
        ref(matrix, "life_dimension", dimension_keys, "risk_matrix")
        ref(matrix, "acceptance_role", roles, "risk_matrix")
        n_cons = len(matrix.get("consequence") or [])
        if matrix.get("life_flag_from") and matrix["life_flag_from"] > n_cons:
            ctx.error(
                matrix.line_of("life_flag_from"),
                "risk_matrix.life_flag_from",
                _("must be a consequence level (1–%(n)s)") % {"n": n_cons},
            )

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

    demo = data.get("demo")
    if demo:
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
                    ctx.error(
                        unit.line_of("code"), f"{p}.code", _("'%(key)s' is declared twice") % {"key": unit["code"]}
                    )
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
        doc_keys = {d.get("key") for d in demo.get("documents") or []}
        topics = {r.get("key") for r in data.get("required_routines") or []}
        for i, doc in enumerate(demo.get("documents") or []):
            path = f"demo.documents[{i}]"
            ref(doc, "kind", docs, path)
            ref(doc, "unit", codes, path)
            ref(doc, "owner", names, path)
            ref(doc, "parent", doc_keys, path)
            for topic in doc.get("topics") or []:
                if topic not in topics:
                    ctx.error(
                        doc.line_of("topics"), f"{path}.topics", _("'%(value)s' is not declared") % {"value": topic}
                    )
            decided = doc.get("decided")
            if decided:
                ref(decided, "body", body_keys, f"{path}.decided")
                ref(decided, "person", names, f"{path}.decided")
        # Each installed area checks its own parts of the demo against the organisation's.
        known = {"units": codes, "people": names, "documents": doc_keys}
        for check in areas.profile_checks():
            check(data, ctx, ref, known)
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


def parse_profile(text: str, filename: str) -> Profile:
    data, ctx = parse(text, filename, SPEC)
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
