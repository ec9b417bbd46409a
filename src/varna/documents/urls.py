from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("", views.document_list, name="list"),
    path("ny/", views.document_create, name="create"),
    path("granskningskalender/", views.review_calendar, name="calendar"),
    path("<int:pk>/", views.document_detail, name="document"),
    path("<int:pk>/andra/", views.DocumentUpdateView.as_view(), name="edit"),
    path("<int:pk>/ny-version/", views.version_create, name="version-create"),
    path("<int:pk>/remiss/", views.consultation_start, name="consultation"),
    path("<int:pk>/remissvar/", views.comment_create, name="comment"),
    path("<int:pk>/beslut/", views.decision_create, name="decision"),
    path("<int:pk>/granska/", views.review_start, name="review-start"),
    path("<int:pk>/upphav/", views.repeal, name="repeal"),
    path("granskningar/<int:pk>/klar/", views.review_complete, name="review-complete"),
    path("delgivningar/<int:pk>/", views.duty_deliver, name="duty-deliver"),
]
