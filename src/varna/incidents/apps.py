from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "varna.incidents"
    label = "incidents"
    verbose_name = _("Incidents and damage")

    def ready(self):
        from . import summary

        summary.connect()
