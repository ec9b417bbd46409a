"""Import of alarm events from an alarm receiving centre's log (XLSX or CSV): one row per event,
the alarm matched by its identifier (the number the centre knows it by).

The same steps as every import (core/tabular.py, core/import_plan.py, core/import_views.py):
each row is checked without writing (the dry run); an alarm the user may not change, or one not
registered, refuses the row without naming anything; an event registered already (same alarm,
time and kind) is unchanged, so the whole log can be imported again each month. Written in one
transaction, everything or nothing. The number of queries does not grow with the file.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history

from varna.core import column_mapping, import_plan, tabular
from varna.core.import_plan import ADDED, REFUSED, UNCHANGED, RowError
from varna.core.tabular import Column, Table
from varna.incidents.register_io import parse_when

from .models import Alarm, AlarmEvent

IMPORT_KIND = "alarm_events"

COLUMNS = (
    Column(
        "identifier",
        "larmnummer",
        ("larmnummer", "larm-id", "larmid", "objektnummer", "objektnr", "kundnummer", "alarm id", "identifier"),
        gettext_lazy("The alarm's identifier as registered in Värna, e.g. NL-10231 (required)."),
    ),
    Column(
        "occurred_at",
        "tidpunkt",
        ("tidpunkt", "larmtid", "datum och tid", "datum", "tid", "when", "occurred at", "time"),
        gettext_lazy("When the alarm went off, e.g. 2026-03-05 14:30 (required)."),
    ),
    Column(
        "kind",
        "händelsetyp",
        ("händelsetyp", "typ", "utfall", "larmtyp", "kind", "type", "outcome"),
        gettext_lazy("Real alarm, False alarm or Technical fault (required)."),
    ),
    Column(
        "cause",
        "orsak",
        ("orsak", "kommentar", "åtgärd", "anteckning", "cause", "comment"),
        gettext_lazy("The cause as the centre noted it (optional)."),
    ),
)
REQUIRED = ("identifier", "occurred_at", "kind")
NO_KNOWN_COLUMNS = gettext_lazy(
    "No known column names in the first row. Expected larmnummer, tidpunkt and händelsetyp (found: %(found)s)."
)
KIND_WORDS = {
    "larm": AlarmEvent.Kind.REAL,
    "skarpt": AlarmEvent.Kind.REAL,
    "skarpt larm": AlarmEvent.Kind.REAL,
    "befogat": AlarmEvent.Kind.REAL,
    "falsklarm": AlarmEvent.Kind.FALSE,
    "obefogat": AlarmEvent.Kind.FALSE,
    "obefogat larm": AlarmEvent.Kind.FALSE,
    "fellarm": AlarmEvent.Kind.FALSE,
    "fel": AlarmEvent.Kind.FAULT,
    "tekniskt fel": AlarmEvent.Kind.FAULT,
    "teknisk": AlarmEvent.Kind.FAULT,
    "sabotage": AlarmEvent.Kind.FAULT,
}
FUTURE_GRACE = datetime.timedelta(minutes=5)


@dataclass
class Row:
    number: int
    values: dict[str, Any]
    errors: list[RowError] = field(default_factory=list)
    status: str = ""
    alarm: Alarm | None = None

    @property
    def label(self) -> str:
        """The row as the file names it (never a registered name the user may not see)."""
        return str(self.values.get("identifier") or "")

    @property
    def kind_label(self) -> str:
        kind = self.values.get("kind")
        return str(AlarmEvent.Kind(kind).label) if kind in AlarmEvent.Kind.values else ""


@dataclass
class Plan(import_plan.Plan):
    statuses = (ADDED, UNCHANGED, REFUSED)
    written: int = 0


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


def kind_keys() -> dict[str, str]:
    keys = {tabular.key(value): value for value in AlarmEvent.Kind.values}
    for language in ("sv", "en"):
        with translation.override(language):
            for value, label in AlarmEvent.Kind.choices:
                keys.setdefault(tabular.key(str(label)), value)
    for word, value in KIND_WORDS.items():
        keys.setdefault(tabular.key(word), value)
    return keys


def value_choices(group, user) -> dict[str, list[tuple[str, str]]]:
    return {"kind": [(value, str(label)) for value, label in AlarmEvent.Kind.choices]}


def _clean(table: Table) -> list[Row]:
    rows = []
    kinds = kind_keys()
    tz = timezone.get_current_timezone()
    now = timezone.now()
    for number, cells in table.rows:
        row = Row(number=number, values={})
        for name, index in table.columns.items():
            value = cells[index] if index < len(cells) else None
            if name == "occurred_at":
                try:
                    when = parse_when(value, tz)
                except ValueError:
                    import_plan.add_error(
                        table,
                        row,
                        name,
                        _("“%(value)s” is not a time. Write it as YYYY-MM-DD HH:MM.")
                        % {"value": tabular.cell_text(value)[:40]},
                    )
                    when = None
                if when is not None and when > now + FUTURE_GRACE:
                    import_plan.add_error(table, row, name, _("An alarm event cannot lie in the future."))
                row.values[name] = when
                continue
            text = " ".join(tabular.cell_text(value).split())
            max_length = 500 if name == "cause" else Alarm._meta.get_field("identifier").max_length
            text = import_plan.read_text(table, row, name, text, max_length=max_length)
            if name == "kind" and text:
                kind = kinds.get(tabular.key(text))
                if kind is None:
                    known = ", ".join(str(label) for label in AlarmEvent.Kind.labels)
                    import_plan.add_error(
                        table,
                        row,
                        name,
                        _("Unknown kind “%(value)s” (known: %(known)s).") % {"value": text[:80], "known": known},
                        unknown=text,
                    )
                text = kind or ""
            row.values[name] = text
        import_plan.require(table, row, REQUIRED)
        rows.append(row)
    return rows


def build_plan(table: Table, group, user) -> Plan:
    """Check every row; nothing is written."""
    plan = Plan.for_table(table)
    if table.errors:
        return plan
    rows = _clean(table)
    plan.rows = rows
    plan.translated = column_mapping.translate(rows, group, IMPORT_KIND)
    wanted = {r.values["identifier"].lower() for r in rows if r.values.get("identifier")}
    # Only alarms the user may change are matched: any other identifier is refused alike, so the
    # import tells nothing of alarms outside the user's scope.
    alarms = {
        a.identifier.lower(): a
        for a in Alarm.objects.restrict(user, "change")
        .in_group(group)
        .annotate(key=Lower("identifier"))
        .filter(key__in=wanted)
        .order_by("pk")
    }
    registered = set(
        AlarmEvent.objects.filter(alarm__in=list(alarms.values())).values_list("alarm_id", "occurred_at", "kind")
    )
    in_file: dict[tuple, int] = {}
    for row in rows:
        v = row.values
        identifier = v.get("identifier") or ""
        if not identifier:
            continue
        alarm = alarms.get(identifier.lower())
        if alarm is None:
            import_plan.add_error(
                table,
                row,
                "identifier",
                _("No alarm you may change has the identifier %(id)s.") % {"id": identifier[:60]},
            )
            continue
        row.alarm = alarm
        if row.errors:
            continue
        identity = (alarm.pk, v["occurred_at"], v["kind"])
        if identity in in_file:
            import_plan.add_error(
                table, row, "occurred_at", _("The same event is also on row %(row)s.") % {"row": in_file[identity]}
            )
            continue
        in_file[identity] = row.number
        row.status = UNCHANGED if identity in registered else ADDED
    plan.settle()
    return plan


def apply_plan(plan: Plan, group, user) -> int:
    if not plan.can_apply:
        raise ValueError("A plan with refused rows or file errors cannot be applied.")
    events = [
        AlarmEvent(
            alarm=row.alarm,
            occurred_at=row.values["occurred_at"],
            kind=row.values["kind"],
            cause=row.values.get("cause", ""),
        )
        for row in plan.rows
        if row.status == ADDED
    ]
    bulk_create_with_history(events, AlarmEvent, default_user=user, default_change_reason=plan.change_reason())
    plan.written = len(events)
    plan.applied = True
    return plan.written


def import_file(data: bytes, filename: str, group, user) -> Plan:
    """Parse, check again and apply in one transaction: everything or nothing."""
    table = parse_file(data, filename, group)
    return import_plan.all_or_nothing(
        lambda: build_plan(table, group, user), lambda plan: apply_plan(plan, group, user)
    )


def template_rows(group, user) -> tuple[list[str], list[list[Any]]]:
    headers = [c.header for c in COLUMNS]
    alarm = Alarm.objects.restrict(user, "change").in_group(group).order_by("pk").first()
    example = [alarm.identifier if alarm else "NL-10231", "2026-03-05 14:30", "Falsklarm", "Städpersonal"]
    return headers, [example]
