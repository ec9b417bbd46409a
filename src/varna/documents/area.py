import datetime

from django.utils.translation import gettext_lazy as _

from varna.core.areas import Area, NavEntry, register

from .demo import load_demo_documents
from .first_steps import first_steps
from .jobs import review_reminders
from .panels import unit_panel
from .profile import DEMO_SECTIONS, PROFILE_SECTIONS, check_documents

register(
    Area(
        key="documents",
        urls="varna.documents.urls",
        url_prefix="styrdokument/",
        nav=[NavEntry("registers", _("Governing documents"), "documents:list", order=10, current=("documents:*",))],
        start_url="documents:list",
        start_label=_("Open the governing documents"),
        jobs={"document_review_reminders": (review_reminders, datetime.timedelta(days=1))},
        demo=load_demo_documents,
        unit_panel=unit_panel,
        first_steps=first_steps,
        demo_order=10,
        profile_sections=PROFILE_SECTIONS,
        demo_sections=DEMO_SECTIONS,
        profile_checks=[check_documents],
    )
)
