from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from varna.core.forms import DateInput, VersionedModelForm, limit_classification
from varna.core.i18n import tr
from varna.core.links import KeepHiddenLinksMixin, LinkedRecordsField

from .models import Body, Contract, ExternalParty, OrgUnit, Person, RoleAssignment


def _validity_clean(cleaned):
    start, end = cleaned.get("valid_from"), cleaned.get("valid_to")
    if start and end and end < start:
        raise ValidationError({"valid_to": _("The end date cannot be before the start date.")})


class ScopedFormMixin:
    """Unit choices are limited to units where the user holds `unit_action` (and their subtrees)."""

    unit_action = "change"
    unit_fields = ("unit",)

    def __init__(self, *args, user, group, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.group = user, group
        for name in self.unit_fields:
            if name in self.fields:
                self.fields[name].queryset = OrgUnit.objects.restrict(user, self.unit_action).filter(group=group)


class OrgUnitForm(KeepHiddenLinksMixin, ScopedFormMixin, VersionedModelForm):
    unit_action = "manage"
    unit_fields = ("parent",)

    class Meta:
        model = OrgUnit
        fields = ["name", "code", "kind", "parent", "responsible_body", "valid_from", "valid_to"]
        widgets = {"valid_from": DateInput(), "valid_to": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        profile = self.group.profile
        self.fields["kind"] = forms.ChoiceField(
            label=_("level"), choices=[(k, tr(v["name"])) for k, v in profile.unit_levels.items()]
        )
        self.fields["responsible_body"].queryset = Body.objects.filter(group=self.group)
        if self.instance.pk and self.instance.parent_id is None:
            # The top of the group has no parent and keeps none.
            self.fields["parent"].disabled = True
            self.fields["parent"].required = False
        else:
            self.fields["parent"].required = True
        self.keep_hidden_links()

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        clash = OrgUnit.objects.filter(group=self.group, code__iexact=code).exclude(pk=self.instance.pk)
        if clash.exists():
            raise ValidationError(_("Another unit already has the code %(code)s.") % {"code": code})
        return code

    def clean_parent(self):
        parent = self.cleaned_data.get("parent")
        if parent and self.instance.pk and parent.path.startswith(self.instance.path):
            raise ValidationError(_("A unit cannot be moved under itself or one of its own units."))
        return parent

    def clean(self):
        cleaned = super().clean()
        _validity_clean(cleaned)
        return cleaned

    def save(self, commit=True):
        self.instance.group = self.group
        return super().save(commit)


class PersonForm(ScopedFormMixin, VersionedModelForm):
    class Meta:
        model = Person
        fields = [
            "first_name",
            "last_name",
            "title",
            "unit",
            "employee_number",
            "email",
            "phone",
            "employment_start",
            "employment_end",
        ]
        widgets = {"employment_start": DateInput(), "employment_end": DateInput()}

    def clean_employee_number(self):
        number = self.cleaned_data["employee_number"].strip()
        if (
            number
            and Person.objects.filter(group=self.group, employee_number=number).exclude(pk=self.instance.pk).exists()
        ):
            raise ValidationError(_("Another person already has employee number %(number)s.") % {"number": number})
        return number

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("employment_start"), cleaned.get("employment_end")
        if start and end and end < start:
            self.add_error("employment_end", _("The end date cannot be before the start date."))
        return cleaned

    def save(self, commit=True):
        self.instance.group = self.group
        return super().save(commit)


class RoleAssignmentForm(KeepHiddenLinksMixin, ScopedFormMixin, VersionedModelForm):
    unit_action = "manage"

    class Meta:
        model = RoleAssignment
        fields = ["person", "role", "unit", "valid_from", "valid_to", "note"]
        widgets = {"valid_from": DateInput(), "valid_to": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        profile = self.group.profile
        self.fields["role"] = forms.ChoiceField(
            label=_("role"), choices=[("", "---------")] + [(k, tr(v["name"])) for k, v in profile.role_types.items()]
        )
        self.fields["person"].queryset = Person.objects.restrict(self.user, "view").filter(group=self.group)
        self.keep_hidden_links()

    def clean(self):
        cleaned = super().clean()
        _validity_clean(cleaned)
        person, role, unit = cleaned.get("person"), cleaned.get("role"), cleaned.get("unit")
        if person and role and unit:
            overlapping = RoleAssignment.objects.filter(person=person, role=role, unit=unit).exclude(
                pk=self.instance.pk
            )
            start, end = cleaned.get("valid_from"), cleaned.get("valid_to")
            if start:
                overlapping = overlapping.exclude(valid_to__lt=start)
            if end:
                overlapping = overlapping.exclude(valid_from__gt=end)
            if overlapping.exists():
                raise ValidationError(
                    _("%(person)s already has this role on %(unit)s for an overlapping period.")
                    % {"person": person, "unit": unit}
                )
        return cleaned


class ExternalPartyForm(ScopedFormMixin, VersionedModelForm):
    class Meta:
        model = ExternalParty
        fields = [
            "name",
            "kind",
            "unit",
            "org_number",
            "contact_name",
            "contact_email",
            "contact_phone",
            "classification",
            "classification_ground",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_classification(self, self.user)

    def clean_org_number(self):
        import re

        number = self.cleaned_data["org_number"].strip()
        if number and not re.fullmatch(r"\d{6}-?\d{4}", number):
            raise ValidationError(_("Write the organisation number as NNNNNN-NNNN."))
        if number and "-" not in number:
            number = f"{number[:6]}-{number[6:]}"
        return number

    def save(self, commit=True):
        self.instance.group = self.group
        return super().save(commit)


class ContractForm(KeepHiddenLinksMixin, ScopedFormMixin, VersionedModelForm):
    unit_fields = ("units",)

    class Meta:
        model = Contract
        fields = ["title", "reference", "units", "valid_from", "valid_to"]
        widgets = {"valid_from": DateInput(), "valid_to": DateInput(), "units": forms.CheckboxSelectMultiple}
        field_classes = {"units": LinkedRecordsField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.keep_hidden_links()

    def clean(self):
        cleaned = super().clean()
        _validity_clean(cleaned)
        return cleaned
