from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Incident


@admin.register(Incident)
class IncidentAdmin(SimpleHistoryAdmin):
    # Persons involved are left out on purpose: they are read on the incident's page, where
    # every read is logged.
    list_display = ["occurred_at", "category", "unit", "status", "cost"]
    list_filter = ["category", "status"]
    date_hierarchy = "occurred_at"
