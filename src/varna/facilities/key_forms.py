from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from varna.core.forms import DateInput, VersionedModelForm, limit_classification
from varna.core.links import KeepHiddenLinksMixin, LinkedRecordsField
from varna.incidents.photos import ACCEPT as PHOTO_TYPES
from varna.incidents.photos import clean_photo
from varna.organisation.models import ExternalParty, Person

from .models import Key, KeyLoan, KeySystem, Lock

RECEIPT_MAX_SIZE = 15 * 1024 * 1024


def _people(user, group):
    return Person.objects.restrict(user).filter(group=group).order_by("last_name", "first_name")


class KeySystemForm(VersionedModelForm):
    class Meta:
        model = KeySystem
        fields = [
            "name",
            "code",
            "kind",
            "supplier",
            "administrator",
            "master_key_storage",
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
        site = self.instance.site
        people = _people(user, site.group_id)
        current = self.instance.administrator_id
        if current and not people.filter(pk=current).exists():
            # An administrator outside the editor's scope stays, unnamed and unchangeable here.
            field = self.fields["administrator"]
            field.queryset = Person.objects.filter(pk=current)
            field.label_from_instance = lambda obj: _("(a person you may not see)")
            field.disabled = True
        else:
            self.fields["administrator"].queryset = people
        limit_classification(self, user)

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        clash = KeySystem.objects.filter(site=self.instance.site, code__iexact=code).exclude(pk=self.instance.pk)
        if clash.exists():
            raise ValidationError(_("Another key system on this site already has the code %(code)s.") % {"code": code})
        return code


class LockForm(forms.ModelForm):
    class Meta:
        model = Lock
        fields = ["code", "name", "building"]

    def __init__(self, *args, user, system, buildings, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.system = system
        self.fields["building"].queryset = buildings

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if Lock.objects.filter(system=self.instance.system, code__iexact=code).exclude(pk=self.instance.pk).exists():
            raise ValidationError(_("Another lock of this key system already has the code %(code)s.") % {"code": code})
        return code


class KeyForm(KeepHiddenLinksMixin, VersionedModelForm):
    class Meta:
        model = Key
        fields = ["number", "kind", "series", "is_master", "opens", "storage", "retired_on"]
        widgets = {"retired_on": DateInput(), "opens": forms.CheckboxSelectMultiple}
        field_classes = {"opens": LinkedRecordsField}

    def __init__(self, *args, user, group=None, system=None, **kwargs):
        super().__init__(*args, **kwargs)
        if system is not None:
            self.instance.system = system
        self.fields["opens"].queryset = Lock.objects.filter(system=self.instance.system).order_by("code")
        self.fields["opens"].help_text = _("The locks of the key system this key opens.")
        self.user = user
        self.keep_hidden_links()

    def clean_number(self):
        number = self.cleaned_data["number"].strip()
        clash = Key.objects.filter(system=self.instance.system, number__iexact=number).exclude(pk=self.instance.pk)
        if clash.exists():
            raise ValidationError(_("The key system already has a key numbered %(number)s.") % {"number": number})
        return number


class HandOutForm(forms.ModelForm):
    """A handover: to a person of the organisation or to an external party (a contractor's
    staff, a tenant), with the date it is to come back if it is not for as long as needed."""

    class Meta:
        model = KeyLoan
        fields = ["person", "party", "party_contact", "handed_out_on", "due_back_on"]
        widgets = {"handed_out_on": DateInput(), "due_back_on": DateInput()}

    def __init__(self, *args, user, key, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.key = key
        group_id = key.system.site.group_id
        self.fields["person"].queryset = _people(user, group_id)
        self.fields["person"].help_text = _("An employee: they confirm the receipt in Värna.")
        self.fields["party"].queryset = ExternalParty.objects.restrict(user).filter(group_id=group_id).order_by("name")
        self.fields["party"].help_text = _("Or an external party: its key holder signs the printed receipt.")

    def clean(self):
        data = super().clean()
        if bool(data.get("person")) == bool(data.get("party")):
            raise ValidationError(_("Choose who receives the key: a person or an external party, not both."))
        if data.get("party") and not (data.get("party_contact") or "").strip():
            self.add_error("party_contact", _("Name the person at the external party who receives the key."))
        if data.get("handed_out_on") and data["handed_out_on"] > timezone.localdate():
            self.add_error("handed_out_on", _("A handover cannot be registered before it happens."))
        # The constraint on one open loan per key names the key, which is not a field here.
        if self.instance.key.loans.open().exists():
            raise ValidationError(_("The key is already handed out: register its return first."))
        if not self.instance.key.in_use:
            raise ValidationError(_("The key is lost or out of use and cannot be handed out."))
        return data


class ReturnForm(forms.Form):
    returned_on = forms.DateField(label=gettext_lazy("returned"), widget=DateInput(), initial=timezone.localdate)

    def __init__(self, *args, loan, **kwargs):
        super().__init__(*args, **kwargs)
        self.loan = loan

    def clean_returned_on(self):
        day = self.cleaned_data["returned_on"]
        if day < self.loan.handed_out_on:
            raise ValidationError(_("A key cannot be returned before it was handed out."))
        if day > timezone.localdate():
            raise ValidationError(_("A return cannot be registered before it happens."))
        return day


class LostKeyForm(forms.Form):
    lost_on = forms.DateField(label=gettext_lazy("when it was lost"), widget=DateInput(), initial=timezone.localdate)
    circumstances = forms.CharField(
        label=gettext_lazy("what happened"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Where and how it was lost, and whether it was marked with an address."),
    )

    def clean_lost_on(self):
        day = self.cleaned_data["lost_on"]
        if day > timezone.localdate():
            raise ValidationError(_("A loss cannot be reported before it happens."))
        return day


class SignedReceiptForm(forms.Form):
    """The printed receipt, signed and scanned or photographed: a PDF is kept as it is, a photo
    re-encoded without its metadata (as incident photos are)."""

    file = forms.FileField(
        label=gettext_lazy("signed receipt"),
        widget=forms.FileInput(attrs={"accept": f"application/pdf,{PHOTO_TYPES}"}),
    )

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        if uploaded.size > RECEIPT_MAX_SIZE:
            raise ValidationError(_("The file is larger than %(limit)s.") % {"limit": filesizeformat(RECEIPT_MAX_SIZE)})
        head = uploaded.read(5)
        uploaded.seek(0)
        if head == b"%PDF-":
            self.content, self.extension = uploaded.read(), ".pdf"
            return uploaded
        try:
            photo = clean_photo(uploaded)
        except ValidationError:
            raise ValidationError(_("Upload the signed receipt as a PDF or a photo (JPEG, PNG or WebP).")) from None
        self.content, self.extension = photo.content.read(), "." + photo.content.name.rsplit(".", 1)[1]
        return uploaded
