"""The refused rows of a dry run as a workbook to correct and upload again.

The page shows at most a few hundred refused rows; a register of thousands can have more. The
download holds every refused row as the file had it (its own columns, in its order, the values
as read) with the reasons in a last column, so the user corrects the rows in Excel and uploads
them again. It is built from the file waiting for the import (core/pending_uploads.py), checked
again now, so it says what the import would say (a large file of incidents: by the check in the
background, incidents/import_jobs.py).
"""

import re
from collections.abc import Callable
from pathlib import PurePath

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from .import_plan import Plan
from .pending_uploads import PendingUploads
from .spreadsheets import xlsx_response
from .tabular import Table

Check = Callable[[bytes, str], tuple[Table, Plan]]
"""Reads and checks a file as the import does: (data, filename) → (the table, its plan)."""


def sheet(table: Table, plan: Plan) -> tuple[list[str], list[list]]:
    """The file's header with a reason column, and each refused row's cells with its reasons."""
    reasons: dict[int, str] = {}
    for row in plan.refused:
        reasons[row.number] = "\n".join(f"{e.column}: {e.message}" for e in row.errors)
    width = len(table.headers)
    rows = []
    for number, cells in table.rows:
        if number in reasons:
            cells = list(cells[:width]) + [None] * (width - len(cells))
            rows.append([*cells, _("Row %(number)s: %(reasons)s") % {"number": number, "reasons": reasons[number]}])
    return [*table.headers, _("Why the row was refused")], rows


def download_name(original: str) -> str:
    """The workbook's name, from the name of the file it was read from."""
    stem = re.sub(r"[^\w-]+", "-", PurePath(original or "import").stem).strip("-") or "import"
    return f"{stem[:60]}-avvisade.xlsx"  # Swedish, as the other files Värna names


def handle(request, pending: PendingUploads, group, check: Check, back: str):
    """The POST action "refused" of an import page: the workbook of the file waiting; None for
    any other action."""
    if request.method != "POST" or request.POST.get("action") != "refused":
        return None
    loaded = pending.load(request, request.POST.get("token", ""), group)
    if loaded is None:
        messages.error(request, _("The checked file is no longer available. Upload it again."))
        return redirect(back)
    data, filename = loaded
    table, plan = check(data, filename)
    headers, rows = sheet(table, plan)
    if not rows:
        messages.info(request, _("No row of the file is refused now."))
        return redirect(back)
    return xlsx_response(download_name(filename), _("Refused rows"), headers, rows)
