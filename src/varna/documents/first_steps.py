"""The governing documents' first step for a new municipality: the register imported."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from varna.core.areas import FirstStep
from varna.core.formatting import count

from .models import Document


def first_steps(group) -> list[FirstStep]:
    documents = Document.objects.filter(group=group).count()
    return [
        FirstStep(
            _("Register the governing documents (import the list you have)"),
            "documents:import",
            documents > 0,
            ngettext("%(n)s document", "%(n)s documents", documents) % {"n": count(documents)},
        )
    ]
