from django.urls import path

from . import views

app_name = "insurance"

urlpatterns = [
    path("", views.policy_list, name="list"),
    path("ny/", views.policy_create, name="create"),
    path("riskfinansiering/", views.risk_financing, name="financing"),
    path("oversyn/<int:pk>/", views.review_detail, name="review"),
    path("<int:pk>/", views.policy_detail, name="policy"),
    path("<int:pk>/andra/", views.PolicyUpdateView.as_view(), name="edit"),
    path("<int:pk>/skydd/", views.cover_add, name="cover-add"),
    path("skydd/<int:pk>/ta-bort/", views.cover_remove, name="cover-remove"),
]
