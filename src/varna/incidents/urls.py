from django.urls import path

from . import exports, io_views, public, statistics, views

app_name = "incidents"

urlpatterns = [
    path("", views.incident_list, name="list"),
    path("rapportera/", views.report, name="report"),
    path("anmal/", public.public_report, name="public-report"),
    path("export.xlsx", exports.incident_export, name="export"),
    path("import/", io_views.incident_import, name="import"),
    path("import/mall.xlsx", io_views.import_template, name="import-template"),
    path("import/<str:token>/", io_views.import_progress, name="import-progress"),
    path("skadekostnader/", statistics.dashboard, name="statistics"),
    path("skadekostnader/rapport.pdf", statistics.dashboard_pdf, name="statistics-pdf"),
    path("skadekostnader/export.xlsx", statistics.dashboard_xlsx, name="statistics-xlsx"),
    path("<int:pk>/", views.incident_detail, name="incident"),
    path("<int:pk>/utred/", views.IncidentUpdateView.as_view(), name="edit"),
    path("<int:pk>/kostnad/", views.cost_add, name="cost-add"),
    path("kostnader/<int:pk>/andra/", views.CostItemUpdateView.as_view(), name="cost-edit"),
    path("<int:pk>/person/", views.person_add, name="person-add"),
    path("personer/<int:pk>/ta-bort/", views.person_remove, name="person-remove"),
    path("<int:pk>/foton/", views.photo_add, name="photo-add"),
    path("foton/<int:pk>/", views.photo, name="photo"),
    path("<int:pk>/ny-atgard/", views.measure_create, name="measure-create"),
    path("<int:pk>/risk/", views.risk_link, name="risk-link"),
]
