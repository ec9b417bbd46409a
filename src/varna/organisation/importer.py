"""Import org units and people from a CSV or XLSX file the way an HR system exports them.

Three steps, each usable on its own (docs/import.md describes the file for users):

``parse_file(data, filename) -> Table``
    Reads the bytes into a header and rows. The format is decided by the content, never by
    the name: an XLSX must be a ZIP holding the OOXML spreadsheet content type; anything else
    must be text (UTF-8 with or without BOM, UTF-16 with BOM, or Windows-1252) separated by
    semicolons, commas or tabs (sniffed from the header). Needs no database and never raises:
    what is wrong with the file as a whole is in ``Table.errors``.
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

import codecs
import csv
import datetime
import io
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from varna.core.xml_text import strip_xml_illegal

from .models import OrgUnit, Person

MAX_BYTES = 10 * 1024 * 1024
"""Largest file accepted (bytes)."""
MAX_ROWS = 50_000
"""Most data rows (not counting the header or blank rows) accepted."""
MAX_UNCOMPRESSED = 200 * 1024 * 1024
"""Largest total unpacked size of an XLSX: a guard against ZIP bombs."""
MAX_CELL_CHARS = 1000
"""Longest cell text read at all; longer cells are refused, not truncated."""
PEOPLE_IN_QUERY = 500
"""Up to this many employee numbers are looked up with IN (…); above it, all the group's people
are read in one query. Either way one query, whatever the number of rows."""
BATCH_SIZE = 500

XLSX_CONTENT_TYPE = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
XLSM_CONTENT_TYPE = b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"

ADDED, CHANGED, UNCHANGED, REFUSED = "added", "changed", "unchanged", "refused"
UNIT, PERSON = "unit", "person"


@dataclass(frozen=True)
class Column:
    field: str
    header: str  # the Swedish header as HR systems export it; shown in errors when the column is absent
    aliases: tuple[str, ...]
    description: Any  # lazily translated


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
COLUMN = {c.field: c for c in COLUMNS}
UNIT_REQUIRED = ("code", "name", "level")
PERSON_REQUIRED = ("employee_number", "first_name", "last_name", "code")
PERSON_ONLY = ("first_name", "last_name", "email", "phone", "title", "employment_start", "employment_end")
PERSON_TEXT = ("first_name", "last_name", "email", "phone", "title")
PERSON_DATES = ("employment_start", "employment_end")


def _norm(text: str) -> str:
    """Header names match case-insensitively, ignoring extra spaces, underscores and a trailing ':' or '*'."""
    text = unicodedata.normalize("NFC", text).replace("_", " ").replace("\ufeff", "")
    return " ".join(text.casefold().split()).strip(" :*")


ALIASES = {_norm(alias): c.field for c in COLUMNS for alias in c.aliases}


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA: the column as the spreadsheet names it."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


# ---------------------------------------------------------------------------------------------
# Reading the file


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

    def header_of(self, name: str) -> str:
        """The column's name as the file spells it, with its letter: 'Enhetskod (C)'."""
        index = self.columns.get(name)
        if index is None:
            return COLUMN[name].header
        return f"{self.headers[index]} ({column_letter(index)})"

    def position_of(self, name: str) -> int:
        return self.columns.get(name, len(self.headers))


class FileRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def too_large_message(max_bytes: int | None = None) -> str:
    """`max_bytes`: the limit of the import at hand (by default MAX_BYTES)."""
    size = f"{(MAX_BYTES if max_bytes is None else max_bytes) / 1048576:.3g}".replace(".", ",")  # decimal comma
    return _("The file is larger than %(max)s MB. Split it into several files.") % {"max": size}


def _thousands(n: int) -> str:
    return f"{n:,}".replace(",", "\u00a0")  # Swedish style: 50 000


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _collect(rows, table: Table, max_rows: int | None = None) -> None:
    """Keep row 1 (the header) and non-blank data rows with their spreadsheet row numbers.
    `max_rows`: the most data rows of the import at hand (by default MAX_ROWS); an import that
    writes in bulk (incidents) accepts more."""
    max_rows = MAX_ROWS if max_rows is None else max_rows
    data_rows = 0
    scan_limit = max(max_rows * 4, max_rows + 10_000)
    for number, row in enumerate(rows, start=1):
        if number > scan_limit:
            raise FileRefused(_("The file has more than %(max)s rows.") % {"max": _thousands(max_rows)})
        cells = list(row)
        if number > 1:
            if all(_is_blank(c) for c in cells):
                continue
            data_rows += 1
            if data_rows > max_rows:
                raise FileRefused(
                    _("The file has more than %(max)s rows. Split it into several files.")
                    % {"max": _thousands(max_rows)}
                )
        table.rows.append((number, cells))


