"""Large imports of incidents run in the background, with their progress on a page.

A large file is checked and written by tasks (Django's tasks API; `varna worker` runs them)
instead of inside the web request, which would outlast a proxy's or gunicorn's timeout (reading
100,000 rows of XLSX alone takes a quarter of a minute): a file of more than BACKGROUND_BYTES
is checked (the dry run) by `check_file`, and a checked file of more than BACKGROUND_ROWS rows is
written by `import_file`. Smaller files are checked and written in the request (io_views.py).
Either way the rules are those of register_io, and the writing checks every row again and
writes all or nothing in one transaction.

The tasks read the file kept since the upload (core/pending_uploads.py: the same bytes, checked
against their SHA-256). Their progress is a small JSON file next to it, ``<token>.progress.json``:
not the database, because the import's own transaction would hide every update until its
commit, and not a process's memory, because the worker and the web processes are different
processes (with several machines, DATA_DIR is shared as it already must be for the pending
uploads). It holds the user and the group it belongs to, the job, the phase and the rows done,
and at the end the outcome: the dry run's summary, the number of incidents added, the rows
refused when checked again, or why it failed. It is written atomically (a temporary file
renamed over it), at most twice a second. A run that stops reporting for STALE_AFTER (its
worker was killed) is shown as failed: its transaction was rolled back, nothing was imported.

A dry run that refuses rows keeps the file, as a small file's dry run does, so that the user
can give the file's unknown words a meaning (the summary lists them) and check it again; and
it writes every refused row to ``<token>.refused.xlsx`` for the progress page to offer
(core/refused_rows.py): built in the request, it would outlast the request as the check does
(14 seconds for 100,000 refused rows of CSV, most of it writing the workbook).
"""

import datetime
import hashlib
import json
import logging
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db import DatabaseError
from django.tasks import task
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from varna.core import pending_uploads, refused_rows
from varna.core.models import StaleEditError
from varna.core.pending_uploads import PendingUploads
from varna.core.spreadsheets import write_xlsx
from varna.organisation.models import MunicipalGroup

from . import register_io

logger = logging.getLogger(__name__)

PENDING = PendingUploads("incidents", "varna_incident_import")
BACKGROUND_BYTES = 1024 * 1024
"""Files larger than this are checked in the background (about 5,000 rows of CSV, 15,000 of XLSX)."""
BACKGROUND_ROWS = 5000
"""Checked files with more rows than this are written in the background."""
STALE_AFTER = datetime.timedelta(minutes=10)
KEEP_PROGRESS_FOR = datetime.timedelta(days=7)
SHOWN_ROWS = 500
"""Rows listed in a dry run (added and refused each)."""
WRITE_EVERY = 0.5  # seconds between two writes of the progress

CHECK, IMPORT = "check", "import"  # the two jobs
QUEUED, READING, CHECKING, WRITING = "queued", "reading", register_io.CHECKING, register_io.WRITING
CHECKED, DONE, REFUSED, FAILED = "checked", "done", "refused", "failed"
RUNNING = (QUEUED, READING, CHECKING, WRITING)
# Why a run failed: shown on the progress page in the reader's language.
MISSING, CHANGED, ERROR, STALLED = "missing", "changed", "error", "stalled"


# ---------------------------------------------------------------------------------------------
# The dry run as the pages show it


def dry_run_summary(plan, limit: int = SHOWN_ROWS) -> dict[str, Any]:
    """What the dry run page lists (JSON-ready, in the active language): the counts, the first
    `limit` refused rows with their errors and the first `limit` rows to be added."""
    refused, added = [], []
    for row in plan.rows:
        if row.status == register_io.REFUSED:
            if len(refused) < limit:
                refused.append(
                    {
                        "number": row.number,
                        "label": row.label,
                        "errors": [{"column": e.column, "message": e.message} for e in row.errors],
                    }
                )
        elif len(added) < limit:
            added.append(
                {
                    "number": row.number,
                    "when": timezone.localtime(row.occurred_at).strftime("%Y-%m-%d %H:%M"),
                    "category": str(row.category_label),
                    "unit": row.unit.name,
                    "place": row.values.get("place", ""),
                    "label": row.label,
                    "state": str(row.state_label),
                    "cost": None if row.cost is None else int(row.cost),
                }
            )
    return {
        "filename": plan.filename,
        "counts": plan.counts(),
        "ignored": list(plan.ignored_columns),
        "mapped": [list(pair) for pair in plan.mapped_columns],
        "translated": plan.translated,
        "file_errors": [str(e) for e in plan.file_errors],
        "refused_rows": refused,
        "added_rows": added,
        "unknown": plan.unknown_values(),
        "can_apply": plan.can_apply,
    }


# ---------------------------------------------------------------------------------------------
# The progress file


def progress_path(token: str) -> Path | None:
    path = PENDING.path(token)
    return path.with_name(f"{token}.progress.json") if path is not None else None


def refused_path(token: str) -> Path | None:
    """The workbook of every row a background dry run refused."""
    path = PENDING.path(token)
    return path.with_name(f"{token}.refused.xlsx") if path is not None else None


def read_progress(token: str) -> dict[str, Any] | None:
    path = progress_path(token)
    if path is None:
        return None
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(state, dict):
        return None
    quiet_for = time.time() - (state.get("updated") or 0)
    if state.get("state") in (READING, CHECKING, WRITING) and quiet_for > STALE_AFTER.total_seconds():
        state.update(state=FAILED, reason=STALLED)
    return state


