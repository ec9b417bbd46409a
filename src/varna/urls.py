from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("varna.core.urls")),
    path("organisation/", include("varna.organisation.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
