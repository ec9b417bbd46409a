import datetime

from django.utils.translation import gettext_lazy as _

from varna.core.areas import Area, NavEntry, register

from .alarm_jobs import daily as alarm_daily
from .camera_jobs import daily as camera_daily
from .demo import load_demo_facilities
from .jobs import daily
from .profile import DEMO_SECTIONS, PROFILE_SECTIONS, check_demo_facilities

register(
    Area(
        key="facilities",
        # A lost key or an alarm becomes an incident; a deficiency found on a round, a measure.
        requires=("incidents", "risks"),
        urls="varna.facilities.urls",
        url_prefix="anlaggningar/",
        nav=[
            NavEntry(
                "registers",
                _("Sites and buildings"),
                "facilities:list",
                order=60,
                current=("facilities:*", "!facilities:my-keys", "!facilities:camera*"),
            ),
            NavEntry(
                "registers", _("Camera surveillance"), "facilities:cameras", order=61, current=("facilities:camera*",)
            ),
            NavEntry("work", _("My keys"), "facilities:my-keys", audience="person", order=35),
        ],
        start_url="facilities:list",
        start_label=_("Open the register of sites"),
        jobs={
            "facilities_daily_jobs": (daily, datetime.timedelta(days=1)),
            "facilities_alarm_daily": (alarm_daily, datetime.timedelta(days=1)),
            "camera_daily_jobs": (camera_daily, datetime.timedelta(days=1)),
        },
        demo=load_demo_facilities,
        demo_order=15,  # only the organisation's units and people
        demo_sections=DEMO_SECTIONS,
        profile_sections=PROFILE_SECTIONS,
        profile_checks=[check_demo_facilities],
    )
)
