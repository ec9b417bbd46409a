"""Import org units and people from a CSV or XLSX file the way an HR system exports them.

The file is read, the rows checked into a plan and the plan written all or nothing by core's
import machinery (core/tabular.py, core/import_plan.py); this module declares the columns and
the rules of units and people. Three steps, each usable on its own (docs/import.md describes
the file for users):

``parse_file(data, filename, group) -> Table``
    Reads the bytes into a header and rows (core/tabular.py: the format decided by the
    content, CSV in any of the usual encodings and separators, XLSX with its guards). Needs no
    database and never raises: what is wrong with the file as a whole is in ``Table.errors``.
    Which columns are required depends on what the file holds: units, people or both.
``build_plan(table, group, user) -> Plan``
    Cleans and validates every row and matches units by code and people by employee number
    within the group: each row is added, changed (with before → after per field), unchanged or
    refused (with the row number as in the spreadsheet, header = row 1, and the column).
    Rows touching a unit outside the user's *manage* scope are refused. A constant number of
    queries whatever the number of rows.
``import_file(data, filename, group, user) -> Plan``
    Parses again, re-validates and — only if no row is refused — writes everything in one
    transaction: all or nothing. History (django-simple-history) records every change.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from varna.core import column_mapping, import_plan, tabular
from varna.core.import_plan import ADDED, CHANGED, REFUSED, UNCHANGED, Change, RowError, add_error
from varna.core.tabular import Column, Table

from .models import Body, OrgUnit, Person, RoleAssignment

IMPORT_KIND = "people"
"""The import's name for its saved column choices (core/column_mapping.py)."""

MAX_BYTES = tabular.MAX_BYTES
"""Largest file accepted (bytes): the shared default."""
MAX_ROWS = tabular.MAX_ROWS
"""Most data rows (not counting the header or blank rows) accepted: the shared default."""
PEOPLE_IN_QUERY = 500
"""Up to this many employee numbers are looked up with IN (…); above it, all the group's people
are read in one query. Either way one query, whatever the number of rows."""
BATCH_SIZE = 500

UNIT, PERSON = "unit", "person"

COLUMNS = (
    Column(
        "code",
        "enhetskod",
        ("enhetskod", "enhets kod", "enhet kod", "kod", "unit code", "code"),
        gettext_lazy("Unit code. For a unit row the unit's own code, for a person row the person's unit."),
    ),
    Column("name", "enhetsnamn", ("enhetsnamn", "unit name"), gettext_lazy("Name of the unit.")),
    Column(
        "parent",
        "överordnad enhetskod",
        (
            "överordnad enhetskod",
            "överordnad enhet",
            "överordnad kod",
            "parent unit code",
            "parent code",
            "parent unit",
            "parent",
        ),
        gettext_lazy("Code of the unit above. May be empty for an existing unit that stays where it is."),
    ),
    Column(
        "level",
        "nivå",
        ("nivå", "enhetsnivå", "level", "unit level"),
        gettext_lazy("Level of the unit, by name or key from the policy profile (e.g. Förvaltning)."),
    ),
    Column(
        "body",
        "ansvarigt organ",
        ("ansvarigt organ", "ansvarig nämnd", "nämnd", "organ", "responsible body", "body", "committee"),
        gettext_lazy(
            "The body the unit answers to (a committee, the executive board, a company board), by its name in "
            "the register of bodies. May be empty: an existing unit keeps its body."
        ),
    ),
    Column(
        "employee_number",
        "anställningsnummer",
        (
            "anställningsnummer",
            "anställningsnr",
            "anst.nr",
            "anstnr",
            "anst nr",
            "personalnummer",
            "employee number",
            "employee no",
            "employee id",
        ),
        gettext_lazy("Employee number: the key that matches a person already registered."),
    ),
    Column("first_name", "förnamn", ("förnamn", "first name", "given name", "firstname"), gettext_lazy("First name.")),
    Column(
        "last_name",
        "efternamn",
        ("efternamn", "last name", "surname", "family name", "lastname"),
        gettext_lazy("Last name."),
    ),
    Column(
        "email",
        "e-post",
        ("e-post", "epost", "e-postadress", "epostadress", "e-mail", "email", "e-mail address", "email address"),
        gettext_lazy("E-mail address."),
    ),
    Column(
        "phone",
        "telefon",
        ("telefon", "telefonnummer", "phone", "telephone", "phone number"),
        gettext_lazy("Phone number."),
    ),
    Column("title", "titel", ("titel", "befattning", "title", "job title"), gettext_lazy("Title or position.")),
    Column(
        "employment_start",
        "anställd från",
        ("anställd från", "anställd fr.o.m.", "anställningsdatum", "employed from", "employment start"),
        gettext_lazy("First day of employment, YYYY-MM-DD."),
    ),
    Column(
        "employment_end",
        "anställd till",
        ("anställd till", "anställd t.o.m.", "employed to", "employment end"),
        gettext_lazy("Last day of employment, YYYY-MM-DD."),
    ),
)
UNIT_REQUIRED = ("code", "name", "level")
UNIT_ONLY = ("name", "level", "parent", "body")
PERSON_REQUIRED = ("employee_number", "first_name", "last_name", "code")
PERSON_ONLY = ("first_name", "last_name", "email", "phone", "title", "employment_start", "employment_end")
PERSON_TEXT = ("first_name", "last_name", "email", "phone", "title")
PERSON_DATES = ("employment_start", "employment_end")

