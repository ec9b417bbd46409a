"""The first step of every import: a spreadsheet's bytes into a header and rows, and its cells
into values.

Every import (people and units in organisation/importer.py, governing documents, risks and
incidents in their register_io.py) reads its files here; only the columns differ, each declared
as a tuple of `Column`. The rows are then checked into a plan and written all or nothing with
core/import_plan.py.

``parse_file(data, filename, columns, required, expected_hint) -> Table``
    The format is decided by the content, never by the name: an XLSX must be a ZIP holding the
    OOXML spreadsheet content type (and is guarded against ZIP bombs); anything else must be
    text (UTF-8 with or without BOM, UTF-16 with BOM, or Windows-1252) separated by semicolons,
    commas or tabs (sniffed from the header). Never raises: what is wrong with the file as a
    whole is in ``Table.errors`` (too large, too many rows, empty, an old .xls, a damaged
    workbook, two columns meaning the same, a required column missing, no known column at all,
    no rows). Header names match case-insensitively and by any of a column's aliases, or as the
    group's saved column mapping says (core/column_mapping.py); other columns are listed in
    ``Table.ignored``. When the columns are what is wrong, ``Table.needs_mapping`` is set and
    the header with a few sample values per column is kept, so that the user can say what each
    column means.
``cell_text(value)``, ``cell_date(value)``, ``has_control_chars(text)``
    A raw cell (text from a CSV; a number, date or text from a workbook) as text or as a date.
"""

import codecs
import csv
import datetime
import io
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from varna.core.models import Classification
from varna.core.xml_text import strip_xml_illegal

__all__ = [
    "CONTROL_CHARS",
    "MAX_BYTES",
    "MAX_CELL_CHARS",
    "MAX_ROWS",
    "SAMPLE_ROWS",
    "Column",
    "FileRefused",
    "Required",
    "Table",
    "aliases",
    "cell_date",
    "cell_text",
    "classification_keys",
    "column_letter",
    "has_control_chars",
    "is_blank",
    "key",
    "parse_file",
    "too_large_message",
]

MAX_BYTES = 10 * 1024 * 1024
"""Largest file accepted (bytes), unless the import has its own limit."""
MAX_ROWS = 50_000
"""Most data rows (not counting the header or blank rows) accepted, unless the import has its
own limit."""
MAX_UNCOMPRESSED = 200 * 1024 * 1024
"""Largest total unpacked size of an XLSX: a guard against ZIP bombs."""
MAX_CELL_CHARS = 1000
"""Longest cell text read at all; longer cells are refused, not truncated."""
SAMPLE_ROWS = 50
"""Data rows looked at for the sample values of each column (and all a header-only read reads)."""
SAMPLES = 3
"""Sample values kept per column."""

XLSX_CONTENT_TYPE = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
XLSM_CONTENT_TYPE = b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class Column:
    field: str
    header: str  # the Swedish header as registers and HR systems export it; shown in errors when the column is absent
    aliases: tuple[str, ...]
    description: Any  # lazily translated


def key(text: str) -> str:
    """A header or a value as it is matched: case-insensitive, ignoring extra spaces, underscores
    and a trailing ':' or '*'."""
    text = unicodedata.normalize("NFC", text or "").replace("_", " ").replace("\ufeff", "")
    return " ".join(text.casefold().split()).strip(" :*")


def aliases(columns: Iterable[Column]) -> dict[str, str]:
    """Every accepted header spelling → the column's field. The first column to claim a spelling
    keeps it."""
    names: dict[str, str] = {}
    for column in columns:
        for alias in column.aliases:
            names.setdefault(key(alias), column.field)
    return names


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA: the column as the spreadsheet names it."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


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
    needs_mapping: bool = False  # the columns (not the file) are what is wrong
    mapped: list[tuple[str, str]] = field(default_factory=list)  # (file header, field) read by the saved mapping
    samples: list[list[str]] = field(default_factory=list)  # per column: a few of its values

    def header_of(self, name: str) -> str:
        """The column's name as the file spells it, with its letter ('Enhetskod (C)'); the
        expected name when the file has no such column."""
        index = self.columns.get(name)
        if index is None:
            column = self.definitions.get(name)
            return column.header if column is not None else name
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


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# ---------------------------------------------------------------------------------------------
# Reading the file


