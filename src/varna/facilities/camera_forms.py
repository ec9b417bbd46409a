from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from varna.core.forms import DateInput, VersionedModelForm, limit_classification
from varna.core.links import HIDDEN_RECORD, KEPT_LINK_TEXT, KeepHiddenLinksMixin, LinkedRecordsField
from varna.organisation.models import Person

from .models import Building, Camera, CameraSurveillance, InterestAssessment, Site


def _people(user, group):
    return Person.objects.restrict(user).filter(group=group).order_by("last_name", "first_name")


def keep_hidden_person(form, name):
    """People are read within a scope: a linked person outside the user's is kept, masked."""
    field = form.fields[name]
    current = getattr(form.instance, f"{name}_id")
    if current is None or field.queryset.filter(pk=current).exists():
        return
    field.queryset = Person.objects.filter(pk=current)
    field.label_from_instance = lambda obj: str(HIDDEN_RECORD)
    field.empty_label = None
    field.disabled = True
    field.help_text = KEPT_LINK_TEXT


def building_choices(user, sites):
    return Building.objects.restrict(user).filter(site__in=sites).select_related("site").order_by("site__name", "code")


def changeable_sites(user, group):
    return Site.objects.restrict(user, "change").filter(group=group).order_by("name", "pk")


def classified_choices(form) -> list:
    """The classified buildings a form names in its choices: their names are a read to log
    (a building has no unit of its own, so the access log's middleware cannot tell)."""
    return [b for b in form.fields["building"].queryset if b.is_classified]


class CameraSurveillanceForm(KeepHiddenLinksMixin, VersionedModelForm):
    class Meta:
        model = CameraSurveillance
        fields = [
            "name",
            "code",
            "site",
            "building",
            "purpose_crime",
            "purpose_order",
            "purpose_accidents",
            "purpose_other",
            "purpose",
            "area_covered",
            "live_view",
            "recording",
            "sound_recorded",
            "masking",
            "reduced_resolution",
            "privacy_other",
            "retention_days",
            "retention_reason",
            "viewer_roles",
            "viewers",
            "signage_text",
            "signage_places",
            "signs_up",
            "responsible",
            "started",
            "ended",
            "dpia_required",
            "dpia_done",
            "classification",
            "classification_ground",
            "notes",
        ]
        widgets = {
            "started": DateInput(),
            "ended": DateInput(),
            "dpia_done": DateInput(),
            "purpose": forms.Textarea(attrs={"rows": 2}),
            "area_covered": forms.Textarea(attrs={"rows": 2}),
            "retention_reason": forms.Textarea(attrs={"rows": 2}),
            "viewer_roles": forms.Textarea(attrs={"rows": 2}),
            "signage_text": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        field_classes = {"viewers": LinkedRecordsField}

    def __init__(self, *args, user, group, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.group = user, group
        sites = changeable_sites(user, group)
        if self.instance.pk:
            # Moving a surveillance to another site is not offered: its cameras sit on this one.
            sites = sites.filter(pk=self.instance.site_id)
            self.fields["site"].disabled = True
        self.fields["site"].queryset = sites
        self.fields["building"].queryset = building_choices(user, sites)
        self.fields["building"].label_from_instance = lambda b: f"{b.site.name}: {b.name}"
        self.fields["retention_days"].widget.attrs.update({"min": 0, "max": 3650})
        self.fields["viewers"].queryset = _people(user, group)
        self.fields["viewers"].widget.attrs["size"] = 6
        self.fields["responsible"].queryset = _people(user, group)
        limit_classification(self, user)
        keep_hidden_person(self, "responsible")
        self.keep_hidden_links()

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        clash = CameraSurveillance.objects.filter(group=self.group, code__iexact=code).exclude(pk=self.instance.pk)
        if clash.exists():
            raise ValidationError(_("Another camera surveillance already has the code %(code)s.") % {"code": code})
        return code

    def save(self, commit=True):
        self.instance.group = self.group
        return super().save(commit)


class CameraForm(VersionedModelForm):
    class Meta:
        model = Camera
        fields = ["identifier", "placement", "building", "retention_days", "retention_reason"]
        widgets = {"retention_reason": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, user, surveillance, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.surveillance = surveillance
        self.fields["building"].queryset = building_choices(user, [surveillance.site_id])
        self.fields["retention_days"].widget.attrs.update({"min": 0, "max": 3650})

    def clean_identifier(self):
        identifier = self.cleaned_data["identifier"].strip()
        clash = Camera.objects.filter(surveillance=self.instance.surveillance, identifier__iexact=identifier)
        if clash.exclude(pk=self.instance.pk).exists():
            raise ValidationError(
                _("Another camera in this surveillance already has the identifier %(id)s.") % {"id": identifier}
            )
        return identifier


class InterestAssessmentForm(forms.ModelForm):
    class Meta:
        model = InterestAssessment
        fields = ["date", "need", "intrusion", "conclusion", "conditions", "decided_by"]
        widgets = {
            "date": DateInput(),
            "need": forms.Textarea(attrs={"rows": 4}),
            "intrusion": forms.Textarea(attrs={"rows": 4}),
            "conditions": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "need": _("The purpose and why camera surveillance is needed for it; other measures tried."),
            "intrusion": _("The area covered, the technique, who is filmed and how, and the privacy features."),
        }

    def __init__(self, *args, user, surveillance, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.surveillance = surveillance
        self.fields["decided_by"].queryset = _people(user, surveillance.group_id)
        self.fields["decided_by"].required = True
        self.fields["date"].initial = timezone.localdate()