NO_KNOWN_COLUMNS = gettext_lazy(
    "No known column names in the first row. Expected e.g. enhetskod, enhetsnamn, nivå or "
    "anställningsnummer, förnamn, efternamn (found: %(found)s)."
)


def _has_units(columns) -> bool:
    return any(name in columns for name in UNIT_ONLY)


def _has_people(columns) -> bool:
    return any(name in columns for name in PERSON_ONLY) or "employee_number" in columns


def required_columns(found: dict[str, int]) -> tuple[str, ...] | None:
    """The columns a file of units, of people or of both needs; None when the columns found are
    neither (a unit code alone)."""
    has_units, has_people = _has_units(found), _has_people(found)
    if not has_units and not has_people:
        return None
    return (UNIT_REQUIRED if has_units else ()) + (PERSON_REQUIRED if has_people else ())


def parse_file(data: bytes, filename: str = "", group=None, *, header_only: bool = False) -> Table:
    """Read bytes into a Table (core/tabular.py) with the group's saved column choices. Never
    raises: a file that cannot be read gets `errors`."""
    return tabular.parse_file(
        data,
        filename,
        COLUMNS,
        required_columns,
        NO_KNOWN_COLUMNS,
        max_rows=MAX_ROWS,
        max_bytes=MAX_BYTES,
        mapping=column_mapping.saved(group, IMPORT_KIND),
        header_only=header_only,
    )


# ---------------------------------------------------------------------------------------------
# Cleaning and validating rows


@dataclass
class Row:
    number: int
    kind: str  # UNIT or PERSON
    values: dict[str, Any]
    errors: list[RowError] = field(default_factory=list)
    status: str = ""
    changes: list[Change] = field(default_factory=list)
    instance: Any = None  # the existing unit or person
    key: str = ""  # unit code (casefolded) or employee number
    depth: int = 0  # units: depth in the group after the import
    parent_key: str | None = None  # units: casefolded code of the parent after the import
    moves: bool = False  # units: an existing unit gets a new parent
    roles_ending: list = field(default_factory=list)  # people: roles the employment's end ends

    @property
    def kind_label(self) -> str:
        return _("Unit") if self.kind == UNIT else _("Person")

    @property
    def label(self) -> str:
        v = self.values
        if self.kind == UNIT:
            return " ".join(part for part in (v.get("code", ""), v.get("name", "")) if part)
        name = " ".join(part for part in (v.get("first_name", ""), v.get("last_name", "")) if part)
        number = v.get("employee_number", "")
        return f"{name} ({number})" if number and name else name or number


@dataclass
class Plan(import_plan.Plan):
    statuses = (ADDED, CHANGED, UNCHANGED, REFUSED)
    units_by_code: dict[str, Any] = field(default_factory=dict, repr=False)  # for apply_plan


def _max_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


_FIELD_MODEL = {
    "code": (OrgUnit, "code"),
    "name": (OrgUnit, "name"),
    "parent": (OrgUnit, "code"),
    "level": (OrgUnit, "kind"),
    "body": (Body, "name"),
    "employee_number": (Person, "employee_number"),
    "first_name": (Person, "first_name"),
    "last_name": (Person, "last_name"),
    "email": (Person, "email"),
    "phone": (Person, "phone"),
    "title": (Person, "title"),
}


def _level_keys(profile) -> dict[str, str]:
    keys: dict[str, str] = {}
    for key, level in profile.unit_levels.items():
        keys[tabular.key(key)] = key
        for name in (level.get("name") or {}).values():
            keys.setdefault(tabular.key(name), key)
    return keys


