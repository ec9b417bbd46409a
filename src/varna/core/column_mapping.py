"""Any file as it is: the user says what each column of their own file means, once per group
and import.

A municipality's files come from other systems (an HR export, another incident register, a
property list) whose column names Värna cannot all know. When the columns of a file are what
is wrong (a required one missing, none known, two meaning the same), the import page does not
stop at the error: it shows the file's columns with a few sample values and a choice of the
import's fields for each, suggested by similarity to the names Värna knows
(`MappingForm`). What the user chooses is saved per group and import (`ColumnMapping`) and
read by every later file of that import (`saved`, passed to tabular.parse_file), the dry run,
the confirmation and a background import alike, so the next month's export goes straight to
the dry run. The dry run says which columns were read by the saved choices; the user can
choose again or forget them.

`MappingStep` is the part of an import's view that asks: each import (organisation, documents,
risks, incidents) creates one with its kind, its store of files waiting (core/pending_uploads)
and how it reads a file's header.
"""

import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import new_units
from .models import ColumnMapping, ValueMapping
from .pending_uploads import PendingUploads
from .tabular import Column, Required, Table, aliases, column_letter, key

SUGGEST_CUTOFF = 0.75
"""How alike a file's column name and a known name must be (difflib's ratio) to be suggested."""
NOT_IMPORTED = ""


def saved(group, kind: str) -> dict[str, str]:
    """The group's saved choices for an import: header key → field ("" for not imported)."""
    if group is None:
        return {}
    return dict(ColumnMapping.objects.filter(group=group, kind=kind).values_list("header", "field"))


@transaction.atomic
def remember(group, kind: str, columns: Sequence[Column], chosen: dict[str, str], user) -> None:
    """Save the user's choice for each header of a file. A choice that is what the known names
    would give anyway is not kept (and a former one is removed), so the names Värna knows stay
    in force for everything the user did not change."""
    known = aliases(columns)
    now = timezone.now()
    for header, field in chosen.items():
        if field == known.get(header, NOT_IMPORTED):
            ColumnMapping.objects.filter(group=group, kind=kind, header=header).delete()
        else:
            ColumnMapping.objects.update_or_create(
                group=group,
                kind=kind,
                header=header,
                defaults={"field": field, "changed_by": user, "changed_at": now},
            )


def forget(group, kind: str) -> int:
    return ColumnMapping.objects.filter(group=group, kind=kind).delete()[0]


def saved_values(group, kind: str) -> dict[str, dict[str, str]]:
    """The group's saved meanings of words for an import: field → word key → Värna's value."""
    found: dict[str, dict[str, str]] = {}
    if group is None:
        return found
    for field, value, target in ValueMapping.objects.filter(group=group, kind=kind).values_list(
        "field", "value", "target"
    ):
        found.setdefault(field, {})[value] = target
    return found


def translate(rows, group, kind: str) -> int:
    """Put Värna's value in place of each word of the rows the group has given a meaning (before
    the import's own checks, which then read it as if the file had said it); returns how many
    cells were read so."""
    meanings = saved_values(group, kind)
    return sum(translate_values(row.values, meanings) for row in rows) if meanings else 0


def translate_values(values: dict, meanings: dict[str, dict[str, str]]) -> int:
    """`translate` for one row's values, with the meanings read once (`saved_values`)."""
    count = 0
    for field, words in meanings.items():
        word = values.get(field)
        if isinstance(word, str) and word:
            target = words.get(key(word))
            if target is not None:
                values[field] = target
                count += 1
    return count


@transaction.atomic
def remember_values(group, kind: str, chosen: list[tuple[str, str, str]], user) -> None:
    """Save (field, word key, value) meanings."""
    now = timezone.now()
    for field, word, target in chosen:
        ValueMapping.objects.update_or_create(
            group=group,
            kind=kind,
            field=field,
            value=word,
            defaults={"target": target, "changed_by": user, "changed_at": now},
        )


def forget_values(group, kind: str) -> int:
    return ValueMapping.objects.filter(group=group, kind=kind).delete()[0]


def _likeness(header: str, name: str) -> float:
    ratio = difflib.SequenceMatcher(None, header, name).ratio()
    if min(len(header), len(name)) >= 5 and (name in header or header in name):
        ratio = max(ratio, 0.8)  # "händelsedatum" holds "datum"; "e-post arbete" holds "e-post"
    return ratio


