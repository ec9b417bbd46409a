"""Change history for any model with django-simple-history: who, when, what changed.

The history is read by someone: records it names (a foreign key's value, a link added or
removed) are named only if that reader may read them, and masked as everywhere else
(core.links) otherwise. The record's own values are shown: whoever sees its history may read it.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.utils.text import capfirst
from django.utils.translation import gettext as _
from simple_history.utils import get_m2m_reverse_field_name

from .links import DELETED_RECORD, names
from .permissions import get_access


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: object
    who: str
    kind: str
    changes: list[Change]


HIDDEN_FIELDS = {"version", "updated_at", "created_at", "path", "depth"}


def _links_per_record(records, m2m_fields) -> dict[str, dict[int, set]]:
    """For each many-to-many field, the ids each history record held: one query per field
    (diff_against would make two per record and field)."""
    held: dict[str, dict[int, set]] = {}
    if not records:
        return held
    history_model = type(records[0])
    ids = [r.history_id for r in records]
    for field in m2m_fields:
        through = getattr(history_model, field.name).model
        target = through._meta.get_field(get_m2m_reverse_field_name(field)).attname
        per_record = defaultdict(set)
        for history_id, pk in through._default_manager.filter(history_id__in=ids).values_list("history_id", target):
            per_record[history_id].add(pk)
        held[field.name] = per_record
    return held


def history_entries(obj, reader, limit: int = 50) -> list[HistoryEntry]:
    """The newest `limit` history records of an object with their field changes, as `reader`
    (the user reading it) may see them. Related records named in the changes are fetched in
    one query per related model."""
    access = get_access(reader)
    records = list(obj.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    model = type(obj)
    labels = {"+": _("created"), "~": _("changed"), "-": _("deleted")}
    m2m_fields = list(records[0]._history_m2m_fields) if records else []
    held = _links_per_record(records, m2m_fields)
    not_diffed = HIDDEN_FIELDS | {f.name for f in m2m_fields}

    deltas = []
    wanted: dict[type, set] = defaultdict(set)
    for i, record in enumerate(records[:limit]):
        previous = records[i + 1] if i + 1 < len(records) else None
        changes = []
        if previous is not None and record.history_type == "~":
            for change in record.diff_against(previous, excluded_fields=not_diffed).changes:
                field = model._meta.get_field(change.field)
                if field.is_relation:
                    wanted[field.related_model].update(v for v in (change.old, change.new) if v is not None)
                changes.append((field, change.old, change.new))
            for field in m2m_fields:
                before, after = held[field.name][previous.history_id], held[field.name][record.history_id]
                if before != after:
                    wanted[field.related_model].update(before ^ after)
                    changes.append((field, before - after, after - before))
        deltas.append((record, changes))

    shown = {model: names(access, model, pks) for model, pks in wanted.items()}

    def name(field, pk) -> str:
        return shown[field.related_model].get(pk, str(DELETED_RECORD))

    def display(field, value) -> str:
        if value in (None, ""):
            return "–"
        if field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if field.is_relation:
            return name(field, value)
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        return str(value)

    def display_links(field, pks, wording) -> str:
        if not pks:
            return "–"
        kind = capfirst(field.related_model._meta.verbose_name)
        return "; ".join(wording % {"kind": kind, "name": n} for n in sorted(name(field, pk) for pk in pks))

    entries = []
    for record, changes in deltas:
        user = record.history_user
        who = (user.get_full_name() or user.username) if user else _("the system")
        rows = []
        for field, old, new in changes:
            if field.many_to_many:
                # Removed links under "before", added ones under "after".
                old, new = (
                    display_links(field, old, _("%(kind)s removed: %(name)s")),
                    display_links(field, new, _("%(kind)s added: %(name)s")),
                )
            else:
                old, new = display(field, old), display(field, new)
            rows.append(Change(str(field.verbose_name), old, new))
        entries.append(HistoryEntry(record.history_date, who, labels.get(record.history_type, ""), rows))
    return entries