def _collect(rows, table: Table, max_rows: int, *, header_only: bool = False) -> None:
    """Keep row 1 (the header) and non-blank data rows with their spreadsheet row numbers;
    `header_only`: the header and the first SAMPLE_ROWS data rows, however long the file is."""
    data_rows = 0
    scan_limit = max(max_rows * 4, max_rows + 10_000)
    for number, row in enumerate(rows, start=1):
        if header_only and data_rows >= SAMPLE_ROWS:
            break
        if number > scan_limit:
            raise FileRefused(_("The file has more than %(max)s rows.") % {"max": _thousands(max_rows)})
        cells = list(row)
        if number > 1:
            if all(is_blank(c) for c in cells):
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


def _sniff_delimiter(text: str, known: dict[str, str]) -> str:
    """The separator that makes the most known column names (`known`) out of the first line."""
    first = text.lstrip("\r\n").splitlines()[0] if text.strip() else ""
    best, best_score = ";", (-1, -1)
    for delimiter in (";", ",", "\t"):
        try:
            header = next(csv.reader([first], delimiter=delimiter), [])
        except csv.Error:
            continue
        count = sum(1 for h in header if key(h) in known)
        score = (count, len(header))
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _read_csv(data: bytes, table: Table, known: dict[str, str], max_rows: int, header_only: bool) -> None:
    """`known`: the header spellings the separator is sniffed with."""
    text = _decode(data)
    if "\x00" in text:
        raise FileRefused(_("The file is neither a CSV text file nor an Excel workbook (.xlsx)."))
    # Other characters XML cannot hold would be stored and break every export: dropped, in one
    # pass. (A workbook cannot carry them: its cells are XML, and openpyxl reads _xHHHH_ literally.)
    text = strip_xml_illegal(text)
    table.format = "csv"
    delimiter = _sniff_delimiter(text, known)
    try:
        _collect(
            csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), table, max_rows, header_only=header_only
        )
    except csv.Error as exc:
        raise FileRefused(
            _("The CSV file could not be read near row %(row)s: %(error)s")
            % {"row": len(table.rows) + 1, "error": str(exc)[:200]}
        ) from None


def _read_xlsx(data: bytes, table: Table, max_rows: int, header_only: bool) -> None:
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
            _collect(workbook.worksheets[0].iter_rows(values_only=True), table, max_rows, header_only=header_only)
    except FileRefused:
        raise
    except Exception:  # openpyxl raises anything from KeyError to XML parse errors on a bad file
        raise FileRefused(_("The Excel file could not be read. Open it in Excel and save it again as .xlsx.")) from None
    finally:
        if workbook is not None:
            workbook.close()


Required = Sequence[str] | Callable[[dict[str, int]], Sequence[str] | None]
"""The fields whose column must be there; or a function of the columns found (field → index)
that returns them, or None when the columns found do not tell what the file holds."""


def _samples(table: Table) -> list[list[str]]:
    """A few distinct values of each column from the first data rows, as the mapping step shows them."""
    samples: list[list[str]] = [[] for _header in table.headers]
    for _number, cells in table.rows[:SAMPLE_ROWS]:
        for index, values in enumerate(samples):
            if len(values) < SAMPLES and index < len(cells):
                text = " ".join(cell_text(cells[index]).split())[:60]
                if text and text not in values:
                    values.append(text)
    return samples


def _map_columns(table: Table, known: dict[str, str], mapping: dict[str, str], required: Required, hint) -> None:
    """`mapping`: header key → field, or "" for a column the user chose not to import; it goes
    before the aliases."""
    header_row = table.rows[0][1] if table.rows and table.rows[0][0] == 1 else []
    table.headers = ["" if h is None else str(h).strip()[:100] for h in header_row]
    seen: dict[str, int] = {}
    errors_before = len(table.errors)
    for index, header in enumerate(table.headers):
        if not header:
            continue
        header_key = key(header)
        if header_key in mapping:
            name = mapping[header_key] if mapping[header_key] in table.definitions else None
            if name is not None and known.get(header_key) != name:
                table.mapped.append((header, name))
        else:
            name = known.get(header_key)
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
    table.samples = _samples(table)
    needed = required(seen) if callable(required) else required
    if not seen or needed is None:
        found = ", ".join(h[:40] for h in table.headers[:10] if h) or "–"
        table.errors.append(str(hint) % {"found": found})
    else:
        for name in dict.fromkeys(needed):
            if name not in seen:
                table.errors.append(_("The column %(column)s is missing.") % {"column": table.definitions[name].header})
    table.needs_mapping = len(table.errors) > errors_before and any(table.headers)
    if not table.errors and not table.rows:
        table.errors.append(_("The file has column names but no rows."))