def suggest(headers: Sequence[str], columns: Sequence[Column], taken: dict[int, str]) -> dict[int, str]:
    """A field for each header not `taken` (index → field already read), where one is alike
    enough to a name Värna knows; each field suggested once, the likest pair first."""
    used = set(taken.values())
    pairs = []
    for index, header in enumerate(headers):
        header_key = key(header)
        if not header_key or index in taken:
            continue
        for column in columns:
            if column.field in used:
                continue
            score = max(_likeness(header_key, key(name)) for name in (column.header, *column.aliases))
            if score >= SUGGEST_CUTOFF:
                pairs.append((score, index, column.field))
    suggested: dict[int, str] = {}
    for _score, index, field in sorted(pairs, key=lambda p: (-p[0], p[1])):
        if index not in suggested and field not in used:
            suggested[index] = field
            used.add(field)
    return suggested


def _label(column: Column) -> str:
    return column.header[:1].upper() + column.header[1:]


class MappingForm(forms.Form):
    """One choice per column of the file: the field it holds, or not imported."""

    def __init__(self, *args, table: Table, columns: Sequence[Column], required: Required, **kwargs):
        super().__init__(*args, **kwargs)
        self.table, self.columns, self.required = table, columns, required
        self.by_field = {c.field: c for c in columns}
        choices = [(NOT_IMPORTED, _("– Not imported –")), *((c.field, _label(c)) for c in columns)]
        read_now = {index: field for field, index in table.columns.items()}
        initial = {**suggest(table.headers, columns, read_now), **read_now}
        self.rows = []
        for index, header in enumerate(table.headers):
            if not key(header):
                continue
            name = f"column_{index}"
            self.fields[name] = forms.ChoiceField(
                label=header, choices=choices, required=False, initial=initial.get(index, NOT_IMPORTED)
            )
            samples = table.samples[index] if index < len(table.samples) else []
            self.rows.append((index, column_letter(index), name, samples))

    def bound_rows(self):
        """(column letter, the bound choice, its sample values) for the template."""
        return [(letter, self[name], samples) for _index, letter, name, samples in self.rows]

    def clean(self):
        cleaned = super().clean()
        found: dict[str, int] = {}
        by_name: dict[str, list[int]] = {}
        for index, _letter, _name, _samples in self.rows:
            by_name.setdefault(key(self.table.headers[index]), []).append(index)
        for index, _letter, name, _samples in self.rows:
            field = cleaned.get(name)
            if not field:
                continue
            same_name = [i for i in by_name[key(self.table.headers[index])] if i != index]
            if same_name:
                # A choice is saved by the column's name: columns of one name would all be read so.
                self.add_error(
                    name,
                    _("Column %(other)s has the same name. Rename one of them in the file to import this one.")
                    % {"other": column_letter(same_name[0])},
                )
            elif field in found:
                other = column_letter(found[field])
                self.add_error(
                    name,
                    _("%(field)s is already read from column %(other)s. Choose it for one column only.")
                    % {"field": _label(self.by_field[field]), "other": other},
                )
            else:
                found[field] = index
        needed = self.required(found) if callable(self.required) else self.required
        if not found or needed is None:
            raise forms.ValidationError(_("Choose what the columns hold: no column would be imported as it is."))
        missing = [_label(self.by_field[f]) for f in dict.fromkeys(needed) if f not in found]
        if missing:
            raise forms.ValidationError(
                _("The import needs a column for: %(fields)s.") % {"fields": ", ".join(missing)}
            )
        return cleaned

    def chosen(self) -> dict[str, str]:
        """header key → field ("" for not imported), for `remember`."""
        data = self.cleaned_data
        return {key(self.table.headers[index]): data.get(name) or NOT_IMPORTED for index, _l, name, _s in self.rows}

    def required_labels(self) -> list[str]:
        """The fields that must be read, as far as they do not depend on the columns chosen."""
        if callable(self.required):
            return []
        return [_label(self.by_field[f]) for f in dict.fromkeys(self.required) if f in self.by_field]


NEW_UNIT = "+new"
"""The meaning "a new unit" of an unknown unit word (core/new_units.py)."""


