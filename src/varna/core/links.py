"""Links between records, seen through the reader's scope.

A linked record is named only to someone who may read it; to anyone else it is the same masked
text (`HIDDEN_RECORD`) wherever it would appear (history, forms), whether it is out of their
scope or classified, so the mask tells nothing about why. A form never drops a link its user
cannot see: it offers only what the user may link and puts the rest back when it saves.
"""

from functools import cache

from django import forms
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .permissions import get_access

HIDDEN_RECORD = _("A record you may not see")
DELETED_RECORD = _("A deleted record")
CLASSIFIED_IN_MESSAGE = _("a classified record")
HIDDEN_IN_MESSAGE = _("a record you may not see")

# The organisation itself is named on every page (a unit, its people, its bodies): these are
# shown as the detail pages show them, whoever reads. Every other record with a unit is named
# only to those who may read it.
NAMED_TO_EVERYONE = {"organisation.orgunit", "organisation.person", "organisation.body", "organisation.municipalgroup"}


@cache
def is_scoped(model) -> bool:
    """Whether records of `model` are read through a scope (they have a unit and `restrict`)."""
    if model._meta.label_lower in NAMED_TO_EVERYONE:
        return False
    has_unit = any(f.name == "unit" and f.many_to_one for f in model._meta.get_fields())
    return has_unit and hasattr(model._default_manager.all(), "restrict")


def may_name(access, record) -> bool:
    """Whether the reader may see this record's name (its unit must be loaded if it has one)."""
    return not is_scoped(type(record)) or access.may_read(record)


def name_in_message(record, recipient) -> str:
    """The record's name as a stored text to `recipient` (a user, or None) may carry it: a
    notification, its e-mail, a task title. Stored texts are listed and e-mailed without a scope
    check or an access log, so a classified record is never named in one, and any other record
    only to a recipient who may read it; the link leads to the record, which checks and logs."""
    if getattr(record, "is_classified", False):
        return str(CLASSIFIED_IN_MESSAGE)
    if recipient is None or not may_name(get_access(recipient), record):
        return str(HIDDEN_IN_MESSAGE)
    return str(record)


def names(access, model, pks) -> dict:
    """The display name of each record of `model` among `pks`, masked where the reader may not
    read it, in one query. Records that no longer exist are missing from the answer."""
    pks = {pk for pk in pks if pk is not None}
    if not pks:
        return {}
    records = model._base_manager.filter(pk__in=pks)
    if is_scoped(model):
        records = records.select_related("unit")
    return {r.pk: str(r) if may_name(access, r) else str(HIDDEN_RECORD) for r in records}


class LinkedRecordsField(forms.ModelMultipleChoiceField):
    """A multi-select of records whose ids are checked as the model field checks them before
    the database sees them: an id that is not a number or is out of the column's range (e.g.
    99999999999999999999) is refused like an unknown one. A single select gets this from
    Django's exact lookup; the IN lookup of a multi-select would instead fail in the database
    (SQLite: OverflowError; PostgreSQL: a bigint compared with a numeric)."""

    def _check_values(self, value):
        key = self.to_field_name or "pk"
        opts = self.queryset.model._meta
        model_field = opts.pk if key == "pk" else opts.get_field(key)
        for pk in value:
            try:
                # The field's validators carry the database's integer range.
                model_field.run_validators(model_field.to_python(pk))
            except ValidationError:
                if isinstance(pk, str) and pk.strip().lstrip("-").isdigit():
                    raise ValidationError(
                        self.error_messages["invalid_choice"], code="invalid_choice", params={"value": pk}
                    ) from None
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                ) from None
        return super()._check_values(value)


def kept_links_text(n: int) -> str:
    return ngettext(
        "%(n)s link is not shown (outside what you may see); it is kept.",
        "%(n)s links are not shown (outside what you may see); they are kept.",
        n,
    ) % {"n": n}


KEPT_LINK_TEXT = _("Linked to a record you may not see: it is kept, and cannot be changed here.")


class KeepHiddenLinksMixin:
    """For a model form whose record links to scoped records (foreign keys and many-to-many).

    The form's `__init__` narrows each link field's queryset to what its user may link, then
    calls `self.keep_hidden_links()`. From then on:
    - a many-to-many field keeps the links it does not offer: they are put back when the form
      saves, and the field says how many there are (`kept_links`);
    - a foreign key whose current record is not offered is offered too if the user may see it
      (keeping it is no change), else shown masked and disabled: kept, not changeable here.
    Multi-selects must be `LinkedRecordsField`s (Meta.field_classes), so no id reaches the
    database unchecked."""

    def keep_hidden_links(self):
        access = get_access(self.user)
        model_fields = {f.name: f for f in self._meta.model._meta.get_fields()}
        self.kept_links: dict[str, int] = {}
        self._many_links: list[str] = []
        for name, field in self.fields.items():
            model_field = model_fields.get(name)
            if model_field is None or not isinstance(field, forms.ModelChoiceField):
                continue
            if isinstance(field, forms.ModelMultipleChoiceField):
                if not isinstance(field, LinkedRecordsField):
                    raise ImproperlyConfigured(
                        f"{type(self).__name__}.{name} must be a LinkedRecordsField (Meta.field_classes)."
                    )
                if self.instance.pk is not None and model_field.many_to_many and not model_field.auto_created:
                    self._keep_many(name, field)
            elif self.instance.pk is not None and model_field.many_to_one:
                self._keep_one(access, name, field, model_field)

    def _hidden_pks(self, name, field) -> set:
        """The records linked through `name` that the field does not offer."""
        linked = getattr(self.instance, name)
        return set(linked.exclude(pk__in=field.queryset.values("pk")).values_list("pk", flat=True))

    def _keep_many(self, name, field):
        self._many_links.append(name)
        n = len(self._hidden_pks(name, field))
        if not n:
            return
        self.kept_links[name] = n
        field.help_text = " ".join(t for t in (str(field.help_text), kept_links_text(n)) if t)
        field.required = False  # the kept links are links too

    def _keep_one(self, access, name, field, model_field):
        current = getattr(self.instance, model_field.attname)
        if current is None or field.queryset.filter(pk=current).exists():
            return
        model = field.queryset.model
        record = model._base_manager.filter(pk=current)
        if is_scoped(model):
            record = record.select_related("unit")
        record = record.first()
        if record is None:
            return
        if may_name(access, record):
            field.queryset = field.queryset | model._base_manager.filter(pk=current)
            return
        # Offered as its only choice and masked: the pk round-trips, the name never shows.
        field.queryset = model._base_manager.filter(pk=current)
        field.label_from_instance = lambda obj: str(HIDDEN_RECORD)
        field.empty_label = None
        field.disabled = True
        field.help_text = KEPT_LINK_TEXT

    def _post_clean(self):
        if not hasattr(self, "kept_links"):
            raise ImproperlyConfigured(f"{type(self).__name__}.__init__ must end with self.keep_hidden_links().")
        super()._post_clean()

    def _save_m2m(self):
        # Read now, not when the form was opened: a link added meanwhile is kept too.
        for name in self._many_links:
            if name in self.cleaned_data:
                hidden = self._hidden_pks(name, self.fields[name])
                self.cleaned_data[name] = [*self.cleaned_data[name], *hidden]
        super()._save_m2m()
