from django.urls import path

from . import alarm_import_views, alarm_views, import_views, views

app_name = "facilities"

urlpatterns = [
    path("", views.site_list, name="list"),
    path("ny/", views.site_create, name="create"),
    path("export/", views.register_export, name="export"),
    path("import/", import_views.site_import_view, name="import"),
    path("<int:pk>/", views.site_detail, name="site"),
    path("<int:pk>/andra/", views.SiteUpdateView.as_view(), name="edit"),
    path("<int:pk>/ta-bort/", views.site_delete, name="delete"),
    path("<int:pk>/ny-byggnad/", views.building_create, name="building-create"),
    path("byggnader/<int:pk>/", views.building_detail, name="building"),
    path("byggnader/<int:pk>/andra/", views.BuildingUpdateView.as_view(), name="building-edit"),
    path("byggnader/<int:pk>/ta-bort/", views.building_delete, name="building-delete"),
    # Alarms and access control (alarm_views.py)
    path("larm/", alarm_views.alarm_list, name="alarms"),
    path("larm/export/", alarm_views.alarm_export, name="alarm-export"),
    path("larm/import/", alarm_import_views.event_import_view, name="alarm-import"),
    path("larm/<int:pk>/", alarm_views.alarm_detail, name="alarm"),
    path("larm/<int:pk>/andra/", alarm_views.AlarmUpdateView.as_view(), name="alarm-edit"),
    path("larm/<int:pk>/service/", alarm_views.AlarmServiceView.as_view(), name="alarm-service"),
    path("larm/<int:pk>/ta-bort/", alarm_views.alarm_delete, name="alarm-delete"),
    path("larm/<int:pk>/ny-handelse/", alarm_views.event_create, name="alarm-event-create"),
    path("larm/handelser/<int:pk>/incident/", alarm_views.event_incident, name="alarm-event-incident"),
    path("byggnader/<int:pk>/nytt-larm/", alarm_views.alarm_create, name="alarm-create"),
    path("<int:pk>/nytt-passersystem/", alarm_views.access_system_create, name="access-system-create"),
    path("passersystem/<int:pk>/", alarm_views.access_system_detail, name="access-system"),
    path("passersystem/<int:pk>/andra/", alarm_views.AccessSystemUpdateView.as_view(), name="access-system-edit"),
    path("passersystem/<int:pk>/ta-bort/", alarm_views.access_system_delete, name="access-system-delete"),
    path("passersystem/<int:pk>/ny-oversyn/", alarm_views.access_review_create, name="access-review-create"),
]
