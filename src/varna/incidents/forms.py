from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from varna.core.forms import VersionedModelForm, limit_classification
from varna.core.links import KeepHiddenLinksMixin
from varna.insurance.models import InsurancePolicy
from varna.organisation.forms import ScopedFormMixin
from varna.organisation.models import OrgUnit, valid_on
from varna.risks.models import Risk

from . import photos
from .models import Category, CostItem, Incident, InvolvedPerson


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%Y-%m-%dT%H:%M")
        super().__init__(**kwargs)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to photos.MAX_PHOTOS pictures, each recognised and stripped of metadata (photos.py)."""

    widget = MultipleFileInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.attrs["accept"] = photos.ACCEPT

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > photos.MAX_PHOTOS:
            raise forms.ValidationError(_("At most %(n)s photos at a time.") % {"n": photos.MAX_PHOTOS})
        cleaned, errors = [], []
        for uploaded in files:
            try:
                cleaned.append(photos.clean_photo(uploaded))
            except forms.ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise forms.ValidationError(errors)
        return cleaned


class ReportForm(forms.ModelForm):
    """The short report any employee fills in on a phone: what, when, where, what was done."""

    photos = PhotosField(label=_("Photos"), help_text=_("JPEG, PNG or WebP. Position and camera data are removed."))

    class Meta:
        model = Incident
        fields = [
            "category",
            "occurred_at",
            "unit",
            "place",
            "latitude",
            "longitude",
            "description",
            "immediate_actions",
        ]
        widgets = {
            "occurred_at": DateTimeInput(),
            "description": forms.Textarea(attrs={"rows": 4}),
            "immediate_actions": forms.Textarea(attrs={"rows": 2}),
            "latitude": forms.HiddenInput(),
            "longitude": forms.HiddenInput(),
        }
        labels = {"unit": _("Unit where it happened")}

    def __init__(self, *args, group, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.group = group
        # Anyone employed in the group reports for any of its units: the incident goes to the
        # unit's responders whether or not the reporter may read that unit's register.
        self.fields["unit"].queryset = OrgUnit.objects.filter(group=group).filter(valid_on()).order_by("path")
        if person is not None and not self.initial.get("unit"):
            self.initial["unit"] = person.unit_id
        self.fields["occurred_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        self.fields["category"].choices = [("", "–"), *Category.choices]
        self.fields["description"].widget.attrs["placeholder"] = _("What happened? Who or what was affected?")

    def save(self, commit=True):
        self.instance.group = self.group
        return super().save(commit)


class InvestigationForm(KeepHiddenLinksMixin, ScopedFormMixin, VersionedModelForm):
    class Meta:
        model = Incident
        fields = [
            "category",
            "occurred_at",
            "unit",
            "place",
            "description",
            "immediate_actions",
            "status",
            "investigation",
            "fire_deliberate",
            "fire_alarm_detected",
            "police_report_number",
            "insurance_policy",
            "insurance_claim_number",
            "authorities_notified",
            "no_damage_cost",
            "deductible",
            "internal_deductible",
            "insurer_paid",
            "classification",
            "classification_ground",
        ]
        widgets = {
            "occurred_at": DateTimeInput(),
            "description": forms.Textarea(attrs={"rows": 4}),
            "immediate_actions": forms.Textarea(attrs={"rows": 2}),
            "investigation": forms.Textarea(attrs={"rows": 4}),
            "authorities_notified": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        unknown = [("", _("Not known")), ("true", _("Yes")), ("false", _("No"))]
        for name in ("fire_deliberate", "fire_alarm_detected"):
            self.fields[name].widget = forms.Select(choices=unknown)
        for name in ("deductible", "internal_deductible", "insurer_paid"):
            self.fields[name].widget.attrs.update({"min": 0, "step": 100})
        # The policies the investigator may read; a policy already linked that they may not read
        # stays linked, masked (a coordinator who reads it can change it).
        self.fields["insurance_policy"].queryset = (
            InsurancePolicy.objects.restrict(self.user).filter(group=self.group).order_by("name")
        )
        limit_classification(self, self.user)
        self.keep_hidden_links()

    def clean(self):
        cleaned = super().clean()
        for name in ("deductible", "internal_deductible", "insurer_paid"):
            value = cleaned.get(name)
            if value is not None and value < 0:
                self.add_error(name, _("An amount cannot be negative."))
        if cleaned.get("status") == Incident.State.CLOSED and self.instance.pk:
            unfinished = self.instance.cost_items.filter(final__isnull=True).count()
            if unfinished:
                self.add_error(
                    "status",
                    _("%(n)s cost items have no final amount yet. Give the final amounts before closing.")
                    % {"n": unfinished},
                )
        return cleaned

    def save(self, commit=True):
        if self.instance.status == Incident.State.CLOSED and not self.instance.closed_on:
            self.instance.closed_on = timezone.localdate()
        elif self.instance.status != Incident.State.CLOSED:
            self.instance.closed_on = None
        return super().save(commit)


class CostItemForm(VersionedModelForm):
    class Meta:
        model = CostItem
        fields = ["kind", "description", "estimated", "final"]

    def __init__(self, *args, user=None, group=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("estimated", "final"):
            self.fields[name].widget.attrs.update({"min": 0, "step": 100})

    def clean(self):
        cleaned = super().clean()
        for name in ("estimated", "final"):
            value = cleaned.get(name)
            if value is not None and value < 0:
                self.add_error(name, _("An amount cannot be negative."))
        if cleaned.get("estimated") is None and cleaned.get("final") is None and not self.errors:
            raise forms.ValidationError(_("Give an estimated or a final amount."))
        return cleaned


class PersonForm(forms.ModelForm):
    class Meta:
        model = InvolvedPerson
        fields = ["role", "name", "details"]
        widgets = {"details": forms.Textarea(attrs={"rows": 2})}


class PhotoForm(forms.Form):
    photos = PhotosField(label=_("Photos"), required=True)


class RiskLinkForm(forms.Form):
    risk = forms.ModelChoiceField(label=_("Risk"), queryset=Risk.objects.none())

    def __init__(self, *args, user, incident, **kwargs):
        super().__init__(*args, **kwargs)
        # The risks of the incident's unit and the units above it: where a risk it touches is kept.
        chain = [*incident.unit.ancestors().values_list("pk", flat=True), incident.unit_id]
        self.fields["risk"].queryset = (
            Risk.objects.restrict(user).filter(group=incident.group_id, unit__in=chain).active().order_by("title")
        )