def parse_file(
    data: bytes,
    filename: str,
    columns: Sequence[Column],
    required: Required,
    expected_hint,
    *,
    max_rows: int | None = None,
    max_bytes: int | None = None,
    mapping: dict[str, str] | None = None,
    header_only: bool = False,
) -> Table:
    """Read bytes into a Table with the given columns. Never raises: a file that cannot be read
    gets `errors`. The format is decided by the content, never by the name.

    `required` names the fields whose column must be there (see `Required`); `expected_hint`
    is the (lazily translated) message for a first row without any known column name, with
    ``%(found)s`` for the names found instead. `max_rows` and `max_bytes` are the import's
    limits (by default MAX_ROWS and MAX_BYTES). `mapping` is the group's saved column mapping
    for this import (header key → field, "" for not imported). `header_only` reads the header
    and the first SAMPLE_ROWS rows only: enough to tell whether the columns need mapping."""
    max_rows = MAX_ROWS if max_rows is None else max_rows
    max_bytes = MAX_BYTES if max_bytes is None else max_bytes
    table = Table(filename=(filename or "")[:200], definitions={c.field: c for c in columns})
    known = aliases(columns)
    mapping = mapping or {}
    try:
        if len(data) > max_bytes:
            raise FileRefused(too_large_message(max_bytes))
        if not data.strip():
            raise FileRefused(_("The file is empty."))
        if data.startswith(ZIP_MAGIC):
            _read_xlsx(data, table, max_rows, header_only)
        elif data.startswith(OLE2_MAGIC):
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
            _read_csv(data, table, {**known, **{k: v for k, v in mapping.items() if v}}, max_rows, header_only)
        if not table.rows:
            raise FileRefused(_("The file is empty."))
        _map_columns(table, known, mapping, required, expected_hint)
        if table.errors:
            table.rows = []
    except FileRefused as refused:
        table.rows = []
        table.errors.append(refused.message)
    return table


# ---------------------------------------------------------------------------------------------
# Reading cells

_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00)?)?")
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""The control characters a cell may not hold: Unicode category Cc but tab and line breaks."""


def cell_text(value: Any) -> str:
    """A cell as text: Excel's 1234.0 as 1234, a date as YYYY-MM-DD, surrounding spaces dropped."""
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


def cell_date(value: Any) -> datetime.date | None:
    """ISO dates, YYYYMMDD and Excel date cells; None for an empty cell; ValueError otherwise."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = cell_text(value)
    if not text:
        return None
    match = _ISO_DATE.fullmatch(text) or _COMPACT_DATE.fullmatch(text)
    if not match:
        raise ValueError(text)
    return datetime.date(*(int(part) for part in match.groups()))


SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2007": " ", "\u2212": "-"})
"""The spaces and the minus sign Excel and word processors write, as plain ones."""
_GROUPED_NUMBER = re.compile(r"-?\d{1,3}(?:[ .']\d{3})+(?:,\d+)?")  # 1 250,5 · 12.345,5
_PLAIN_NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?")  # 62,0345 · 62.0345 · 1250


def cell_decimal(value: Any, suffix: re.Pattern | None = None) -> Decimal | None:
    """A number as a register writes it: an Excel number, or text with a decimal comma (or
    point) and thousands separated by spaces or dots ("1 250,5", "1.250,5"), with what `suffix`
    matches at its end (a unit) dropped. None for an empty cell; ValueError otherwise."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(value)
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(value)
        return value
    text = " ".join(str(value).translate(SPACES).split())
    if suffix is not None:
        text = suffix.sub("", text).strip()
    if text in ("", "-", "–"):
        return None
    if len(text) > 40:
        raise ValueError(value)
    if _GROUPED_NUMBER.fullmatch(text):
        text = re.sub(r"[ .']", "", text)
    elif not _PLAIN_NUMBER.fullmatch(text):
        raise ValueError(value)
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation as error:
        raise ValueError(value) from error


def has_control_chars(text: str) -> bool:
    return CONTROL_CHARS.search(text) is not None


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
