"""The upload form every import page starts with."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import tabular

ACCEPT = ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportForm(forms.Form):
    """A CSV or XLSX file of at most `max_bytes`."""

    max_bytes = tabular.MAX_BYTES

    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "A CSV file (separated by semicolons or commas) or an Excel workbook (.xlsx). "
            "The first row holds the column names."
        ),
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.max_bytes:
            raise ValidationError(tabular.too_large_message(self.max_bytes))
        return upload

    def options(self) -> dict:
        """What the user chose with the file, kept beside it until the import (pending_uploads)."""
        return {}


class RegisterImportForm(ImportForm):
    """The import of a register, which a file that partly overlaps it may skip into."""

    skip_registered = forms.BooleanField(
        label=_("Skip rows already registered"),
        help_text=_(
            "For a file that partly holds what is already in the register: those rows are left out "
            "instead of refused. The other rows are still imported all or nothing."
        ),
        required=False,
    )

    def options(self) -> dict:
        return {"skip_registered": bool(self.cleaned_data.get("skip_registered"))}
