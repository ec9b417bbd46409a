"""The second and third steps of every import: rows checked into a plan, then written all or
nothing.

After core/tabular.py has read the file, each import (organisation/importer.py, the areas'
register_io.py) cleans and checks every row against its own rules and the database, without
writing: the dry run. Each row is added, changed, unchanged or refused, a refused one with its
errors (`RowError`: the row number as in the spreadsheet, the column as the file names it, the
message). The same checks run again when the user confirms, inside the transaction that writes:
only if no row is refused is anything written (`all_or_nothing`).

What every import's rows share is here: the errors (`add_error`), the reading of a text or
date cell with its error (`read_text`, `read_date`), the required values (`require`), and the
plan (`Plan`) an import subclasses with what it writes.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .tabular import MAX_CELL_CHARS, Table, cell_date, cell_text, has_control_chars

ADDED, CHANGED, UNCHANGED, REFUSED = "added", "changed", "unchanged", "refused"
SKIPPED = "skipped"
"""A row already registered, left out because the user asked to skip such rows."""


@dataclass
class RowError:
    row: int
    column: str  # as the file names it, with its letter: "Enhetskod (G)"
    message: str
    position: int = 0  # index of the column, to list a row's errors left to right
    field: str = ""
    unknown: str = ""  # the word the import did not know, which the user may say the meaning of


@dataclass
class Change:
    field: str
    before: str
    after: str


def add_error(table: Table, row, name: str, message: str, *, unknown: str = "") -> None:
    """An error in the column of field `name` of `row` (anything with `number` and `errors`);
    `unknown`: the cell's word that the import does not know (a category, a unit, …), which a
    saved value mapping can give a meaning (core/column_mapping.py)."""
    row.errors.append(RowError(row.number, table.header_of(name), message, table.position_of(name), name, unknown))


def read_text(table: Table, row, name: str, text: str, *, limit: int = MAX_CELL_CHARS, max_length=None) -> str:
    """A cell's text (`cell_text`, tidied as the column wants it), with an error when it is longer
    than `limit` or holds control characters (then cut to `limit`), or longer than `max_length`
    (the field it is stored in)."""
    if len(text) > limit or has_control_chars(text):
        add_error(table, row, name, _("The value cannot be read (too long or containing control characters)."))
        return text[:limit]
    if max_length is not None and len(text) > max_length:
        add_error(table, row, name, _("The value is too long (at most %(max)s characters).") % {"max": max_length})
    return text


def read_date(table: Table, row, name: str, value: Any) -> datetime.date | None:
    """A date cell (`cell_date`); None, with an error, when it is not a date."""
    try:
        return cell_date(value)
    except ValueError:
        add_error(
            table,
            row,
            name,
            _("“%(value)s” is not a date. Write dates as YYYY-MM-DD.") % {"value": cell_text(value)[:40]},
        )
        return None


def already_registered(table: Table, row, name: str, message: str, plan: "Plan") -> None:
    """A row that is already registered: refused with `message`, or skipped when the user asked
    the import to skip such rows (`plan.skip_registered`); the rest is still all or nothing."""
    if plan.skip_registered:
        row.status = SKIPPED
    else:
        add_error(table, row, name, message)


def require(table: Table, row, names: Iterable[str]) -> None:
    """'A value is required' for each of `names` the row has no value for, unless its cell was
    already refused."""
    for name in names:
        if not row.values.get(name) and not any(e.column == table.header_of(name) for e in row.errors):
            add_error(table, row, name, _("A value is required."))


def _rows_with(status: str) -> property:
    """A plan's rows of one status, as a property."""
    return property(lambda plan: [r for r in plan.rows if r.status == status], doc=f"The rows {status}.")


@dataclass
class Plan:
    """What an import would do with a file: its rows, each with a status and, refused, its
    errors. Each import subclasses it with what it writes."""

    statuses: ClassVar[tuple[str, ...]] = (ADDED, SKIPPED, REFUSED)
    """The statuses its rows can have, as `counts` counts them."""

    filename: str = ""
    format: str = ""
    file_errors: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    mapped_columns: list[tuple[str, str]] = field(default_factory=list)  # (file header, column) read as saved
    needs_mapping: bool = False  # the file's columns are what is wrong (core/column_mapping.py)
    translated: int = 0  # cells read by the group's saved meanings of words (core/column_mapping.py)
    skip_registered: bool = False  # rows already registered are skipped, not refused
    rows: list = field(default_factory=list)
    applied: bool = False

    @classmethod
    def for_table(cls, table: Table, **fields):
        """The plan of a file read: without rows yet, and with the file's errors."""
        return cls(
            filename=table.filename,
            format=table.format,
            file_errors=list(table.errors),
            ignored_columns=table.ignored,
            mapped_columns=[(header, table.definitions[name].header) for header, name in table.mapped],
            needs_mapping=table.needs_mapping,
            **fields,
        )

    added = _rows_with(ADDED)
    changed = _rows_with(CHANGED)
    unchanged = _rows_with(UNCHANGED)
    refused = _rows_with(REFUSED)
    skipped = _rows_with(SKIPPED)

    @property
    def errors(self) -> list[RowError]:
        return [e for r in self.refused for e in r.errors]

    def unknown_values(self) -> dict[str, dict[str, int]]:
        """Per field, the words of refused rows the import did not know, with how many rows
        have each."""
        found: dict[str, dict[str, int]] = {}
        for error in self.errors:
            if error.unknown:
                words = found.setdefault(error.field, {})
                words[error.unknown] = words.get(error.unknown, 0) + 1
        return found

    @property
    def can_apply(self) -> bool:
        """Nothing refused, and something to write."""
        return not self.file_errors and not self.refused and any(r.status in (ADDED, CHANGED) for r in self.rows)

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(self.statuses, 0)
        for row in self.rows:
            counts[row.status] += 1
        if not self.skip_registered and not counts.get(SKIPPED):
            counts.pop(SKIPPED, None)  # only an import asked to skip rows counts them
        return counts

    def settle(self, default: str = ADDED) -> None:
        """After the checks: a row with errors is refused (its errors left to right), any other
        keeps the status it was given, or gets `default`."""
        for row in self.rows:
            if row.errors:
                row.errors.sort(key=lambda e: e.position)
                row.status = REFUSED
            elif not row.status:
                row.status = default

    def skipped_note(self) -> str:
        """What the message after an import adds about rows skipped as already registered."""
        n = len(self.skipped)
        if not n:
            return ""
        return " " + ngettext(
            "%(n)s row already registered was skipped.", "%(n)s rows already registered were skipped.", n
        ) % {"n": n}

    def change_reason(self) -> str:
        """What the history says of every change the plan writes (cut to the history field's length)."""
        return (_("Imported from file %(name)s") % {"name": self.filename or "–"})[:100]


def all_or_nothing(build: Callable[[], Plan], apply: Callable[[Plan], Any]) -> Plan:
    """`build` the plan again and `apply` it, in one transaction, only if no row is refused now:
    everything or nothing. Returns the plan; `plan.applied` tells whether anything was written."""
    with transaction.atomic():
        plan = build()
        if plan.can_apply:
            apply(plan)
    return plan