def _clean(table: Table, profile, meanings: dict) -> tuple[list[Row], int]:
    """Turn raw cells into typed values per row, with the errors that need no database; the
    group's saved meanings of words (`meanings`, core/column_mapping.py) read into them. Returns
    the rows and how many cells the meanings read."""
    levels = _level_keys(profile)
    translated = 0
    has_units = _has_units(table.columns)
    rows = []
    for number, cells in table.rows:
        raw = {name: (cells[index] if index < len(cells) else None) for name, index in table.columns.items()}
        row = Row(number=number, kind=UNIT, values={})

        def error(name: str, message: str, row=row, unknown: str = "") -> None:
            add_error(table, row, name, message, unknown=unknown)

        number_text = tabular.cell_text(raw.get("employee_number"))
        person_data = any(not tabular.is_blank(raw.get(name)) for name in PERSON_ONLY)
        row.kind = PERSON if number_text or person_data or not has_units else UNIT

        for name, value in raw.items():
            if name in PERSON_DATES:
                continue
            max_length = _max_length(*_FIELD_MODEL[name]) if name in _FIELD_MODEL else None
            row.values[name] = import_plan.read_text(table, row, name, tabular.cell_text(value), max_length=max_length)
        for name in PERSON_DATES:
            if name in raw:
                row.values[name] = import_plan.read_date(table, row, name, raw[name])

        translated += column_mapping.translate_values(row.values, meanings)
        import_plan.require(table, row, PERSON_REQUIRED if row.kind == PERSON else UNIT_REQUIRED)

        if row.kind == UNIT:
            level = row.values.get("level", "")
            if level:
                key = levels.get(tabular.key(level))
                if key is None:
                    names = ", ".join(profile.level_name(k) for k in profile.unit_levels)
                    message = _("Unknown level “%(value)s” (known: %(known)s).") % {"value": level, "known": names}
                    error("level", message, unknown=level)
                row.values["level"] = key or level
            row.key = row.values.get("code", "").casefold()
        else:
            email = row.values.get("email", "")
            if email:
                try:
                    validate_email(email)
                except ValidationError:
                    error("email", _("“%(value)s” is not a valid e-mail address.") % {"value": email[:80]})
            start, end = row.values.get("employment_start"), row.values.get("employment_end")
            if start and end and end < start:
                error("employment_end", _("The end date cannot be before the start date."))
            row.key = row.values.get("employee_number", "")
        rows.append(row)
    return rows, translated


# ---------------------------------------------------------------------------------------------
# Matching against the database


def _display_date(value: datetime.date | None) -> str:
    return value.isoformat() if value else ""


def value_choices(group, user) -> dict[str, list[tuple[str, str]]]:
    """What a word of the file can be said to mean (core/column_mapping.py): the profile's unit
    levels and the group's bodies (by name: the column names a body as the register does)."""
    profile = group.profile
    bodies = Body.objects.filter(group=group).order_by("name")
    return {
        "level": [(key, profile.level_name(key)) for key in profile.unit_levels],
        "body": [(body.name, f"{body.name} ({profile.body_kind_name(body.kind).lower()})") for body in bodies],
    }


