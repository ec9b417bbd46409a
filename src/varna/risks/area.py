import datetime

from django.utils.translation import gettext_lazy as _

from varna.core.areas import Area, NavEntry, register

from .demo import load_demo_risks
from .first_steps import first_steps
from .jobs import daily
from .panels import unit_panel
from .profile import DEMO_SECTIONS, PROFILE_SECTIONS, check_demo_analyses, check_risk_matrix, matrix_references

register(
    Area(
        key="risks",
        requires=("documents",),  # a measure implements a governing document
        urls="varna.risks.urls",
        url_prefix="risker/",
        nav=[
            NavEntry("registers", _("Risks"), "risks:list", order=20, current=("risks:*", "!risks:measure*")),
            NavEntry("registers", _("Measures"), "risks:measures", order=30, current=("risks:measure*",)),
        ],
        start_url="risks:list",
        start_label=_("Open the risks"),
        jobs={"risk_daily_jobs": (daily, datetime.timedelta(days=1))},
        demo=load_demo_risks,
        unit_panel=unit_panel,
        first_steps=first_steps,
        demo_order=20,  # the analyses refer to the demo's documents
        profile_sections=PROFILE_SECTIONS,
        demo_sections=DEMO_SECTIONS,
        profile_references=matrix_references(),
        profile_checks=[check_risk_matrix, check_demo_analyses],
    )
)
