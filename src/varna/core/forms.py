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


MISSING_VERSION_MESSAGE = _(
    "The form did not say which version of the record it was opened on, so saving it could "
    "overwrite someone else's changes. Reload the page and make your changes again."
)


class VersionField(forms.IntegerField):
    """The version a form was opened on, required: without it a POST could skip the check."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("error_messages", {})
        for code in ("required", "invalid", "min_value", "max_value"):
            kwargs["error_messages"].setdefault(code, MISSING_VERSION_MESSAGE)
        super().__init__(max_value=2**31 - 1, **kwargs)


class VersionedModelForm(forms.ModelForm):
    """A model form that carries the record's version, so a stale form is refused. Editing a
    record requires the version; a form creating one has none to carry."""

    version = VersionField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            self.fields["version"].required = True

    def save_versioned(self):
        instance = self.save(commit=False)
        if instance.pk is None:
            instance.save()
            self.save_m2m()
            return instance
        try:
            instance.save_versioned(self.cleaned_data["version"])
        except StaleEditError:
            self.add_error(None, STALE_MESSAGE)
            return None
        self.save_m2m()
        return instance


def limit_classification(form, user) -> None:
    """Only roles cleared for classified records may classify one: others are not offered it."""
    from .permissions import get_access

    access = get_access(user)
    if not access.classified_paths:
        field = form.fields["classification"]
        field.choices = [c for c in field.choices if c[0] != "classified"]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%Y-%m-%d")
        super().__init__(**kwargs)
