from django.urls import path

from . import exports, function_views, io_views, measure_views, views

app_name = "risks"

urlpatterns = [
    path("", views.risk_list, name="list"),
    path("ny/", views.risk_create, name="create"),
    path("matris/", views.risk_matrix, name="matrix"),
    path("zoner.css", views.zone_styles, name="zone-styles"),
    path("export.xlsx", exports.risk_export, name="export"),
    path("atgarder/export.xlsx", exports.measure_export, name="measure-export"),
    path("import/", io_views.risk_import, name="import"),
    path("import/mall.xlsx", io_views.import_template, name="import-template"),
    path("<int:pk>/", views.risk_detail, name="risk"),
    path("<int:pk>/andra/", views.RiskUpdateView.as_view(), name="edit"),
    path("<int:pk>/bedom/", views.assess, name="assess"),
    path("<int:pk>/acceptera/", views.accept, name="accept"),
    path("<int:pk>/avsluta-acceptans/", views.acceptance_end, name="acceptance-end"),
    path("analyser/", views.analysis_list, name="analyses"),
    path("analyser/ny/", views.analysis_create, name="analysis-create"),
    path("analyser/<int:pk>/", views.analysis_detail, name="analysis"),
    path("analyser/<int:pk>/andra/", views.AnalysisUpdateView.as_view(), name="analysis-edit"),
    path("analyser/<int:pk>/rapport/", views.report_view, name="report"),
    path("analyser/<int:pk>/rapport.pdf", views.report_pdf, name="report-pdf"),
    path("analyser/<int:pk>/rapport.docx", views.report_docx, name="report-docx"),
    path("samhallsviktig-verksamhet/", function_views.function_list, name="functions"),
    path("samhallsviktig-verksamhet/ny/", function_views.function_create, name="function-create"),
    path("samhallsviktig-verksamhet/beroenden/", function_views.dependency_graph, name="dependency-graph"),
    path("samhallsviktig-verksamhet/<int:pk>/", function_views.function_detail, name="function"),
    path(
        "samhallsviktig-verksamhet/<int:pk>/andra/",
        function_views.VitalFunctionUpdateView.as_view(),
        name="function-edit",
    ),
    path("samhallsviktig-verksamhet/<int:pk>/beroende/", function_views.dependency_add, name="dependency-add"),
    path("samhallsviktig-verksamhet/<int:pk>/formaga/", function_views.capability_add, name="capability-add"),
    path("beroenden/<int:pk>/ta-bort/", function_views.dependency_remove, name="dependency-remove"),
    path("atgarder/", measure_views.measure_list, name="measures"),
    path("atgarder/ny/", measure_views.measure_create, name="measure-create"),
    path("atgarder/<int:pk>/", measure_views.measure_detail, name="measure"),
    path("atgarder/<int:pk>/andra/", measure_views.MeasureUpdateView.as_view(), name="measure-edit"),
    path("atgarder/<int:pk>/klar/", measure_views.measure_complete, name="measure-complete"),
]