def _decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8) :].decode("utf-8")
        except UnicodeDecodeError:
            raise FileRefused(
                _("The file says it is UTF-8 but contains characters that are not. Save it again as CSV UTF-8.")
            ) from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise FileRefused(_("The file's character encoding could not be read. Save it as CSV UTF-8.")) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        # Excel's "CSV (semicolon separated)" on Swedish Windows writes Windows-1252.
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise FileRefused(_("The file's character encoding could not be read. Save it as CSV UTF-8.")) from None


def _sniff_delimiter(text: str, known: dict[str, str] | None = None) -> str:
    """The separator that makes the most known column names (`known`, by default this import's)
    out of the first line."""
    known = ALIASES if known is None else known
    first = text.lstrip("\r\n").splitlines()[0] if text.strip() else ""
    best, best_score = ";", (-1, -1)
    for delimiter in (";", ",", "\t"):
        try:
            header = next(csv.reader([first], delimiter=delimiter), [])
        except csv.Error:
            continue
        count = sum(1 for h in header if _norm(h) in known)
        score = (count, len(header))
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _read_csv(data: bytes, table: Table, known: dict[str, str] | None = None, max_rows: int | None = None) -> None:
    """`known`: the header spellings the separator is sniffed with (core/tabular.py passes the
    columns of the register it reads); `max_rows` as for `_collect`."""
    text = _decode(data)
    if "\x00" in text:
        raise FileRefused(_("The file is neither a CSV text file nor an Excel workbook (.xlsx)."))
    # Other characters XML cannot hold would be stored and break every export: dropped, in one
    # pass. (A workbook cannot carry them: its cells are XML, and openpyxl reads _xHHHH_ literally.)
    text = strip_xml_illegal(text)
    table.format = "csv"
    delimiter = _sniff_delimiter(text, known)
    try:
        _collect(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), table, max_rows)
    except csv.Error as exc:
        raise FileRefused(
            _("The CSV file could not be read near row %(row)s: %(error)s")
            % {"row": len(table.rows) + 1, "error": str(exc)[:200]}
        ) from None


def _read_xlsx(data: bytes, table: Table, max_rows: int | None = None) -> None:
    not_xlsx = _("The file is a ZIP archive but not an Excel workbook (.xlsx).")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if sum(info.file_size for info in infos) > MAX_UNCOMPRESSED:
                raise FileRefused(_("The Excel file is too large when unpacked."))
            try:
                types = archive.getinfo("[Content_Types].xml")
            except KeyError:
                raise FileRefused(not_xlsx) from None
            if types.file_size > 1024 * 1024:
                raise FileRefused(not_xlsx)
            content_types = archive.read(types)
    except FileRefused:
        raise
    except Exception:  # a damaged archive fails in many ways (BadZipFile, EOFError, OSError, …)
        raise FileRefused(_("The file looks like an Excel workbook but is damaged.")) from None
    if XLSX_CONTENT_TYPE not in content_types:
        if XLSM_CONTENT_TYPE in content_types:
            raise FileRefused(_("Workbooks with macros (.xlsm) are not accepted. Save the file as .xlsx."))
        raise FileRefused(not_xlsx)
    table.format = "xlsx"

    import openpyxl

    workbook = None
    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it drops; they do not matter for data.
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            if not workbook.worksheets:
                raise FileRefused(_("The Excel file has no sheets."))
            _collect(workbook.worksheets[0].iter_rows(values_only=True), table, max_rows)
    except FileRefused:
        raise
    except Exception:  # openpyxl raises anything from KeyError to XML parse errors on a bad file
        raise FileRefused(_("The Excel file could not be read. Open it in Excel and save it again as .xlsx.")) from None
    finally:
        if workbook is not None:
            workbook.close()


def _map_columns(table: Table) -> None:
    header_row = table.rows[0][1] if table.rows and table.rows[0][0] == 1 else []
    table.headers = ["" if h is None else str(h).strip()[:100] for h in header_row]
    seen: dict[str, int] = {}
    for index, header in enumerate(table.headers):
        if not header:
            continue
        name = ALIASES.get(_norm(header))
        if name is None:
            table.ignored.append(header)
        elif name in seen:
            table.errors.append(
                _("The columns %(first)s and %(second)s mean the same thing (%(column)s). Remove one of them.")
                % {
                    "first": table.headers[seen[name]],
                    "second": header,
                    "column": COLUMN[name].header,
                }
            )
        else:
            seen[name] = index
    table.columns = seen
    if table.rows and table.rows[0][0] == 1:
        table.rows = table.rows[1:]

    has_units = any(name in seen for name in ("name", "level", "parent"))
    has_people = any(name in seen for name in PERSON_ONLY) or "employee_number" in seen
    if not has_units and not has_people:
        found = ", ".join(h[:40] for h in table.headers[:10] if h) or "–"
        table.errors.append(
            _(
                "No known column names in the first row. Expected e.g. enhetskod, enhetsnamn, nivå or "
                "anställningsnummer, förnamn, efternamn (found: %(found)s)."
            )
            % {"found": found}
        )
        return
    required = (UNIT_REQUIRED if has_units else ()) + (PERSON_REQUIRED if has_people else ())
    for name in dict.fromkeys(required):
        if name not in seen:
            table.errors.append(_("The column %(column)s is missing.") % {"column": COLUMN[name].header})
    if not table.errors and not table.rows:
        table.errors.append(_("The file has column names but no rows."))


