from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from varna.core.forms import DateInput, VersionedModelForm
from varna.core.links import KeepHiddenLinksMixin, LinkedRecordsField
from varna.organisation.forms import ScopedFormMixin
from varna.organisation.models import OrgUnit

from .models import Cover, InsurancePolicy, InsuranceReview


class PolicyForm(KeepHiddenLinksMixin, ScopedFormMixin, VersionedModelForm):
    class Meta:
        model = InsurancePolicy
        fields = [
            "name",
            "insurer",
            "municipally_owned_insurer",
            "policy_number",
            "unit",
            "insured_units",
            "insured_objects",
            "premium",
            "valid_from",
            "valid_to",
            "notes",
        ]
        widgets = {
            "valid_from": DateInput(),
            "valid_to": DateInput(),
            "insured_objects": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        field_classes = {"insured_units": LinkedRecordsField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The units insured: the administrations and companies (the top levels); a policy that
        # insures everything names the top of the group.
        self.fields["insured_units"].queryset = OrgUnit.objects.filter(group=self.group, depth__lte=2).order_by("path")
        self.fields["insured_units"].widget.attrs["size"] = 8
        self.fields["premium"].widget.attrs.update({"min": 0, "step": 1000})
        self.keep_hidden_links()

    def save(self, commit=True):
        self.instance.group = self.group
        return super().save(commit)


class CoverForm(forms.ModelForm):
    class Meta:
        model = Cover
        fields = ["kind", "sum_insured", "deductible", "conditions"]

    def clean(self):
        cleaned = super().clean()
        for name in ("sum_insured", "deductible"):
            value = cleaned.get(name)
            if value is not None and value < 0:
                self.add_error(name, _("An amount cannot be negative."))
        return cleaned


class ReviewForm(VersionedModelForm):
    class Meta:
        model = InsuranceReview
        fields = ["reviewed_on", "record_number", "conclusion"]
        widgets = {"reviewed_on": DateInput(), "conclusion": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, user=None, group=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewed_on"].required = True
        self.fields["conclusion"].required = True

    def clean_reviewed_on(self):
        day = self.cleaned_data["reviewed_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("A review cannot be dated in the future."))
        return day
