import datetime

from django.utils.translation import gettext_lazy as _

from varna.core.areas import Area, NavEntry, register

from .demo import load_demo_insurance
from .jobs import daily
from .profile import DEMO_SECTIONS, PROFILE_SECTIONS, check_demo_insurance

register(
    Area(
        key="insurance",
        # The risk financing reads the incidents' damage costs; incidents and insurance go together.
        requires=("incidents",),
        urls="varna.insurance.urls",
        url_prefix="forsakringar/",
        nav=[NavEntry("registers", _("Insurance"), "insurance:list", order=50, current=("insurance:*",))],
        start_url="insurance:list",
        start_label=_("Open the insurance policies"),
        jobs={"insurance_daily_jobs": (daily, datetime.timedelta(days=1))},
        demo=load_demo_insurance,
        demo_order=40,  # the policies' figures read the demo's incidents
        profile_sections=PROFILE_SECTIONS,
        demo_sections=DEMO_SECTIONS,
        profile_checks=[check_demo_insurance],
    )
)
