"""The public form: residents report graffiti and vandalism without logging in (the profile's
`incidents.public_report` names the categories and the unit that receives them).

Open to anyone, so guarded: a rate limit per address and day and per municipality and day
(the address is never stored, only a keyed hash of it for the day, deleted the day after), a
hidden field that people leave empty and form-filling robots do not, at most three photos
(recognised by content, stripped of metadata like any other), and only the fields a resident
needs. The report goes to the receiving unit's security coordinator like any other.
"""

import hashlib
import hmac

from django import forms
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from varna.organisation.models import MunicipalGroup, OrgUnit

from . import services
from .forms import DateTimeInput, PhotosField
from .models import Category, Incident, PublicReportQuota

PER_ADDRESS_AND_DAY = 5
PER_GROUP_AND_DAY = 200
MAX_PHOTOS = 3


class PublicReportForm(forms.Form):
    category = forms.ChoiceField(label=gettext_lazy("What have you seen?"))
    place = forms.CharField(
        label=gettext_lazy("Where"), max_length=300, help_text=gettext_lazy("Address, building or place.")
    )
    occurred_at = forms.DateTimeField(
        label=gettext_lazy("When did you see it?"), widget=DateTimeInput(), required=False
    )
    description = forms.CharField(
        label=gettext_lazy("Describe what you saw"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    photos = PhotosField(label=gettext_lazy("Photos (at most three)"))
    contact = forms.CharField(
        label=gettext_lazy("E-mail or telephone, if you want us to be able to reach you"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Optional. Kept only as long as the report needs it."),
    )
    # Never filled in by a person (it is not shown); robots that fill every field give themselves away.
    website = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Category.choices)
        self.fields["category"].choices = [(c, labels[c]) for c in categories]

    def clean_photos(self):
        photos = self.cleaned_data["photos"]
        if len(photos) > MAX_PHOTOS:
            raise forms.ValidationError(_("At most %(n)s photos.") % {"n": MAX_PHOTOS})
        return photos

    def clean_occurred_at(self):
        when = self.cleaned_data.get("occurred_at")
        if when and when > timezone.now():
            raise forms.ValidationError(_("An incident cannot have happened in the future."))
        return when


def _group(request) -> MunicipalGroup:
    raw = request.GET.get("kommun", "")
    if raw:
        if not (raw.isascii() and raw.isdigit() and len(raw) < 19):
            raise Http404
        return get_object_or_404(MunicipalGroup, pk=raw)
    groups = list(MunicipalGroup.objects.order_by("pk")[:2])
    if len(groups) != 1:
        raise Http404
    return groups[0]


def settings_for(group):
    """(categories, receiving unit) of the public form, or None where the profile has none."""
    spec = (group.profile.data.get("incidents") or {}).get("public_report")
    if not spec:
        return None
    unit = OrgUnit.objects.filter(group=group, code=spec["unit"]).first()
    if unit is None:
        return None
    return spec["categories"], unit


def _address_key(request, day) -> str:
    address = request.META.get("REMOTE_ADDR", "")
    message = f"{address}|{day.isoformat()}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def _take_quota(request, group) -> bool:
    """Count this report against the address's and the municipality's quota of the day; False
    when either is used up."""
    day = timezone.localdate()
    key = _address_key(request, day)
    with transaction.atomic():
        used_today = PublicReportQuota.objects.filter(day=day, key__startswith=f"g{group.pk}:").aggregate(
            n=Sum("count", default=0)
        )["n"]
        if used_today >= PER_GROUP_AND_DAY:
            return False
        key = f"g{group.pk}:{key}"[:64]
        try:
            with transaction.atomic():
                PublicReportQuota.objects.create(key=key, day=day, count=1)
                return True
        except IntegrityError:
            pass
        return bool(
            PublicReportQuota.objects.filter(key=key, day=day, count__lt=PER_ADDRESS_AND_DAY).update(
                count=F("count") + 1
            )
        )


@require_http_methods(["GET", "POST"])
def public_report(request):
    group = _group(request)
    found = settings_for(group)
    if found is None:
        raise Http404
    categories, unit = found
    form = PublicReportForm(request.POST or None, request.FILES or None, categories=categories)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["website"]:
            # A robot: answered like a success, so it learns nothing, and nothing is stored.
            return render(request, "incidents/public_thanks.html", {"group": group}, status=200)
        if not _take_quota(request, group):
            form.add_error(None, _("Too many reports have been sent from here today. Please try again tomorrow."))
            return render(request, "incidents/public_report.html", {"form": form, "group": group}, status=429)
        data = form.cleaned_data
        incident = Incident(
            group=group,
            unit=unit,
            category=data["category"],
            occurred_at=data["occurred_at"] or timezone.now(),
            place=data["place"],
            description=data["description"],
            source=Incident.Source.PUBLIC,
            reporter_contact=data["contact"],
        )
        services.submit(incident, photos=data["photos"], user=None)
        return render(request, "incidents/public_thanks.html", {"group": group})
    return render(request, "incidents/public_report.html", {"form": form, "group": group})