def build_plan(table: Table, group, user, *, lock: bool = False) -> Plan:
    """Validate every row and decide what it would do. Reads the group's units once, the ids the
    user manages once, and the matching people once: the query count does not grow with the file."""
    plan = Plan.for_table(table)
    if table.errors:
        return plan
    profile = group.profile
    rows, plan.translated = _clean(table, profile, column_mapping.saved_values(group, IMPORT_KIND))
    plan.rows = rows

    unit_qs = OrgUnit.objects.filter(group=group)
    if lock:
        unit_qs = unit_qs.select_for_update()
    units = list(unit_qs)
    by_code = {u.code.casefold(): u for u in units}
    by_id = {u.pk: u for u in units}
    managed = set(OrgUnit.objects.restrict(user, "manage").filter(group=group).values_list("pk", flat=True))
    bodies: dict[str, list[Body]] = {}
    body_names: dict[int, str] = {}
    for body in Body.objects.filter(group=group):
        bodies.setdefault(body.name.casefold(), []).append(body)
        body_names[body.pk] = body.name

    unit_rows = [r for r in rows if r.kind == UNIT]
    person_rows = [r for r in rows if r.kind == PERSON]

    def error(row: Row, name: str, message: str) -> None:
        add_error(table, row, name, message)

    # Units: first occurrence of a code wins; later ones are refused.
    file_units: dict[str, Row] = {}
    for row in unit_rows:
        if not row.key:
            continue
        first = file_units.get(row.key)
        if first is not None:
            error(
                row,
                "code",
                _("The unit code %(code)s also appears on row %(row)s.")
                % {"code": row.values["code"], "row": first.number},
            )
        else:
            file_units[row.key] = row
            row.instance = by_code.get(row.key)

    # The tree after the import: code → code of the parent (None for the top).
    final_parent: dict[str, str | None] = {
        code: (by_id[u.parent_id].code.casefold() if u.parent_id in by_id else None) for code, u in by_code.items()
    }
    has_root = any(u.parent_id is None for u in units)
    new_roots = 0
    broken: set[str] = set()  # units whose place is unknown: refused themselves, not held against others
    for key, row in file_units.items():
        parent = row.values.get("parent", "").casefold()
        existing = row.instance
        if not parent:
            if existing is None:
                if has_root or new_roots:
                    error(row, "parent", _("State the code of the unit above (a new unit needs a parent)."))
                    broken.add(key)
                new_roots += 1
                final_parent[key] = None
            continue  # an existing unit without a parent code stays where it is
        if parent not in by_code and parent not in file_units:
            error(row, "parent", _("There is no unit with the code %(code)s.") % {"code": row.values["parent"]})
            final_parent.setdefault(key, None)
            broken.add(key)
            continue
        if existing is not None and existing.parent_id is None:
            error(row, "parent", _("The top unit of the group cannot be placed under another unit."))
            continue
        final_parent[key] = parent

    # A unit cannot end up under itself: every row in a cycle is refused, then the cycles are
    # cut so that the other rows can be judged.
    def reaches_itself(key: str) -> bool:
        seen: set[str] = set()
        current = final_parent.get(key)
        while current is not None and current not in seen:
            if current == key:
                return True
            seen.add(current)
            current = final_parent.get(current)
        return False

    in_cycle = [key for key in file_units if reaches_itself(key)]
    for key in in_cycle:
        row = file_units[key]
        error(row, "parent", _("The unit %(code)s would end up under itself.") % {"code": row.values["code"]})
    for key in in_cycle:
        final_parent[key] = None
        broken.add(key)

    depth: dict[str, int] = {}

    def depth_of(key: str) -> int:
        chain: list[str] = []
        current: str | None = key
        while current is not None and current not in depth and len(chain) <= len(final_parent):
            chain.append(current)
            current = final_parent.get(current)
        base = depth.get(current, -1) if current is not None else -1
        for code in reversed(chain):
            base += 1
            depth[code] = base
        return depth[key]

    for key, row in file_units.items():
        row.depth = depth_of(key)
        row.parent_key = final_parent.get(key)
        current = row.instance
        row.moves = current is not None and row.parent_key != (
            by_id[current.parent_id].code.casefold() if current.parent_id in by_id else None
        )

    # Scope: a unit is managed if the user manages it now, or (new) if its parent will be managed.
    def managed_after(key: str | None, hops: int = 0) -> bool:
        if key is None or hops > len(final_parent) + 1:
            return user.is_superuser
        existing = by_code.get(key)
        if existing is not None:
            return existing.pk in managed
        if key in broken:
            return True
        return managed_after(final_parent.get(key), hops + 1)

    for row in file_units.values():
        existing = row.instance
        if existing is not None and existing.pk not in managed:
            error(row, "code", _("You do not manage the unit %(code)s.") % {"code": existing.code})
            continue
        if row.errors or not (existing is None or row.moves) or managed_after(row.parent_key):
            continue
        if row.parent_key is None:
            error(row, "parent", _("Only an administrator can create the top unit of the group."))
        else:
            error(row, "parent", _("You do not manage the unit %(code)s.") % {"code": row.values["parent"]})

    # The body each unit row names: by its name in the register, which must be unambiguous.
    for row in file_units.values():
        name = row.values.get("body", "")
        if not name:
            continue
        found = bodies.get(name.casefold(), [])
        if len(found) == 1:
            row.values["body"] = found[0]
        elif found:
            error(row, "body", _("Several bodies are called “%(name)s”; rename one in the register.") % {"name": name})
        else:
            known = ", ".join(sorted(b.name for same in bodies.values() for b in same)[:10]) or "–"
            message = _("There is no body called “%(name)s” (known: %(known)s).") % {"name": name, "known": known}
            add_error(table, row, "body", message, unknown=name)

    # What each accepted unit row changes.
    def code_of(key: str) -> str:
        return by_code[key].code if key in by_code else file_units[key].values["code"]

    def label(model, name: str) -> str:
        return str(model._meta.get_field(name).verbose_name)

    for row in file_units.values():
        if row.errors:
            continue
        existing = row.instance
        if existing is None:
            row.status = ADDED
            continue
        v = row.values
        changes = []
        if v["code"] != existing.code:
            changes.append(Change(label(OrgUnit, "code"), existing.code, v["code"]))
        if v["name"] != existing.name:
            changes.append(Change(label(OrgUnit, "name"), existing.name, v["name"]))
        if v["level"] != existing.kind:
            changes.append(
                Change(label(OrgUnit, "kind"), profile.level_name(existing.kind), profile.level_name(v["level"]))
            )
        if row.moves:
            changes.append(Change(label(OrgUnit, "parent"), by_id[existing.parent_id].code, code_of(row.parent_key)))
        body = v.get("body") or None
        if body is not None and body.pk != existing.responsible_body_id:
            before = body_names.get(existing.responsible_body_id, "")
            changes.append(Change(label(OrgUnit, "responsible_body"), before, body.name))
        row.changes = changes
        row.status = CHANGED if changes else UNCHANGED

    # People.
    numbers = {r.key for r in person_rows if r.key}
    people_qs = Person.objects.filter(group=group)
    if len(numbers) <= PEOPLE_IN_QUERY:
        people_qs = people_qs.filter(employee_number__in=numbers)
    else:
        people_qs = people_qs.exclude(employee_number="")
    if lock:
        people_qs = people_qs.select_for_update()
    people = {p.employee_number: p for p in (people_qs if numbers else [])}

    seen_numbers: dict[str, Row] = {}
    for row in person_rows:
        if row.key:
            first = seen_numbers.get(row.key)
            if first is not None:
                error(
                    row,
                    "employee_number",
                    _("The employee number %(number)s also appears on row %(row)s.")
                    % {"number": row.key, "row": first.number},
                )
                continue
            seen_numbers[row.key] = row
            row.instance = people.get(row.key)
        code = row.values.get("code", "").casefold()
        if code:
            if code not in by_code and code not in file_units:
                error(row, "code", _("There is no unit with the code %(code)s.") % {"code": row.values["code"]})
            elif not managed_after(code):
                error(row, "code", _("You do not manage the unit %(code)s.") % {"code": row.values["code"]})
        person = row.instance
        if person is not None and person.unit_id not in managed:
            error(
                row,
                "employee_number",
                _("The person with employee number %(number)s belongs to a unit you do not manage.")
                % {"number": row.key},
            )
        if row.errors:
            continue
        if person is None:
            row.status = ADDED
            continue
        changes = []
        for name in PERSON_TEXT:
            if name in row.values and row.values[name] != getattr(person, name):
                changes.append(Change(label(Person, name), getattr(person, name), row.values[name]))
        for name in PERSON_DATES:
            if name in row.values and row.values[name] != getattr(person, name):
                before, after = _display_date(getattr(person, name)), _display_date(row.values[name])
                changes.append(Change(label(Person, name), before, after))
        target = by_code.get(code)
        if target is None or target.pk != person.unit_id:
            before = by_id.get(person.unit_id)
            after = target.code if target is not None else file_units[code].values["code"]
            changes.append(Change(label(Person, "unit"), before.code if before else "", after))
        row.changes = changes
        row.status = CHANGED if changes else UNCHANGED

    # An employment that ends ends the person's roles: said in the plan, done in apply_plan.
    ending = {
        r.instance.pk: (r, r.values["employment_end"])
        for r in person_rows
        if r.status in (CHANGED, UNCHANGED) and r.values.get("employment_end") and not r.errors
    }
    for assignment in _roles_outlasting(ending):
        row, end = ending[assignment.person_id]
        row.roles_ending.append(assignment)
    for row, end in ending.values():
        if row.roles_ending:
            row.status = CHANGED
            row.changes.append(
                Change(
                    _("Role assignments"),
                    ", ".join(f"{a.role_name} ({a.unit.code})" for a in row.roles_ending),
                    _("end %(date)s") % {"date": end.isoformat()},
                )
            )

    plan.settle(default=REFUSED)
    plan.units_by_code = by_code
    return plan