def _replace(path: Path, content: bytes) -> None:
    """Write a file whole (a temporary file renamed over it), so a reader never sees half of it."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(content)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _write(token: str, state: dict[str, Any]) -> None:
    state["updated"] = time.time()
    _replace(progress_path(token), json.dumps(state, ensure_ascii=False).encode())


def _sweep(folder: Path) -> None:
    # The refused rows are the file's own rows (personal data): kept no longer than the file.
    for pattern, keep_for in (("*.progress.json", KEEP_PROGRESS_FOR), ("*.refused.xlsx", pending_uploads.KEEP_FOR)):
        cutoff = time.time() - keep_for.total_seconds()
        for old in folder.glob(pattern):
            try:
                if old.stat().st_mtime < cutoff:
                    old.unlink(missing_ok=True)
            except OSError:
                pass  # another process removed it first


class Reporter:
    """The `progress` callback of register_io: writes the phase and the rows done, at most every
    WRITE_EVERY seconds, and the outcome at the end."""

    def __init__(self, token: str, state: dict[str, Any]):
        self.token = token
        self.state = state
        self.last = 0.0

    def __call__(self, phase: str, done: int, total: int) -> None:
        phase_changed = phase != self.state.get("state")
        self.state.update(state=phase, done=done, total=total)
        now = time.monotonic()
        if phase_changed or now - self.last >= WRITE_EVERY:
            self.last = now
            try:
                _write(self.token, self.state)
            except OSError:
                logger.exception("The progress of incident import %s could not be written", self.token)

    def finish(self, outcome: str, **values) -> None:
        self.state.update(state=outcome, **values)
        _write(self.token, self.state)


# ---------------------------------------------------------------------------------------------
# The jobs


def start(
    job: str,
    *,
    token: str,
    data: bytes,
    filename: str,
    group,
    user,
    rows: int | None,
    language: str,
    skip_registered: bool = False,
) -> None:
    """Hand a stored file to the background, to be checked (CHECK) or imported (IMPORT): the
    progress says "queued" until a worker takes it. `skip_registered`: incidents already
    registered are skipped, not refused."""
    PENDING.folder().mkdir(mode=0o700, parents=True, exist_ok=True)
    _sweep(PENDING.folder())
    _write(
        token,
        {
            "job": job,
            "state": QUEUED,
            "user": user.pk,
            "group": group.pk,
            "filename": filename,
            "done": 0,
            "total": rows or 0,
            "queued": time.time(),
        },
    )
    arguments = {
        "token": token,
        "sha256": hashlib.sha256(data).hexdigest(),
        "filename": filename,
        "group_id": group.pk,
        "user_id": user.pk,
        "language": language,
        "skip_registered": skip_registered,
    }
    (check_file if job == CHECK else import_file).enqueue(**arguments)


class _Run:
    """What both jobs do around their work: the reporter, the file (checked against its hash),
    the group and user, the language, and a failure reported as one."""

    def __init__(self, token, sha256, filename, group_id, user_id, language):
        self.token, self.filename, self.language = token, filename, language
        self.group_id, self.user_id = group_id, user_id
        self.reporter = Reporter(token, read_progress(token) or {"user": user_id, "group": group_id})
        self.path = PENDING.path(token)
        try:
            data = self.path.read_bytes() if self.path is not None else None
        except OSError:
            data = None
        self.data = data if data is not None and hashlib.sha256(data).hexdigest() == sha256 else None

    def objects(self):
        return MunicipalGroup.objects.get(pk=self.group_id), get_user_model().objects.get(pk=self.user_id)

    def remove_file(self) -> None:
        if self.path is not None:
            self.path.unlink(missing_ok=True)


@task
def check_file(
    token: str, sha256: str, filename: str, group_id: int, user_id: int, language: str, skip_registered: bool = False
) -> int:
    """The dry run of a large file; returns the number of rows that would be added."""
    run = _Run(token, sha256, filename, group_id, user_id, language)
    if run.data is None:
        run.reporter.finish(FAILED, reason=MISSING)
        return 0
    try:
        with translation.override(language), register_io.without_cyclic_gc():
            group, user = run.objects()
            run.reporter(READING, 0, 0)
            table = register_io.parse_file(run.data, filename, group)
            plan = register_io.build_plan(table, group, user, progress=run.reporter, skip_registered=skip_registered)
            summary = dry_run_summary(plan)
            if plan.refused:
                headers, refused = refused_rows.sheet(table, plan)
                _replace(refused_path(token), write_xlsx(_("Refused rows"), headers, refused))
            del table
        rows = len(plan.rows)
        if plan.file_errors:
            run.remove_file()  # it cannot be read: nothing in it to correct or give a meaning
        run.reporter.finish(CHECKED, total=rows, done=rows, **summary)
        return summary["counts"][register_io.ADDED] if plan.can_apply else 0
    except Exception:
        run.remove_file()
        run.reporter.finish(FAILED, reason=ERROR)
        raise


@task
def import_file(
    token: str, sha256: str, filename: str, group_id: int, user_id: int, language: str, skip_registered: bool = False
) -> int:
    """Check again and write a checked file; returns the number of incidents added."""
    run = _Run(token, sha256, filename, group_id, user_id, language)
    if run.data is None:
        run.reporter.finish(FAILED, reason=MISSING)
        return 0
    try:
        with translation.override(language):
            group, user = run.objects()
            run.reporter(READING, 0, run.reporter.state.get("total") or 0)
            try:
                plan = register_io.import_file(
                    run.data, filename, group, user, progress=run.reporter, skip_registered=skip_registered
                )
            except (DatabaseError, StaleEditError):
                logger.exception("Incident import %s failed in the database", token)
                run.reporter.finish(FAILED, reason=CHANGED)
                return 0
            if plan.applied:
                run.reporter.finish(DONE, added=plan.created)
                return plan.created
            run.reporter.finish(REFUSED, **dry_run_summary(plan))
            return 0
    except Exception:
        run.reporter.finish(FAILED, reason=ERROR)
        raise
    finally:
        run.remove_file()
