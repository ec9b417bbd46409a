"""The first step of every register import: a spreadsheet's bytes into a header and rows.

The imports of governing documents (documents/register_io.py) and risks (risks/register_io.py)
read their files the same way; only their columns differ. The low-level reading (CSV sniffed by
content, its encoding and separator; XLSX with its guards against ZIP bombs and its limits) is
the import of people and units' (organisation/importer.py); this module maps the header to a
tuple of `Column` definitions:

``parse_file(data, filename, columns, required, expected_hint) -> Table``
    Never raises: what is wrong with the file as a whole is in ``Table.errors`` (too large,
    empty, an old .xls, a damaged workbook, two columns meaning the same, a required column
    missing, no known column at all, no rows). Header names match case-insensitively and by
    any of a column's aliases; other columns are listed in ``Table.ignored``.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from varna.core.models import Classification
from varna.organisation import importer
from varna.organisation.importer import Column, FileRefused, column_letter

__all__ = ["Column", "Table", "aliases", "classification_keys", "key", "parse_file"]


def key(text: str) -> str:
    """A header or a value as it is matched: case-insensitive, spaces and underscores evened out."""
    return importer._norm(text or "")


def aliases(columns: Iterable[Column]) -> dict[str, str]:
    """Every accepted header spelling → the column's field. The first column to claim a spelling
    keeps it."""
    names: dict[str, str] = {}
    for column in columns:
        for alias in column.aliases:
            names.setdefault(key(alias), column.field)
    return names


@dataclass
class Table:
    """The file as a header and rows of raw cells, or the reasons it cannot be read."""

    filename: str = ""
    format: str = ""  # "csv" or "xlsx"
    headers: list[str] = field(default_factory=list)
    columns: dict[str, int] = field(default_factory=dict)  # field → index of its column
    ignored: list[str] = field(default_factory=list)  # headers not used
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)  # (row number in the spreadsheet, cells)
    errors: list[str] = field(default_factory=list)
    definitions: dict[str, Column] = field(default_factory=dict, repr=False)  # field → its Column

    def header_of(self, name: str) -> str:
        """The column's name as the file spells it, with its letter ('titel (B)'); the expected
        name when the file has no such column."""
        index = self.columns.get(name)
        if index is None:
            column = self.definitions.get(name)
            return column.header if column is not None else name
        return f"{self.headers[index]} ({column_letter(index)})"

    def position_of(self, name: str) -> int:
        return self.columns.get(name, len(self.headers))


def _map_columns(table: Table, known: dict[str, str], required: Sequence[str], expected_hint) -> None:
    header_row = table.rows[0][1] if table.rows and table.rows[0][0] == 1 else []
    table.headers = ["" if h is None else str(h).strip()[:100] for h in header_row]
    seen: dict[str, int] = {}
    for index, header in enumerate(table.headers):
        if not header:
            continue
        name = known.get(key(header))
        if name is None:
            table.ignored.append(header)
        elif name in seen:
            table.errors.append(
                _("The columns %(first)s and %(second)s mean the same thing (%(column)s). Remove one of them.")
                % {"first": table.headers[seen[name]], "second": header, "column": table.definitions[name].header}
            )
        else:
            seen[name] = index
    table.columns = seen
    if table.rows and table.rows[0][0] == 1:
        table.rows = table.rows[1:]
    if not seen:
        found = ", ".join(h[:40] for h in table.headers[:10] if h) or "–"
        table.errors.append(str(expected_hint) % {"found": found})
        return
    for name in required:
        if name not in seen:
            table.errors.append(_("The column %(column)s is missing.") % {"column": table.definitions[name].header})
    if not table.errors and not table.rows:
        table.errors.append(_("The file has column names but no rows."))


def parse_file(
    data: bytes,
    filename: str,
    columns: Sequence[Column],
    required: Sequence[str],
    expected_hint,
    *,
    max_rows: int | None = None,
    max_bytes: int | None = None,
) -> Table:
    """Read bytes into a Table with the given columns. Never raises: a file that cannot be read
    gets `errors`. The format is decided by the content, never by the name.

    `required` names the fields whose column must be there; `expected_hint` is the (lazily
    translated) message for a first row without any known column name, with ``%(found)s`` for
    the names found instead. `max_rows` and `max_bytes` are the import's limits (by default
    importer.MAX_ROWS and importer.MAX_BYTES, which other imports keep)."""
    table = Table(filename=(filename or "")[:200], definitions={c.field: c for c in columns})
    known = aliases(columns)
    try:
        if len(data) > (importer.MAX_BYTES if max_bytes is None else max_bytes):
            raise FileRefused(importer.too_large_message(max_bytes))
        if not data.strip():
            raise FileRefused(_("The file is empty."))
        if data.startswith(importer.ZIP_MAGIC):
            importer._read_xlsx(data, table, max_rows)
        elif data.startswith(importer.OLE2_MAGIC):
            # Also what a password-protected .xlsx is: an encrypted package in an OLE2 container.
            raise FileRefused(
                _(
                    "Old Excel files (.xls) and password-protected workbooks are not accepted. "
                    "Save the file as .xlsx without a password, or as CSV."
                )
            )
        elif table.filename.lower().endswith((".xlsx", ".xlsm")):
            raise FileRefused(
                _("The file is named .xlsx but is not an Excel workbook. Save it from Excel as .xlsx or CSV.")
            )
        else:
            importer._read_csv(data, table, known, max_rows)
        if not table.rows:
            raise FileRefused(_("The file is empty."))
        _map_columns(table, known, required, expected_hint)
        if table.errors:
            table.rows = []
    except FileRefused as refused:
        table.rows = []
        table.errors.append(refused.message)
    return table


def classification_keys() -> dict[str, str]:
    """A classification as registers write it (the value, its Swedish or English label, or a
    common word such as "offentlig" or "sekretess") → the Classification value."""
    keys = {key(value): value for value in Classification.values}
    for language in ("sv", "en"):
        with translation.override(language):
            for value, label in Classification.choices:
                keys.setdefault(key(str(label)), value)
    for word, value in (
        ("offentlig", Classification.PUBLIC),
        ("öppen", Classification.PUBLIC),
        ("intern", Classification.INTERNAL),
        ("sekretess", Classification.CLASSIFIED),
        ("sekretessbelagd", Classification.CLASSIFIED),
        ("hemlig", Classification.CLASSIFIED),
        ("secret", Classification.CLASSIFIED),
    ):
        keys.setdefault(word, value)
    return keys


ADDED, REFUSED = "added", "refused"


@dataclass
class Plan:
    """What an import would do with a file: its rows, each added or refused with its errors.
    Each register's import subclasses it with what it writes."""

    filename: str = ""
    format: str = ""
    file_errors: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    rows: list = field(default_factory=list)
    applied: bool = False

    @property
    def added(self) -> list:
        return [r for r in self.rows if r.status == ADDED]

    @property
    def refused(self) -> list:
        return [r for r in self.rows if r.status == REFUSED]

    @property
    def errors(self) -> list:
        return [e for r in self.refused for e in r.errors]

    @property
    def can_apply(self) -> bool:
        return not self.file_errors and bool(self.rows) and not self.refused

    def counts(self) -> dict[str, int]:
        refused = sum(1 for r in self.rows if r.status == REFUSED)
        return {ADDED: len(self.rows) - refused, REFUSED: refused}