def parse_file(data: bytes, filename: str = "") -> Table:
    """Read bytes into a Table. Never raises: a file that cannot be read gets `errors`."""
    table = Table(filename=(filename or "")[:200])
    try:
        if len(data) > MAX_BYTES:
            raise FileRefused(too_large_message())
        if not data.strip():
            raise FileRefused(_("The file is empty."))
        named_xlsx = table.filename.lower().endswith((".xlsx", ".xlsm"))
        if data.startswith(ZIP_MAGIC):
            _read_xlsx(data, table)
        elif data.startswith(OLE2_MAGIC):
            # Also what a password-protected .xlsx is: an encrypted package in an OLE2 container.
            raise FileRefused(
                _(
                    "Old Excel files (.xls) and password-protected workbooks are not accepted. "
                    "Save the file as .xlsx without a password, or as CSV."
                )
            )
        elif named_xlsx:
            raise FileRefused(
                _("The file is named .xlsx but is not an Excel workbook. Save it from Excel as .xlsx or CSV.")
            )
        else:
            _read_csv(data, table)
        if not table.rows:
            raise FileRefused(_("The file is empty."))
        _map_columns(table)
        if table.errors:
            table.rows = []
    except FileRefused as refused:
        table.rows = []
        table.errors.append(refused.message)
    return table


# ---------------------------------------------------------------------------------------------
# Cleaning and validating rows


@dataclass
class RowError:
    row: int
    column: str  # as the file names it, with its letter: "Enhetskod (G)"
    message: str
    position: int = 0  # index of the column, to list a row's errors left to right


@dataclass
class Change:
    field: str
    before: str
    after: str


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
class Plan:
    filename: str = ""
    format: str = ""
    file_errors: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    applied: bool = False
    units_by_code: dict[str, Any] = field(default_factory=dict, repr=False)  # for apply_plan

    def _with(self, status: str) -> list[Row]:
        return [r for r in self.rows if r.status == status]

    @property
    def added(self) -> list[Row]:
        return self._with(ADDED)

    @property
    def changed(self) -> list[Row]:
        return self._with(CHANGED)

    @property
    def unchanged(self) -> list[Row]:
        return self._with(UNCHANGED)

    @property
    def refused(self) -> list[Row]:
        return self._with(REFUSED)

    @property
    def errors(self) -> list[RowError]:
        return [e for r in self.refused for e in r.errors]

    @property
    def can_apply(self) -> bool:
        return not self.file_errors and not self.refused and any(r.status in (ADDED, CHANGED) for r in self.rows)

    def counts(self) -> dict[str, int]:
        counts = {ADDED: 0, CHANGED: 0, UNCHANGED: 0, REFUSED: 0}
        for row in self.rows:
            counts[row.status] += 1
        return counts


