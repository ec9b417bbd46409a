from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from varna.core.forms import DateInput, VersionedModelForm, limit_classification
from varna.core.links import HIDDEN_RECORD, KEPT_LINK_TEXT, KeepHiddenLinksMixin, LinkedRecordsField
from varna.organisation.forms import ScopedFormMixin
from varna.organisation.models import OrgUnit, Person

from .models import Building, Site, normalise_postal_code


class SiteForm(KeepHiddenLinksMixin, ScopedFormMixin, VersionedModelForm):
    class Meta:
        model = Site
        fields = [
            "name",
            "code",
            "kind",
            "unit",
            "using_units",
            "address",
            "postal_code",
            "town",
            "property_designation",
            "latitude",
            "longitude",
            "contact",
            "classification",
            "classification_ground",
            "valid_from",
            "valid_to",
            "notes",
        ]
        widgets = {
            "valid_from": DateInput(),
            "valid_to": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "postal_code": forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
            "address": forms.TextInput(attrs={"autocomplete": "street-address"}),
        }
        field_classes = {"using_units": LinkedRecordsField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["using_units"].queryset = OrgUnit.objects.filter(group=self.group).order_by("path")
        self.fields["using_units"].widget.attrs["size"] = 8
        self.fields["contact"].queryset = (
            Person.objects.restrict(self.user).filter(group=self.group).order_by("last_name", "first_name")
        )
        for name in ("latitude", "longitude"):
            self.fields[name].widget.attrs.update({"step": "0.000001", "inputmode": "decimal"})
        limit_classification(self, self.user)
        self._keep_hidden_contact()  # before the mixin, which names people to everyone
        self.keep_hidden_links()

    def _keep_hidden_contact(self):
        """People are read within a scope here: a contact outside the user's is kept, masked."""
        field = self.fields["contact"]
        current = self.instance.contact_id
        if current is None or field.queryset.filter(pk=current).exists():
            return
        field.queryset = Person.objects.filter(pk=current)
        field.label_from_instance = lambda obj: str(HIDDEN_RECORD)
        field.empty_label = None
        field.disabled = True
        field.help_text = KEPT_LINK_TEXT

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        clash = Site.objects.filter(group=self.group, code__iexact=code).exclude(pk=self.instance.pk)
        if clash.exists():
            raise ValidationError(_("Another site already has the code %(code)s.") % {"code": code})
        return code

    def clean_postal_code(self):
        return normalise_postal_code(self.cleaned_data.get("postal_code", ""))

    def save(self, commit=True):
        self.instance.group = self.group
        return super().save(commit)


class BuildingForm(VersionedModelForm):
    class Meta:
        model = Building
        fields = [
            "name",
            "code",
            "year_built",
            "floor_area",
            "address",
            "classification",
            "classification_ground",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, group=None, site=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if site is not None:
            self.instance.site = site
        self.fields["floor_area"].widget.attrs.update({"min": 0, "step": "0.1"})
        limit_classification(self, user)

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        clash = Building.objects.filter(site=self.instance.site, code__iexact=code).exclude(pk=self.instance.pk)
        if clash.exists():
            raise ValidationError(_("Another building on this site already has the code %(code)s.") % {"code": code})
        return code
