from django.urls import path

from . import exports, measure_views, views

app_name = "risks"

urlpatterns = [
    path("", views.risk_list, name="list"),
    path("ny/", views.risk_create, name="create"),
    path("matris/", views.risk_matrix, name="matrix"),
    path("zoner.css", views.zone_styles, name="zone-styles"),
    path("export.xlsx", exports.risk_export, name="export"),
    path("atgarder/export.xlsx", exports.measure_export, name="measure-export"),
    path("<int:pk>/", views.risk_detail, name="risk"),
    path("<int:pk>/andra/", views.RiskUpdateView.as_view(), name="edit"),
    path("<int:pk>/bedom/", views.assess, name="assess"),
    path("<int:pk>/acceptera/", views.accept, name="accept"),
    path("<int:pk>/avsluta-acceptans/", views.acceptance_end, name="acceptance-end"),
    path("analyser/", views.analysis_list, name="analyses"),
    path("analyser/ny/", views.analysis_create, name="analysis-create"),
    path("analyser/<int:pk>/", views.analysis_detail, name="analysis"),
    path("analyser/<int:pk>/andra/", views.AnalysisUpdateView.as_view(), name="analysis-edit"),
    path("atgarder/", measure_views.measure_list, name="measures"),
    path("atgarder/ny/", measure_views.measure_create, name="measure-create"),
    path("atgarder/<int:pk>/", measure_views.measure_detail, name="measure"),
    path("atgarder/<int:pk>/andra/", measure_views.MeasureUpdateView.as_view(), name="measure-edit"),
    path("atgarder/<int:pk>/klar/", measure_views.measure_complete, name="measure-complete"),
]
