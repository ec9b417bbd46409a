from django.urls import path

from . import ack_views, feed_views, file_views, io_views, public_views, views

app_name = "documents"

urlpatterns = [
    path("", views.document_list, name="list"),
    path("ny/", views.document_create, name="create"),
    path("granskningskalender/", views.review_calendar, name="calendar"),
    path("kalender/", feed_views.subscription, name="feed-settings"),
    path("kalender/<str:token>.ics", feed_views.feed, name="feed"),
    path("publikt/", public_views.public_list, name="public"),
    path("publikt/<int:pk>/", public_views.public_detail, name="public-detail"),
    path("publikt/export.xlsx", public_views.public_export, name="public-export"),
    path("export.xlsx", io_views.register_export, name="export"),
    path("import/", io_views.register_import, name="import"),
    path("<int:pk>/", views.document_detail, name="document"),
    path("<int:pk>/andra/", views.DocumentUpdateView.as_view(), name="edit"),
    path("<int:pk>/ny-version/", views.version_create, name="version-create"),
    path("<int:pk>/ladda-upp/", file_views.version_upload, name="version-upload"),
    path("<int:pk>/jamfor/", file_views.compare, name="compare"),
    path("versioner/<int:pk>/fil/", file_views.version_file, name="version-file"),
    path("<int:pk>/remiss/", views.consultation_start, name="consultation"),
    path("<int:pk>/remissvar/", views.comment_create, name="comment"),
    path("<int:pk>/beslut/", views.decision_create, name="decision"),
    path("<int:pk>/granska/", views.review_start, name="review-start"),
    path("<int:pk>/upphav/", views.repeal, name="repeal"),
    path("<int:pk>/ersatt/", views.replace, name="replace"),
    path("<int:pk>/kvittenser/", ack_views.acknowledgements, name="acknowledgements"),
    path("<int:pk>/kvittera/", ack_views.acknowledge, name="acknowledge"),
    path("mina-kvittenser/", ack_views.my_acknowledgements, name="my-acknowledgements"),
    path("granskningar/<int:pk>/klar/", views.review_complete, name="review-complete"),
    path("delgivningar/<int:pk>/", views.duty_deliver, name="duty-deliver"),
]
