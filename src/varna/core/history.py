"""Change history for any model with django-simple-history: who, when, what changed."""

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


KINDS = {"+": "created", "~": "changed", "-": "deleted"}


def _display(record, field, value) -> str:
    if value in (None, ""):
        return "–"
    try:
        model_field = record.instance_type._meta.get_field(field)
    except Exception:
        return str(value)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if model_field.is_relation:
        related = model_field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related else f"#{value}"
    return str(value)


def history_entries(obj, limit: int = 50) -> list[HistoryEntry]:
    records = list(obj.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    labels = {
        "+": _("created"),
        "~": _("changed"),
        "-": _("deleted"),
    }
    hidden = {"version", "updated_at", "created_at", "path", "depth"}
    entries = []
    for i, record in enumerate(records[:limit]):
        changes = []
        previous = records[i + 1] if i + 1 < len(records) else None
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous)
            for change in delta.changes:
                if change.field in hidden:
                    continue
                verbose = str(record.instance_type._meta.get_field(change.field).verbose_name)
                changes.append(
                    Change(
                        verbose, _display(record, change.field, change.old), _display(record, change.field, change.new)
                    )
                )
        user = record.history_user
        who = (user.get_full_name() or user.username) if user else _("the system")
        entries.append(HistoryEntry(record.history_date, who, labels.get(record.history_type, ""), changes))
    return entries
