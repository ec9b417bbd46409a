"""Export of lists to Excel (XLSX), for every area: municipalities live in Excel.

Text is always written as text: a title that begins with "=" stays a title and never becomes a
formula in the reader's spreadsheet (formula injection). Dates are real date cells shown as
YYYY-MM-DD. Amounts stay numbers the reader can add up, shown grouped by thousands. Characters
XML cannot hold are left out of every cell (core/xml_text.py).
"""

import datetime
import io
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils.functional import Promise

from .xml_text import strip_xml_illegal

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_FILENAME_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
# Number formats are stored in the file in Excel's invariant notation: "," is the thousands
# separator there and each reader's Excel shows its own ("1 770 000" in Swedish, "1,770,000" in
# English). "# ##0" would be a literal space instead and group wrongly.
AMOUNT_FORMAT = "#,##0"
AMOUNT_FORMAT_DECIMALS = "#,##0.00"


def _cell(sheet, value: Any):
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, Promise):
        value = str(value)  # a lazily translated label, in the language of the request
    if isinstance(value, datetime.datetime):
        value = value.replace(tzinfo=None)
    if isinstance(value, str):
        value = strip_xml_illegal(value)  # a value stored before input was cleaned still exports
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula
    elif isinstance(value, datetime.datetime):
        cell.number_format = "yyyy-mm-dd hh:mm"
    elif isinstance(value, datetime.date):
        cell.number_format = "yyyy-mm-dd"
    elif isinstance(value, Decimal):
        # Money is kept in DecimalFields (whole kronor) and counts and years in ints, so a Decimal
        # is an amount: grouped like on the page, while a year stays "2026".
        cell.number_format = AMOUNT_FORMAT if value == value.to_integral_value() else AMOUNT_FORMAT_DECIMALS
    return cell


def write_xlsx(sheet_title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """One sheet: a bold header row (frozen, with a filter) and the rows. Streams the rows."""
    return write_workbook([(sheet_title, headers, rows)])


def write_workbook(sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]) -> bytes:
    """Several sheets, each as `write_xlsx` writes one: (title, headers, rows)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for sheet_title, headers, rows in sheets:
        _write_sheet(workbook, sheet_title, headers, rows)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _write_sheet(workbook, sheet_title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(
        title=_SHEET_TITLE_FORBIDDEN.sub(" ", strip_xml_illegal(str(sheet_title)))[:31] or "Sheet"
    )
    sheet.freeze_panes = "A2"
    widths = [min(max(len(str(h)) + 2, 12), 60) for h in headers]
    for index, width in enumerate(widths):
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=strip_xml_illegal(str(header)))
        cell.data_type = "s"
        cell.font = Font(bold=True)
        header_cells.append(cell)
    sheet.append(header_cells)
    count = 0
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])
        count += 1
    if headers:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{count + 1}"


def xlsx_response(filename: str, sheet_title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]):
    """An HTTP download of `write_xlsx`; the file name is reduced to safe ASCII characters."""
    return workbook_response(filename, [(sheet_title, headers, rows)])


def workbook_response(filename: str, sheets):
    """An HTTP download of `write_workbook`; the file name is reduced to safe ASCII characters."""
    name = _FILENAME_SAFE.sub("-", filename).strip("-.") or "export"
    if not name.lower().endswith(".xlsx"):
        name += ".xlsx"
    response = HttpResponse(write_workbook(sheets), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response
