from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from varna.core.forms import DateInput, VersionedModelForm, VersionField, limit_classification
from varna.core.i18n import tr
from varna.core.links import KeepHiddenLinksMixin
from varna.organisation.forms import ScopedFormMixin
from varna.organisation.models import Body, Person

from .models import Document, DocumentVersion, NotificationDuty, Review, Status
from .services import allowed_bodies, allowed_people, decider_for


class DocumentForm(KeepHiddenLinksMixin, ScopedFormMixin, VersionedModelForm):
    """The document's description. Its content and review date change only through versions,
    decisions and reviews."""

    class Meta:
        model = Document
        fields = ["title", "kind", "parent", "unit", "owner", "topics", "classification", "classification_ground"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        profile = self.group.profile
        self.fields["kind"] = forms.ChoiceField(
            label=_("kind"), choices=[(k, tr(v["name"])) for k, v in profile.document_kinds.items()]
        )
        topics = [(r["key"], tr(r["name"])) for r in profile.data["required_routines"]]
        self.fields["topics"] = forms.MultipleChoiceField(
            label=_("areas covered"), choices=topics, required=False, widget=forms.CheckboxSelectMultiple
        )
        if not topics:
            del self.fields["topics"]
        self.fields["parent"].queryset = (
            Document.objects.restrict(self.user)
            .filter(group=self.group)
            .exclude(status__in=(Status.REPLACED, Status.REPEALED))
            .exclude(pk=self.instance.pk)
        )
        self.fields["owner"].queryset = Person.objects.restrict(self.user).filter(group=self.group)
        limit_classification(self, self.user)
        if self.instance.pk and self.instance.status != Status.DRAFT:
            self.fields["kind"].disabled = True  # the kind decides who decided it
        self.keep_hidden_links()

    def clean(self):
        cleaned = super().clean()
        kind, parent = cleaned.get("kind"), cleaned.get("parent")
        spec = self.group.profile.document_kinds.get(kind) or {}
        allowed = spec.get("parent_kinds") or []
        if parent and allowed and parent.kind not in allowed:
            names = ", ".join(tr(self.group.profile.document_kinds[k]["name"]).lower() for k in allowed)
            self.add_error(
                "parent",
                _("A %(kind)s is placed under a %(allowed)s.") % {"kind": tr(spec["name"]).lower(), "allowed": names},
            )
        if parent and self.instance.pk:
            node = parent
            while node is not None:
                if node.pk == self.instance.pk:
                    self.add_error("parent", _("A document cannot be placed under itself or a document under it."))
                    break
                node = node.parent
        return cleaned

    def save(self, commit=True):
        self.instance.group = self.group
        return super().save(commit)


class VersionForm(forms.ModelForm):
    class Meta:
        model = DocumentVersion
        fields = ["text", "note"]
        widgets = {"text": forms.Textarea(attrs={"rows": 18})}

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if not text:
            raise ValidationError(_("Write the document's text."))
        return text


class CommentForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("from unit"), queryset=None)
    text = forms.CharField(label=_("comment"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class DecisionForm(forms.Form):
    version = forms.ModelChoiceField(label=_("version decided"), queryset=None)
    body = forms.ModelChoiceField(label=_("decided by (body)"), queryset=None, required=False)
    person = forms.ModelChoiceField(label=_("decided by (person)"), queryset=None, required=False)
    date = forms.DateField(label=_("decision date"), widget=DateInput())
    in_force_from = forms.DateField(
        label=_("in force from"), widget=DateInput(), required=False, help_text=_("Empty: the decision date.")
    )
    record_number = forms.CharField(
        label=_("record number"), max_length=64, required=False, help_text=_("E.g. KS 2026/123.")
    )
    expected_version = VersionField()

    def __init__(self, *args, document: Document, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.document = document
        self.fields["version"].queryset = document.versions.all()
        self.fields["version"].initial = document.versions.order_by("-number").first()
        self.fields["expected_version"].initial = document.version
        decider = decider_for(document)
        self.decider = decider
        if decider.body_kind:
            # Every body of the group is offered, the allowed one first: a wrong choice is refused
            # with the policy's rule rather than hidden.
            self.fields["body"].queryset = Body.objects.filter(group=document.group)
            self.fields["body"].initial = next(iter(allowed_bodies(document)), None)
            self.fields["body"].required = True
            self.fields["body"].help_text = _("The policy says: decided by %(decider)s.") % {"decider": decider.label}
            del self.fields["person"]
        else:
            # The people the user may read, and those the policy names as deciders (their role
            # is what the policy requires, so the form must offer them to whoever registers).
            allowed = allowed_people(document)
            self.fields["person"].queryset = Person.objects.filter(group=document.group).filter(
                Q(pk__in=Person.objects.restrict(user).values("pk")) | Q(pk__in=[p.pk for p in allowed])
            )
            self.fields["person"].required = True
            self.fields["person"].initial = next(iter(allowed), None)
            self.fields["person"].help_text = _("The policy says: decided by the %(decider)s.") % {
                "decider": decider.label.lower()
            }
            del self.fields["body"]
        self.fields["date"].initial = timezone.localdate()


class ReviewForm(forms.Form):
    outcome = forms.ChoiceField(label=_("outcome"), choices=Review.Outcome.choices, widget=forms.RadioSelect)
    notes = forms.CharField(label=_("notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000)


class DeliveryForm(forms.ModelForm):
    class Meta:
        model = NotificationDuty
        fields = ["delivered_on", "reference"]
        widgets = {"delivered_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["delivered_on"].required = True
        self.fields["delivered_on"].initial = timezone.localdate()

    def clean_delivered_on(self):
        day = self.cleaned_data["delivered_on"]
        if day > timezone.localdate():
            raise ValidationError(_("Register a delivery once it has happened: the date is in the future."))
        if day < self.instance.decision.date:
            raise ValidationError(_("A document cannot be communicated before it is decided."))
        return day


class ReplaceForm(forms.Form):
    replaced_by = forms.ModelChoiceField(label=_("replaced by"), queryset=Document.objects.none())

    def __init__(self, *args, document: Document, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["replaced_by"].queryset = (
            Document.objects.restrict(user)
            .filter(group=document.group, status__in=(Status.DECIDED, Status.IN_FORCE, Status.UNDER_REVIEW))
            .exclude(pk=document.pk)
            .order_by("title")
        )
        self.fields["replaced_by"].help_text = _("The document that applies instead: decided or in force.")