_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00)?)?")
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel keeps numbers as floats: 1234.0 is employee number 1234
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def _date(value: Any) -> datetime.date | None:
    """ISO dates, YYYYMMDD and Excel date cells; ValueError otherwise."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value)
    if not text:
        return None
    match = _ISO_DATE.fullmatch(text) or _COMPACT_DATE.fullmatch(text)
    if not match:
        raise ValueError(text)
    return datetime.date(*(int(part) for part in match.groups()))


def _max_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


_FIELD_MODEL = {
    "code": (OrgUnit, "code"),
    "name": (OrgUnit, "name"),
    "parent": (OrgUnit, "code"),
    "level": (OrgUnit, "kind"),
    "employee_number": (Person, "employee_number"),
    "first_name": (Person, "first_name"),
    "last_name": (Person, "last_name"),
    "email": (Person, "email"),
    "phone": (Person, "phone"),
    "title": (Person, "title"),
}


def _has_control_chars(text: str) -> bool:
    return any(unicodedata.category(ch) == "Cc" and ch not in "\t\n\r" for ch in text)


def _level_keys(profile) -> dict[str, str]:
    keys: dict[str, str] = {}
    for key, level in profile.unit_levels.items():
        keys[_norm(key)] = key
        for name in (level.get("name") or {}).values():
            keys.setdefault(_norm(name), key)
    return keys


def _clean(table: Table, profile) -> list[Row]:
    """Turn raw cells into typed values per row, with the errors that need no database."""
    levels = _level_keys(profile)
    has_units = any(name in table.columns for name in ("name", "level", "parent"))
    rows = []
    for number, cells in table.rows:
        raw = {name: (cells[index] if index < len(cells) else None) for name, index in table.columns.items()}
        row = Row(number=number, kind=UNIT, values={})

        def error(name: str, message: str, row=row) -> None:
            row.errors.append(RowError(row.number, table.header_of(name), message, table.position_of(name)))

        number_text = _text(raw.get("employee_number"))
        person_data = any(not _is_blank(raw.get(name)) for name in PERSON_ONLY)
        row.kind = PERSON if number_text or person_data or not has_units else UNIT

        for name, value in raw.items():
            if name in PERSON_DATES:
                continue
            text = _text(value)
            if len(text) > MAX_CELL_CHARS or _has_control_chars(text):
                error(name, _("The value cannot be read (too long or containing control characters)."))
                text = text[:MAX_CELL_CHARS]
            elif name in _FIELD_MODEL and len(text) > _max_length(*_FIELD_MODEL[name]):
                error(
                    name,
                    _("The value is too long (at most %(max)s characters).")
                    % {"max": _max_length(*_FIELD_MODEL[name])},
                )
            row.values[name] = text
        for name in PERSON_DATES:
            if name in raw:
                try:
                    row.values[name] = _date(raw[name])
                except ValueError:
                    row.values[name] = None
                    error(
                        name,
                        _("“%(value)s” is not a date. Write dates as YYYY-MM-DD.") % {"value": _text(raw[name])[:40]},
                    )

        required = PERSON_REQUIRED if row.kind == PERSON else UNIT_REQUIRED
        for name in required:
            if not row.values.get(name):
                error(name, _("A value is required."))

        if row.kind == UNIT:
            level = row.values.get("level", "")
            if level:
                key = levels.get(_norm(level))
                if key is None:
                    names = ", ".join(profile.level_name(k) for k in profile.unit_levels)
                    error(
                        "level", _("Unknown level “%(value)s” (known: %(known)s).") % {"value": level, "known": names}
                    )
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
    return rows


# ---------------------------------------------------------------------------------------------
# Matching against the database


def _display_date(value: datetime.date | None) -> str:
    return value.isoformat() if value else ""


def build_plan(table: Table, group, user, *, lock: bool = False) -> Plan:
    """Validate every row and decide what it would do. Reads the group's units once, the ids the
    user manages once, and the matching people once: the query count does not grow with the file."""
    plan = Plan(
        filename=table.filename, format=table.format, file_errors=list(table.errors), ignored_columns=table.ignored
    )
    if table.errors:
        return plan
    profile = group.profile
    rows = _clean(table, profile)
    plan.rows = rows

    unit_qs = OrgUnit.objects.filter(group=group)
    if lock:
        unit_qs = unit_qs.select_for_update()
    units = list(unit_qs)
    by_code = {u.code.casefold(): u for u in units}
    by_id = {u.pk: u for u in units}
    managed = set(OrgUnit.objects.restrict(user, "manage").filter(group=group).values_list("pk", flat=True))

    unit_rows = [r for r in rows if r.kind == UNIT]
    person_rows = [r for r in rows if r.kind == PERSON]

    def error(row: Row, name: str, message: str) -> None:
        row.errors.append(RowError(row.number, table.header_of(name), message, table.position_of(name)))

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

    for row in rows:
        row.errors.sort(key=lambda e: e.position)
        if row.errors or not row.status:
            row.status = REFUSED
    plan.units_by_code = by_code
    return plan


# ---------------------------------------------------------------------------------------------
# Writing


def apply_plan(plan: Plan, group, user) -> None:
    """Write an accepted plan. Call inside transaction.atomic() with a plan built with lock=True."""
    if not plan.can_apply:
        raise ValueError("A plan with refused rows or file errors cannot be applied.")
    reason = (_("Imported from file %(name)s") % {"name": plan.filename or "–"})[:100]  # the history field's length
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
    plan.applied = True


def import_file(data: bytes, filename: str, group, user) -> Plan:
    """Parse, re-validate and apply in one transaction: everything or nothing. Returns the plan;
    `plan.applied` tells whether anything was written."""
    table = parse_file(data, filename)
    with transaction.atomic():
        plan = build_plan(table, group, user, lock=True)
        if plan.can_apply:
            apply_plan(plan, group, user)
    return plan
