"""Change history for any model with django-simple-history: who, when, what changed."""

from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext as _


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


def history_entries(obj, limit: int = 50) -> list[HistoryEntry]:
    """The newest `limit` history records of an object with their field changes. Related
    objects named in the changes are fetched in one query per related model."""
    records = list(obj.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    model = type(obj)
    labels = {"+": _("created"), "~": _("changed"), "-": _("deleted")}

    deltas = []
    wanted: dict[type, set] = defaultdict(set)
    for i, record in enumerate(records[:limit]):
        previous = records[i + 1] if i + 1 < len(records) else None
        changes = []
        if previous is not None and record.history_type == "~":
            for change in record.diff_against(previous).changes:
                if change.field in HIDDEN_FIELDS:
                    continue
                field = model._meta.get_field(change.field)
                if field.is_relation and not field.many_to_many:
                    wanted[field.related_model].update(v for v in (change.old, change.new) if v is not None)
                changes.append((field, change.old, change.new))
        deltas.append((record, changes))

    related = {
        (related_model, obj.pk): obj
        for related_model, pks in wanted.items()
        for obj in related_model._default_manager.filter(pk__in=pks)
    }

    def display(field, value) -> str:
        if value in (None, ""):
            return "–"
        if field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if field.is_relation and not field.many_to_many:
            found = related.get((field.related_model, value))
            return str(found) if found else f"#{value}"
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        return str(value)

    entries = []
    for record, changes in deltas:
        user = record.history_user
        who = (user.get_full_name() or user.username) if user else _("the system")
        entries.append(
            HistoryEntry(
                record.history_date,
                who,
                labels.get(record.history_type, ""),
                [Change(str(f.verbose_name), display(f, old), display(f, new)) for f, old, new in changes],
            )
        )
    return entries
