from django.urls import path

from . import import_views, views

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
]
