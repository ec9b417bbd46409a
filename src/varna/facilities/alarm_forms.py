"""Forms of the alarms and access control register (alarm_views.py)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from varna.core.forms import DateInput, VersionedModelForm, limit_classification
from varna.core.links import KeepHiddenLinksMixin, LinkedRecordsField
from varna.organisation.models import Person

from .models import AccessControlSystem, AccessReview, Alarm, AlarmEvent


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%Y-%m-%dT%H:%M")
        super().__init__(**kwargs)


class AlarmForm(VersionedModelForm):
    class Meta:
        model = Alarm
        fields = [
            "kind",
            "name",
            "identifier",
            "connected",
            "receiving_centre",
            "supplier",
            "installed_on",
            "service_interval_months",
            "last_serviced_on",
            "classification",
            "classification_ground",
            "notes",
        ]
        widgets = {
            "installed_on": DateInput(),
            "last_serviced_on": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, group=None, building=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if building is not None:
            self.instance.building = building
        self.fields["service_interval_months"].widget.attrs.update({"min": 1, "max": 120})
        limit_classification(self, user)

    def clean_identifier(self):
        identifier = self.cleaned_data["identifier"].strip()
        group_id = self.instance.building.site.group_id
        clash = (
            Alarm.objects.filter(building__site__group_id=group_id, identifier__iexact=identifier)
            .exclude(pk=self.instance.pk)
            .exists()
        )
        if clash:
            raise ValidationError(_("Another alarm already has the identifier %(id)s.") % {"id": identifier})
        return identifier


class AlarmServiceForm(VersionedModelForm):
    """A service done: the alarm's last service moves, its history keeps the earlier ones."""

    class Meta:
        model = Alarm
        fields = ["last_serviced_on"]
        widgets = {"last_serviced_on": DateInput()}

    def __init__(self, *args, user, group=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["last_serviced_on"].required = True
        self.fields["last_serviced_on"].label = _("serviced on")
        if not self.is_bound:
            self.initial["last_serviced_on"] = timezone.localdate()


class AlarmEventForm(forms.ModelForm):
    class Meta:
        model = AlarmEvent
        fields = ["occurred_at", "kind", "cause"]
        widgets = {"occurred_at": DateTimeInput()}

    def __init__(self, *args, alarm, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.alarm = alarm
        self.fields["occurred_at"].initial = timezone.localtime().replace(second=0, microsecond=0)


class AccessControlSystemForm(KeepHiddenLinksMixin, VersionedModelForm):
    class Meta:
        model = AccessControlSystem
        fields = [
            "name",
            "supplier",
            "administrators",
            "review_interval_months",
            "classification",
            "classification_ground",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}
        field_classes = {"administrators": LinkedRecordsField}

    def __init__(self, *args, user, group=None, site=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if site is not None:
            self.instance.site = site
        # People are read within a scope: only those the user may see are offered.
        self.fields["administrators"].queryset = (
            Person.objects.restrict(user)
            .filter(group_id=self.instance.site.group_id)
            .order_by("last_name", "first_name")
        )
        self.fields["administrators"].widget.attrs["size"] = 6
        self.fields["review_interval_months"].widget.attrs.update({"min": 1, "max": 120})
        limit_classification(self, user)
        self.keep_hidden_links()


class AccessReviewForm(forms.ModelForm):
    class Meta:
        model = AccessReview
        fields = ["reviewed_on", "reviewed_by", "outcome", "rights_removed", "comment"]
        widgets = {"reviewed_on": DateInput(), "comment": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, system, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.system = system
        self.fields["reviewed_by"].queryset = (
            Person.objects.restrict(user).filter(group_id=system.site.group_id).order_by("last_name", "first_name")
        )
        self.fields["rights_removed"].widget.attrs["min"] = 0
