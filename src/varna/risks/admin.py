from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Analysis, Measure, Risk


@admin.register(Analysis)
class AnalysisAdmin(SimpleHistoryAdmin):
    list_display = ["title", "kind", "unit", "status"]
    list_filter = ["kind", "status"]


@admin.register(Risk)
class RiskAdmin(SimpleHistoryAdmin):
    list_display = ["title", "unit", "zone", "level", "status"]
    list_filter = ["status", "zone"]
    search_fields = ["title"]


@admin.register(Measure)
class MeasureAdmin(SimpleHistoryAdmin):
    list_display = ["title", "unit", "due_date", "status"]
    list_filter = ["status"]
    search_fields = ["title"]
