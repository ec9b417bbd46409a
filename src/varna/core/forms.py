from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from .models import StaleEditError

# Django 6.1's label for an empty choice is missing from Django's own Swedish catalogue; marking
# it here keeps it in ours.
gettext_noop("- Select an option -")

STALE_MESSAGE = _(
    "Someone else saved this record after you opened the form. Nothing was overwritten: "
    "reload the page to see their changes, then make yours again."
)


class VersionedModelForm(forms.ModelForm):
    """A model form that carries the record's version, so a stale form is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def save_versioned(self):
        instance = self.save(commit=False)
        expected = self.cleaned_data.get("version") or instance.version
        try:
            instance.save_versioned(expected)
        except StaleEditError:
            self.add_error(None, STALE_MESSAGE)
            return None
        self.save_m2m()
        return instance


def limit_classification(form, user) -> None:
    """Only roles cleared for classified records may classify one: others are not offered it."""
    from .permissions import get_access

    access = get_access(user)
    if not access.classified_paths and not access.is_superuser:
        field = form.fields["classification"]
        field.choices = [c for c in field.choices if c[0] != "classified"]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%Y-%m-%d")
        super().__init__(**kwargs)