def _roles_outlasting(ending: dict[int, tuple[Any, datetime.date]]) -> list[RoleAssignment]:
    """The role assignments of these people that run past the end of their employment."""
    if not ending:
        return []
    found = RoleAssignment.objects.filter(person_id__in=ending).select_related("unit__group").order_by("pk")
    # One that would start only after the end is left as it is: ending it would end it before it began.
    return [
        a
        for a in found
        if (a.valid_to is None or a.valid_to > ending[a.person_id][1])
        and (a.valid_from is None or a.valid_from <= ending[a.person_id][1])
    ]


# ---------------------------------------------------------------------------------------------
# Writing


def apply_plan(plan: Plan, group, user) -> None:
    """Write an accepted plan. Call inside transaction.atomic() with a plan built with lock=True."""
    if not plan.can_apply:
        raise ValueError("A plan with refused rows or file errors cannot be applied.")
    reason = plan.change_reason()
    now = timezone.now()
    by_code: dict[str, OrgUnit] = dict(plan.units_by_code)

    # Units one by one, parents first: OrgUnit.save() computes the materialised path from the
    # parent's, and moves a subtree along. Units are few (hundreds), so save() is fine here.
    unit_rows = sorted((r for r in plan.rows if r.kind == UNIT and r.status in (ADDED, CHANGED)), key=lambda r: r.depth)
    moved = False

    def fresh(unit: OrgUnit) -> OrgUnit:
        # After a move in this import, paths in memory may be stale: OrgUnit.save() rewrote the
        # subtree in the database. Read them again before computing a path from them.
        if moved and unit.pk is not None:
            unit.path, unit.depth = OrgUnit.objects.filter(pk=unit.pk).values_list("path", "depth").get()
        return unit

    for row in unit_rows:
        v = row.values
        unit = row.instance
        if unit is None:
            unit = OrgUnit(group=group)
        fresh(unit)
        if row.parent_key is not None:
            unit.parent = fresh(by_code[row.parent_key])
        unit.code, unit.name, unit.kind = v["code"], v["name"], v["level"]
        if v.get("body"):
            unit.responsible_body = v["body"]
        unit._change_reason = reason
        unit._history_user = user
        if unit.pk is None:
            unit.save()
        else:
            unit.save_versioned(unit.version)  # bumps the version: forms opened before are stale
        by_code[row.key] = unit
        moved = moved or row.moves

    person_rows = [r for r in plan.rows if r.kind == PERSON]
    new_people = []
    for row in person_rows:
        if row.status != ADDED:
            continue
        v = row.values
        new_people.append(
            Person(
                group=group,
                unit=by_code[v["code"].casefold()],
                employee_number=v["employee_number"],
                first_name=v["first_name"],
                last_name=v["last_name"],
                **{name: v[name] for name in ("email", "phone", "title") if name in v},
                **{name: v[name] for name in PERSON_DATES if name in v},
            )
        )
    if new_people:
        bulk_create_with_history(
            new_people, Person, batch_size=BATCH_SIZE, default_user=user, default_change_reason=reason
        )

    changed_people, fields = [], {"version", "updated_at"}
    for row in person_rows:
        if row.status != CHANGED:
            continue
        person, v = row.instance, row.values
        for name in (*PERSON_TEXT, *PERSON_DATES):
            if name in v and getattr(person, name) != v[name]:
                setattr(person, name, v[name])
                fields.add(name)
        unit = by_code[v["code"].casefold()]
        if person.unit_id != unit.pk:
            person.unit = unit
            fields.add("unit")
        person.version += 1  # forms opened before the import are now stale, as after any edit
        person.updated_at = now
        changed_people.append(person)
    if changed_people:
        bulk_update_with_history(
            changed_people,
            Person,
            fields=sorted(fields),
            batch_size=BATCH_SIZE,
            default_user=user,
            default_change_reason=reason,
        )
    ended = []
    for row in person_rows:
        for assignment in row.roles_ending if row.status == CHANGED else ():
            assignment.valid_to = row.values["employment_end"]
            assignment.version += 1
            ended.append(assignment)
    if ended:
        bulk_update_with_history(
            ended,
            RoleAssignment,
            fields=["valid_to", "version"],
            batch_size=BATCH_SIZE,
            default_user=user,
            default_change_reason=reason,
        )
    plan.applied = True


def import_file(data: bytes, filename: str, group, user) -> Plan:
    """Parse, re-validate and apply in one transaction: everything or nothing. Returns the plan;
    `plan.applied` tells whether anything was written."""
    table = parse_file(data, filename, group)
    return import_plan.all_or_nothing(
        lambda: build_plan(table, group, user, lock=True), lambda plan: apply_plan(plan, group, user)
    )
