import datetime

from django.utils.translation import gettext_lazy as _

from varna.core.areas import Area, NavEntry, register

from .demo import load_demo_incidents
from .first_steps import first_steps
from .jobs import daily
from .models import Category
from .panels import unit_panel
from .profile import DEMO_SECTIONS, PROFILE_SECTIONS

register(
    Area(
        key="incidents",
        # Incidents link the risks and measures they led to, and the policy a claim is made under.
        requires=("risks", "insurance"),
        urls="varna.incidents.urls",
        url_prefix="handelser/",
        nav=[
            NavEntry(
                "registers", _("Incidents"), "incidents:list", order=40, current=("incidents:*", "!incidents:report")
            ),
            NavEntry("work", _("Report an incident"), "incidents:report", audience="person", order=30),
            # A person without a role reads the incidents they reported themself.
            NavEntry("work", _("My reports"), "incidents:list", audience="unscoped", order=40),
        ],
        start_url="incidents:list",
        start_label=_("Open the incidents"),
        jobs={"incident_daily_jobs": (daily, datetime.timedelta(days=1))},
        demo=load_demo_incidents,
        unit_panel=unit_panel,
        first_steps=first_steps,
        demo_order=30,
        profile_sections=PROFILE_SECTIONS,
        demo_sections=DEMO_SECTIONS,
        profile_references={"incident_categories": lambda data: [{"key": key} for key in Category.values]},
    )
)
