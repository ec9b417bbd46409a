"""Import of role assignments from a file: who holds which role of the profile on which unit,
from when to when, as a municipality lists its security coordinators, heads and crisis staff
today. After the units and people (importer.py), so that nobody fills in role forms one by one.

The same steps as every import (core/tabular.py, core/import_plan.py, core/import_views.py):

``build_plan(table, group, user, skip_registered=False) -> Plan``
    Each row: a person the user may see, by employee number; a role of the profile, by its key
    or its name in Swedish or English; a unit the user manages (as for the role form), by code;
    optional dates (to not before from). An assignment that overlaps one already registered for
    the same person, role and unit is refused (or skipped when asked), as is the same one twice
    in the file.
``import_file(data, filename, group, user, skip_registered=False) -> Plan``
    Checked again and written in one transaction, with history; the source is "imported".
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history

from varna.core import column_mapping, import_plan, tabular
from varna.core.i18n import tr
from varna.core.import_plan import RowError
from varna.core.tabular import Column, Table

from .models import MunicipalGroup, OrgUnit, Person, RoleAssignment
from .notifications import notify_role_assigned

IMPORT_KIND = "roles"
"""The import's name for its saved column choices (core/column_mapping.py)."""

COLUMNS = (
    Column(
        "employee_number",
        "anställningsnummer",
        ("anställningsnummer", "anst.nr", "anstnr", "personalnummer", "employee number", "employee no"),
        gettext_lazy("The person's employee number, as in the import of people."),
    ),
    Column(
        "role",
        "roll",
        ("roll", "rolltyp", "uppdrag", "role", "role type"),
        gettext_lazy("A role of the policy profile, by its name (e.g. Säkerhetssamordnare) or its key."),
    ),
    Column(
        "unit",
        "enhetskod",
        ("enhetskod", "enhet", "organisatorisk enhet", "unit code", "unit"),
        gettext_lazy("The code of the unit the role is held on (it covers the units under it)."),
    ),
    Column(
        "valid_from",
        "giltig från",
        ("giltig från", "från", "från och med", "gäller från", "startdatum", "valid from", "from"),
        gettext_lazy("First day, YYYY-MM-DD (optional)."),
    ),
    Column(
        "valid_to",
        "giltig till",
        ("giltig till", "till", "till och med", "gäller till", "slutdatum", "valid to", "to"),
        gettext_lazy("Last day, YYYY-MM-DD (optional)."),
    ),
    Column(
        "note",
        "anteckning",
        ("anteckning", "kommentar", "note", "comment"),
        gettext_lazy("A note (optional)."),
    ),
)
REQUIRED = ("employee_number", "role", "unit")
NO_KNOWN_COLUMNS = gettext_lazy(
    "No known column names in the first row. Expected anställningsnummer, roll and enhetskod (found: %(found)s)."
)
DATES = ("valid_from", "valid_to")


@dataclass
class Row:
    number: int
    values: dict[str, Any]
    errors: list[RowError] = field(default_factory=list)
    status: str = ""
    person: Person | None = None
    unit: OrgUnit | None = None
    role: str = ""
    role_label: str = ""

    @property
    def label(self) -> str:
        return str(self.person) if self.person is not None else self.values.get("employee_number", "")


@dataclass
class Plan(import_plan.Plan):
    created: int = 0


def parse_file(data: bytes, filename: str = "", group=None, *, header_only: bool = False) -> Table:
    """Read bytes into a Table with the group's saved column choices. Never raises."""
    return tabular.parse_file(
        data,
        filename,
        COLUMNS,
        REQUIRED,
        NO_KNOWN_COLUMNS,
        mapping=column_mapping.saved(group, IMPORT_KIND),
        header_only=header_only,
    )


def _role_keys(profile) -> dict[str, str]:
    keys: dict[str, str] = {}
    for key, spec in profile.role_types.items():
        keys[tabular.key(key)] = key
        for name in (spec.get("name") or {}).values():
            keys.setdefault(tabular.key(name), key)
    return keys


def value_choices(group, user) -> dict[str, list[tuple[str, str]]]:
    """What a word of the file can be said to mean (core/column_mapping.py): the profile's roles
    and the units the user manages."""
    units = OrgUnit.objects.restrict(user, "manage").filter(group=group).order_by("path")
    return {
        "role": [(key, tr(spec["name"])) for key, spec in group.profile.role_types.items()],
        "unit": [(unit.code, f"{unit.code} – {unit.name}") for unit in units.only("code", "name")],
    }


def _clean(table: Table) -> list[Row]:
    rows = []
    for number, cells in table.rows:
        row = Row(number=number, values={})
        for name, index in table.columns.items():
            value = cells[index] if index < len(cells) else None
            if name in DATES:
                row.values[name] = import_plan.read_date(table, row, name, value)
            else:
                max_length = 300 if name == "note" else 100
                text = " ".join(tabular.cell_text(value).split())
                row.values[name] = import_plan.read_text(table, row, name, text, max_length=max_length)
        import_plan.require(table, row, REQUIRED)
        start, end = row.values.get("valid_from"), row.values.get("valid_to")
        if start and end and end < start:
            import_plan.add_error(table, row, "valid_to", _("The end date cannot be before the start date."))
        rows.append(row)
    return rows


