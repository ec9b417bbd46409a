from django.urls import path

from . import camera_public_views, camera_views, import_views, views

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
    # The camera surveillance register (camera_views.py) and its public list.
    path("kamerabevakning/", camera_views.surveillance_list, name="cameras"),
    path("kamerabevakning/ny/", camera_views.surveillance_create, name="camera-create"),
    path("kamerabevakning/export/", camera_views.register_export, name="camera-export"),
    path("kamerabevakning/gallring/", camera_views.thinning_log, name="camera-thinning"),
    path("kamerabevakning/publik/", camera_public_views.public_list, name="cameras-public"),
    path("kamerabevakning/<int:pk>/", camera_views.surveillance_detail, name="camera-surveillance"),
    path(
        "kamerabevakning/<int:pk>/andra/",
        camera_views.SurveillanceUpdateView.as_view(),
        name="camera-surveillance-edit",
    ),
    path("kamerabevakning/<int:pk>/ta-bort/", camera_views.surveillance_delete, name="camera-surveillance-delete"),
    path("kamerabevakning/<int:pk>/ny-kamera/", camera_views.camera_create, name="camera-add"),
    path("kamerabevakning/<int:pk>/bedomning/", camera_views.assessment_create, name="camera-assess"),
    path("kamerabevakning/kameror/<int:pk>/ta-bort/", camera_views.camera_delete, name="camera-delete"),
]
