"""The organisation area: the municipal group, its units, bodies, people and external parties.
It is the ground the other areas stand on, so its demo loads first."""

import datetime

from django.utils.translation import gettext_lazy as _

from varna.core.areas import Area, NavEntry, register

from .demo import load_organisation
from .first_steps import first_steps
from .jobs import record_obligation_statuses

register(
    Area(
        key="organisation",
        urls="varna.organisation.urls",
        url_prefix="organisation/",
        nav=[
            NavEntry(
                "organisation",
                _("Municipal group"),
                "organisation:group",
                order=10,
                current=("organisation:group", "organisation:unit*", "organisation:body"),
            ),
            NavEntry(
                "organisation",
                _("People"),
                "organisation:people",
                order=20,
                current=("organisation:person*", "organisation:people", "organisation:role*", "organisation:import"),
            ),
            NavEntry(
                "organisation",
                _("External parties"),
                "organisation:parties",
                order=30,
                current=("organisation:part*", "organisation:contract*"),
            ),
            NavEntry(
                "organisation", _("Mandate periods"), "organisation:mandate-periods", audience="everyone", order=40
            ),
        ],
        start_url="organisation:group",
        start_label=_("Open the municipal group"),
        # Every group's obligations, checked for the start page (the groups are the organisation's).
        jobs={"record_obligation_statuses": (record_obligation_statuses, datetime.timedelta(minutes=15))},
        demo=load_organisation,
        first_steps=first_steps,
        demo_order=0,
    )
)
