from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from varna.core.forms import DateInput, VersionedModelForm, VersionField, limit_classification
from varna.core.links import KeepHiddenLinksMixin, LinkedRecordsField
from varna.documents.models import Document
from varna.organisation import mandate
from varna.organisation.forms import ScopedFormMixin
from varna.organisation.models import OrgUnit, Person

from .models import Analysis, Assessment, Dependency, Measure, Risk, VitalFunction, matrix_for


class AnalysisForm(ScopedFormMixin, VersionedModelForm):
    class Meta:
        model = Analysis
        fields = [
            "title",
            "kind",
            "unit",
            "election_year",
            "status",
            "started_on",
            "completed_on",
            "reported_on",
            "scope",
            "method",
            "participants",
            "sources",
            "scoping",
            "classification",
            "classification_ground",
        ]
        widgets = {
            "started_on": DateInput(),
            "completed_on": DateInput(),
            "reported_on": DateInput(),
            "scope": forms.Textarea(attrs={"rows": 3}),
            "method": forms.Textarea(attrs={"rows": 3}),
            "participants": forms.Textarea(attrs={"rows": 3}),
            "sources": forms.Textarea(attrs={"rows": 3}),
            "scoping": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        periods = mandate.around(timezone.localdate(), before=1, after=1)
        self.fields["election_year"] = forms.TypedChoiceField(
            label=_("mandate period"),
            choices=[("", "–")] + [(p.election_year, p.label) for p in periods],
            coerce=int,
            empty_value=None,
            required=False,
            help_text=_("For an RSA: the mandate period it is made for."),
        )
        limit_classification(self, self.user)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == Analysis.Kind.RVA and not cleaned.get("election_year"):
            self.add_error("election_year", _("An RSA is made for a mandate period: choose one."))
        return cleaned

    def save(self, commit=True):
        self.instance.group = self.group
        return super().save(commit)


class RiskForm(KeepHiddenLinksMixin, ScopedFormMixin, VersionedModelForm):
    class Meta:
        model = Risk
        fields = [
            "title",
            "kind",
            "category",
            "analysis",
            "unit",
            "owner",
            "description",
            "cause",
            "affected_units",
            "vital_functions",
            "status",
            "classification",
            "classification_ground",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4}), "cause": forms.Textarea(attrs={"rows": 3})}
        field_classes = {"affected_units": LinkedRecordsField, "vital_functions": LinkedRecordsField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["analysis"].queryset = Analysis.objects.restrict(self.user).filter(group=self.group)
        self.fields["owner"].queryset = Person.objects.restrict(self.user).filter(group=self.group)
        self.fields["affected_units"].queryset = OrgUnit.objects.restrict(self.user).filter(group=self.group)
        self.fields["affected_units"].widget.attrs["size"] = 6
        self.fields["vital_functions"].queryset = VitalFunction.objects.restrict(self.user).filter(group=self.group)
        # A risk is accepted only through a sign-off by the role the profile names.
        if self.instance.status == Risk.State.ACCEPTED:
            self.fields["status"].disabled = True
            self.fields["status"].help_text = _("End the acceptance on the risk's page to change its status.")
        else:
            self.fields["status"].choices = [c for c in self.fields["status"].choices if c[0] != Risk.State.ACCEPTED]
        limit_classification(self, self.user)
        self.keep_hidden_links()

    def save(self, commit=True):
        self.instance.group = self.group
        return super().save(commit)


class AssessmentForm(forms.Form):
    """Likelihood and a consequence per dimension of the profile, life and health first (AL-1)."""

    kind = forms.ChoiceField(label=_("What is assessed"), choices=Assessment.Kind.choices)
    assessed_on = forms.DateField(label=_("assessed on"), widget=DateInput(), initial=timezone.localdate)
    likelihood = forms.TypedChoiceField(label=_("likelihood"), coerce=int)
    reasoning = forms.CharField(label=_("reasoning"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    expected_version = VersionField()

    def __init__(self, *args, risk: Risk, **kwargs):
        super().__init__(*args, **kwargs)
        self.matrix = matrix_for(risk.group)
        self.fields["expected_version"].initial = risk.version
        self.fields["likelihood"].choices = [("", "–")] + [
            (s["level"], f"{s['level']} – {self.matrix.likelihood_name(s['level'])}") for s in self.matrix.likelihood
        ]
        consequence_choices = [("", _("not assessed"))] + [
            (s["level"], f"{s['level']} – {self.matrix.consequence_name(s['level'])}") for s in self.matrix.consequence
        ]
        self.dimension_keys = self.matrix.dimension_keys()
        for key in self.dimension_keys:
            self.fields[f"c_{key}"] = forms.TypedChoiceField(
                label=self.matrix.dimension_name(key),
                choices=consequence_choices,
                coerce=int,
                empty_value=None,
                required=False,
            )
        latest = risk.assessments.filter(kind=Assessment.Kind.CURRENT).order_by("-assessed_on", "-pk").first()
        if latest and not self.is_bound:
            self.fields["likelihood"].initial = latest.likelihood
            for key, value in latest.consequences.items():
                if f"c_{key}" in self.fields:
                    self.fields[f"c_{key}"].initial = value

    def consequence_fields(self):
        return [self[f"c_{key}"] for key in self.dimension_keys]

    def consequences(self) -> dict[str, int]:
        return {
            key: self.cleaned_data.get(f"c_{key}") for key in self.dimension_keys if self.cleaned_data.get(f"c_{key}")
        }

    def clean_assessed_on(self):
        day = self.cleaned_data["assessed_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("An assessment cannot be dated in the future."))
        return day

    def clean(self):
        cleaned = super().clean()
        if not any(cleaned.get(f"c_{key}") for key in self.dimension_keys):
            raise forms.ValidationError(_("Assess the consequence in at least one dimension."))
        return cleaned


class MeasureForm(KeepHiddenLinksMixin, ScopedFormMixin, VersionedModelForm):
    class Meta:
        model = Measure
        fields = [
            "title",
            "description",
            "unit",
            "owner",
            "due_date",
            "cost_estimate",
            "status",
            "source",
            "risks",
            "document",
            "openness",
            "openness_note",
            "classification",
            "classification_ground",
        ]
        widgets = {
            "due_date": DateInput(),
            "description": forms.Textarea(attrs={"rows": 4}),
            "openness_note": forms.Textarea(attrs={"rows": 2}),
        }
        field_classes = {"risks": LinkedRecordsField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = Person.objects.restrict(self.user).filter(group=self.group)
        linked = self.instance.risks.values("pk") if self.instance.pk else Risk.objects.none().values("pk")
        self.fields["risks"].queryset = (
            Risk.objects.restrict(self.user)
            .filter(group=self.group)
            .filter(~Q(status=Risk.State.CLOSED) | Q(pk__in=linked))
        )
        self.fields["risks"].widget.attrs["size"] = 6
        self.fields["document"].queryset = Document.objects.restrict(self.user).filter(group=self.group)
        self.fields["cost_estimate"].widget.attrs.update({"min": 0, "step": 1000})
        # Done is reached through "Mark as done", which prompts re-assessment of the risks.
        self.fields["status"].choices = [c for c in self.fields["status"].choices if c[0] != Measure.State.DONE]
        if self.instance.pk and self.instance.status == Measure.State.DONE:
            del self.fields["status"]
        limit_classification(self, self.user)
        self.keep_hidden_links()

    def clean_cost_estimate(self):
        cost = self.cleaned_data.get("cost_estimate")
        if cost is not None and cost < 0:
            raise forms.ValidationError(_("A cost cannot be negative."))
        return cost

    def save(self, commit=True):
        self.instance.group = self.group
        return super().save(commit)


class AcceptanceForm(forms.Form):
    reason = forms.CharField(
        label=_("reason"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Why the risk can be accepted at its level, and what would change the judgement."),
    )
    expires_on = forms.DateField(
        label=_("valid until"), widget=DateInput(), help_text=_("The risk is reassessed when the acceptance ends.")
    )
    expected_version = VersionField()


class VitalFunctionForm(ScopedFormMixin, VersionedModelForm):
    class Meta:
        model = VitalFunction
        fields = [
            "name",
            "unit",
            "description",
            "acceptable_level",
            "max_outage_hours",
            "classification",
            "classification_ground",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "acceptable_level": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_classification(self, self.user)

    def save(self, commit=True):
        self.instance.group = self.group
        return super().save(commit)


class DependencyForm(forms.ModelForm):
    class Meta:
        model = Dependency
        fields = ["kind", "name", "depends_on", "tolerable_outage_hours", "reserve"]
        widgets = {"reserve": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, function, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.function = function
        self.fields["depends_on"].queryset = (
            VitalFunction.objects.restrict(user).filter(group=function.group).exclude(pk=function.pk)
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == Dependency.Kind.FUNCTION and not cleaned.get("depends_on"):
            self.add_error("depends_on", _("Choose the vital function it depends on."))
        if cleaned.get("kind") != Dependency.Kind.FUNCTION:
            cleaned["depends_on"] = None
            if not (cleaned.get("name") or "").strip():
                self.add_error("name", _("Name what the function depends on (a grid, a system, a supplier)."))
        return cleaned

    def save(self, commit=True):
        self.instance.function = self.function
        return super().save(commit)


class CapabilityForm(forms.Form):
    event_type = forms.CharField(label=_("event type"), max_length=200, help_text=_("E.g. long power cut, IT attack."))
    level = forms.TypedChoiceField(label=_("capability"), coerce=int)
    reasons = forms.CharField(label=_("reasons"), widget=forms.Textarea(attrs={"rows": 3}))
    assessed_on = forms.DateField(label=_("assessed on"), widget=DateInput(), initial=timezone.localdate)

    def __init__(self, *args, matrix, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [("", "–")] + [
            (s["level"], matrix.capability_name(s["level"])) for s in matrix.capability
        ]

    def clean_assessed_on(self):
        day = self.cleaned_data["assessed_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("An assessment cannot be dated in the future."))
        return day