def _overlaps(a_from, a_to, b_from, b_to) -> bool:
    low, high = datetime.date.min, datetime.date.max
    return (a_from or low) <= (b_to or high) and (b_from or low) <= (a_to or high)


def build_plan(table: Table, group, user, *, lock: bool = False, skip_registered: bool = False) -> Plan:
    """Check every row; nothing is written. The queries do not grow with the file."""
    plan = Plan.for_table(table, skip_registered=skip_registered)
    if table.errors:
        return plan
    if lock:
        list(MunicipalGroup.objects.select_for_update().filter(pk=group.pk).values_list("pk", flat=True))
    rows = _clean(table)
    plan.rows = rows
    plan.translated = column_mapping.translate(rows, group, IMPORT_KIND)
    profile = group.profile
    roles = _role_keys(profile)
    numbers = {r.values.get("employee_number") for r in rows} - {None, ""}
    people = {
        p.employee_number: p
        for p in Person.objects.restrict(user, "view")
        .filter(group=group, employee_number__in=numbers)
        .select_related("user")
    }
    units = {u.code.casefold(): u for u in OrgUnit.objects.filter(group=group)}
    managed = set(OrgUnit.objects.restrict(user, "manage").filter(group=group).values_list("pk", flat=True))
    existing: dict[tuple, list[tuple]] = {}
    for person_id, role, unit_id, start, end in RoleAssignment.objects.filter(person__in=people.values()).values_list(
        "person_id", "role", "unit_id", "valid_from", "valid_to"
    ):
        existing.setdefault((person_id, role, unit_id), []).append((start, end))

    in_file: dict[tuple, list[Row]] = {}
    for row in rows:
        v = row.values

        def error(name: str, message: str, row=row, unknown: str = "") -> None:
            import_plan.add_error(table, row, name, message, unknown=unknown)

        if v.get("employee_number"):
            row.person = people.get(v["employee_number"])
            if row.person is None:
                error(
                    "employee_number",
                    _("There is no person with the employee number %(number)s.")
                    % {"number": v["employee_number"][:40]},
                )
        if v.get("role"):
            row.role = roles.get(tabular.key(v["role"]), "")
            if row.role:
                row.role_label = tr(profile.role_types[row.role]["name"])
            else:
                known = ", ".join(tr(spec["name"]) for spec in profile.role_types.values())
                message = _("Unknown role “%(value)s” (known: %(known)s).") % {"value": v["role"][:80], "known": known}
                error("role", message, unknown=v["role"])
        if v.get("unit"):
            row.unit = units.get(v["unit"].casefold())
            if row.unit is None:
                message = _("There is no unit with the code %(code)s.") % {"code": v["unit"][:80]}
                error("unit", message, unknown=v["unit"])
            elif row.unit.pk not in managed and not user.is_superuser:
                error("unit", _("You do not manage the unit %(code)s.") % {"code": row.unit.code})
                row.unit = None
        if row.errors or row.person is None or row.unit is None or not row.role:
            continue
        identity = (row.person.pk, row.role, row.unit.pk)
        start, end = v.get("valid_from"), v.get("valid_to")
        if any(_overlaps(start, end, s, e) for s, e in existing.get(identity, [])):
            message = _("%(person)s already has this role on %(unit)s for an overlapping period.") % {
                "person": row.person,
                "unit": row.unit,
            }
            import_plan.already_registered(table, row, "role", message, plan)
            continue
        earlier = next(
            (
                r
                for r in in_file.get(identity, [])
                if _overlaps(start, end, r.values.get("valid_from"), r.values.get("valid_to"))
            ),
            None,
        )
        if earlier is not None:
            error("role", _("The same role assignment is also on row %(row)s.") % {"row": earlier.number})
            continue
        in_file.setdefault(identity, []).append(row)
    plan.settle()
    return plan


def apply_plan(plan: Plan, group, user) -> int:
    """Write an accepted plan. Call inside transaction.atomic(), with a plan built in it."""
    if not plan.can_apply:
        raise ValueError("A plan with refused rows or file errors cannot be applied.")
    assignments = [
        RoleAssignment(
            person=row.person,
            role=row.role,
            unit=row.unit,
            valid_from=row.values.get("valid_from"),
            valid_to=row.values.get("valid_to"),
            note=row.values.get("note", ""),
            source=RoleAssignment.Source.IMPORT,
        )
        for row in plan.added
    ]
    bulk_create_with_history(assignments, RoleAssignment, default_user=user, default_change_reason=plan.change_reason())
    for assignment in assignments:
        assignment.unit.group = group  # the profile's role names without a query per row
        notify_role_assigned(assignment, user)
    plan.created = len(assignments)
    plan.applied = True
    return plan.created


def import_file(data: bytes, filename: str, group, user, *, skip_registered: bool = False) -> Plan:
    """Parse, check again and apply in one transaction: everything or nothing."""
    table = parse_file(data, filename, group)
    return import_plan.all_or_nothing(
        lambda: build_plan(table, group, user, lock=True, skip_registered=skip_registered),
        lambda plan: apply_plan(plan, group, user),
    )