class ValuesForm(forms.Form):
    """On a dry run: one choice per word the import did not know (`unknown`: field → word →
    rows), among Värna's values of the field (`choices`: field → (value, label)); `labels`:
    field → the column's name. `creatable`: (parents, levels) where the user may create a unit
    the file names: a unit word may then also mean a new unit, under a parent at a level."""

    def __init__(
        self,
        *args,
        unknown: dict[str, dict[str, int]],
        choices: dict,
        labels: dict[str, str],
        creatable: tuple[list, list] | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.items = []
        for field, options in choices.items():
            seen = set()
            units = creatable if field == new_units.FIELD else None
            for word, rows in sorted(unknown.get(field, {}).items()):
                word_key = key(word)
                if not word_key or word_key in seen:
                    continue
                seen.add(word_key)
                name = f"value_{len(self.items)}"
                extra = [(NEW_UNIT, _("A new unit “%(word)s”") % {"word": word})] if units else []
                self.fields[name] = forms.ChoiceField(
                    label=word,
                    choices=[("", _("– Leave as it is –")), *options, *extra],
                    required=False,
                    initial=_closest(word_key, options),
                )
                if units:
                    parents, levels = units
                    self.fields[f"{name}_parent"] = forms.ChoiceField(
                        label=_("New unit “%(word)s” under") % {"word": word},
                        choices=[("", "–"), *parents],
                        required=False,
                    )
                    self.fields[f"{name}_level"] = forms.ChoiceField(
                        label=_("Level of “%(word)s”") % {"word": word},
                        choices=[("", "–"), *levels],
                        required=False,
                    )
                self.items.append((name, field, word_key, rows, labels.get(field, field)))

    def bound_items(self):
        """(the column's name, the bound choice, rows with the word, the new unit's fields) for
        the template."""
        return [
            (
                label,
                self[name],
                rows,
                [self[f"{name}_{part}"] for part in ("parent", "level") if f"{name}_parent" in self.fields],
            )
            for name, _field, _word, rows, label in self.items
        ]

    @property
    def creates_units(self) -> bool:
        return any(name.endswith("_parent") for name in self.fields)

    def clean(self):
        for name, *_rest in self.items:
            if self.cleaned_data.get(name) != NEW_UNIT:
                continue
            if not self.cleaned_data.get(f"{name}_parent"):
                self.add_error(f"{name}_parent", _("Choose the unit the new unit is placed under."))
            if not self.cleaned_data.get(f"{name}_level"):
                self.add_error(f"{name}_level", _("Choose the level of the new unit."))
        return self.cleaned_data

    def chosen(self) -> list[tuple[str, str, str]]:
        return [
            (field, word, self.cleaned_data[name])
            for name, field, word, _rows, _label in self.items
            if self.cleaned_data.get(name) and self.cleaned_data[name] != NEW_UNIT
        ]

    def units_to_create(self) -> list[tuple[str, str, str, str, str]]:
        """(field, word key, the word as written, parent code, level) of each new unit chosen."""
        return [
            (
                field,
                word,
                self.fields[name].label,
                self.cleaned_data[f"{name}_parent"],
                self.cleaned_data[f"{name}_level"],
            )
            for name, field, word, _rows, _label in self.items
            if self.cleaned_data.get(name) == NEW_UNIT
        ]


def _closest(word: str, options) -> str:
    """The value whose name is likest the word, if it is alike enough."""
    best, best_score = "", 0.0
    for value, label in options:
        score = max(_likeness(word, key(str(label))), _likeness(word, key(str(value))))
        if score > best_score:
            best, best_score = value, score
    return best if best_score >= SUGGEST_CUTOFF else ""


@dataclass
class Mapped:
    """The user's choice was saved: the file to check again, with the saved choices."""

    data: bytes
    filename: str


class MappingStep:
    """The mapping step of one import's page.

    `read_header(data, filename, group)` reads the header and first rows of a file with the
    group's saved choices (the area's parse_file with header_only=True); `columns(group)` are
    the import's columns; `required` as for tabular.parse_file."""

    def __init__(
        self,
        kind: str,
        pending: PendingUploads,
        read_header: Callable[[bytes, str, object], Table],
        columns: Callable[[object], Sequence[Column]],
        required: Required,
        value_choices: Callable[[object, object], dict] | None = None,
    ):
        self.kind, self.pending, self.read_header = kind, pending, read_header
        self.columns, self.required = columns, required
        self.value_choices = value_choices

    def saved(self, group) -> dict[str, str]:
        return saved(group, self.kind)

    def context(self, form: MappingForm, token: str, filename: str, problems=()) -> dict:
        """What templates/core/_column_mapping.html needs; `problems`: why the columns cannot be
        read as they are."""
        return {"mapping": {"form": form, "token": token, "filename": filename, "problems": list(problems)}}

    def start(self, request, group, data: bytes, filename: str, table: Table, options: dict | None = None) -> dict:
        """Keep the file (with the `options` chosen with it) and ask what its columns hold
        (`table`: the file as read, whose columns need mapping)."""
        token = self.pending.store(request, data, filename, group, options)
        form = MappingForm(table=table, columns=self.columns(group), required=self.required)
        return self.context(form, token, filename, table.errors)

    def _loaded(self, request, group):
        token = request.POST.get("token", "")
        loaded = self.pending.load(request, token, group)
        return (token, *loaded) if loaded is not None else None

    def again(self, request, group) -> dict | None:
        """Ask again for the file waiting (from the dry run); None when it is gone."""
        loaded = self._loaded(request, group)
        if loaded is None:
            return None
        token, data, filename = loaded
        table = self.read_header(data, filename, group)
        form = MappingForm(table=table, columns=self.columns(group), required=self.required)
        return self.context(form, token, filename)

    def submit(self, request, group) -> dict | Mapped | None:
        """The user's choice: saved (→ `Mapped`, the file to check now), or the step again with
        the errors (→ its context); None when the file is gone."""
        loaded = self._loaded(request, group)
        if loaded is None:
            return None
        token, data, filename = loaded
        columns = self.columns(group)
        table = self.read_header(data, filename, group)
        form = MappingForm(request.POST, table=table, columns=columns, required=self.required)
        if not form.is_valid():
            return self.context(form, token, filename)
        remember(group, self.kind, columns, form.chosen(), request.user)
        return Mapped(data, filename)

    def forget(self, group) -> int:
        return forget(group, self.kind) + forget_values(group, self.kind)

    def values_form(self, group, user, plan, data=None) -> ValuesForm | None:
        """The choice of meanings for the words of a dry run the import did not know, if any
        is of a field whose words can be given a meaning."""
        unknown = plan.unknown_values()
        if self.value_choices is None or not unknown:
            return None
        choices = {f: options for f, options in self.value_choices(group, user).items() if f in unknown}
        if not choices:
            return None
        labels = {c.field: _label(c) for c in self.columns(group)}
        creatable = None
        if new_units.FIELD in choices:
            parents = new_units.parents(group, user)
            creatable = (parents, new_units.levels(group)) if parents else None
        form = ValuesForm(data, unknown=unknown, choices=choices, labels=labels, creatable=creatable)
        return form if form.items else None

    def handle(self, request, group, *, check, render, back: str, read=None):
        """The step's actions on an import page (POST `action` map, remap, values or forget):
        the response, or None for any other action. `check(data, filename)` checks a file as an
        upload is checked (it may ask for the mapping again); `render(context)` shows the page
        with the step; `back` is the import page's URL; `read(data, filename)` reads and checks
        a file into (table, plan), for the meanings of words."""
        action = request.POST.get("action") if request.method == "POST" else None
        if action not in ("map", "remap", "values", "forget"):
            return None
        if action == "values":
            return self._values(request, group, check, read, back)
        if action == "forget":
            self.forget(group)
            self.pending.discard(request)
            messages.info(
                request, _("The saved choices are forgotten: the next file is read by the names and words Värna knows.")
            )
            return redirect(back)
        result = self.submit(request, group) if action == "map" else self.again(request, group)
        if result is None:
            messages.error(request, _("The checked file is no longer available. Upload it again."))
            return redirect(back)
        if isinstance(result, Mapped):
            return check(result.data, result.filename)
        return render(result)

    def _values(self, request, group, check, read, back):
        loaded = self._loaded(request, group)
        if loaded is None or read is None:
            messages.error(request, _("The checked file is no longer available. Upload it again."))
            return redirect(back)
        _token, data, filename = loaded
        _table, plan = read(data, filename)
        form = self.values_form(group, request.user, plan, request.POST)
        if form is not None:
            if form.is_valid():
                self._save_meanings(request, group, form, plan)
            else:
                tampered = any(e.code == "invalid_choice" for errors in form.errors.as_data().values() for e in errors)
                missing = [] if tampered else [e for errors in form.errors.values() for e in errors]
                messages.error(request, " ".join(missing) or _("Choose the meanings from the lists."))
        return check(data, filename)

    def _save_meanings(self, request, group, form: ValuesForm, plan) -> None:
        """The meanings chosen, and the new units made for words that name one: all or none."""
        chosen = form.chosen()
        created = []
        try:
            with transaction.atomic():
                for field, word, name, parent, level in form.units_to_create():
                    unit = new_units.create(
                        group, request.user, name=name, parent_code=parent, level=level, reason=plan.change_reason()
                    )
                    created.append(unit)
                    chosen.append((field, word, unit.code))
                remember_values(group, self.kind, chosen, request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return
        if created:
            messages.success(
                request,
                ngettext("New unit created: %(units)s.", "New units created: %(units)s.", len(created))
                % {"units": ", ".join(f"{u.name} ({u.code})" for u in created)},
            )
