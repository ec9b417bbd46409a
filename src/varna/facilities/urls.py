from django.urls import path

from . import import_views, key_views, views

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
    # Keys
    path("<int:pk>/nytt-nyckelsystem/", key_views.key_system_create, name="key-system-create"),
    path("nyckelsystem/<int:pk>/", key_views.key_system_detail, name="key-system"),
    path("nyckelsystem/<int:pk>/andra/", key_views.KeySystemUpdateView.as_view(), name="key-system-edit"),
    path("nyckelsystem/<int:pk>/ta-bort/", key_views.key_system_delete, name="key-system-delete"),
    path("nyckelsystem/<int:pk>/nytt-las/", key_views.lock_create, name="lock-create"),
    path("nyckelsystem/<int:pk>/ny-nyckel/", key_views.key_create, name="key-create"),
    path("nycklar/", key_views.key_list, name="keys"),
    path("nycklar/att-aterlamna/", key_views.keys_due, name="keys-due"),
    path("nycklar/mina/", key_views.my_keys, name="my-keys"),
    path("nycklar/<int:pk>/", key_views.key_detail, name="key"),
    path("nycklar/<int:pk>/andra/", key_views.KeyUpdateView.as_view(), name="key-edit"),
    path("nycklar/<int:pk>/ta-bort/", key_views.key_delete, name="key-delete"),
    path("nycklar/<int:pk>/lamna-ut/", key_views.key_hand_out, name="key-hand-out"),
    path("nycklar/<int:pk>/forlorad/", key_views.key_lost, name="key-lost"),
    path("kvittenser/<int:pk>/", key_views.loan_detail, name="key-loan"),
    path("kvittenser/<int:pk>/bekrafta/", key_views.loan_confirm, name="key-loan-confirm"),
    path("kvittenser/<int:pk>/aterlamnad/", key_views.loan_return, name="key-loan-return"),
    path("kvittenser/<int:pk>/pdf/", key_views.loan_receipt_pdf, name="key-loan-pdf"),
    path("kvittenser/<int:pk>/signerad/", key_views.loan_receipt_upload, name="key-loan-upload"),
    path("kvittenser/<int:pk>/signerad/fil/", key_views.loan_receipt_file, name="key-loan-file"),
]
