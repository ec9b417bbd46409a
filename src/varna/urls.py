from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from varna.core.views import favicon

urlpatterns = [
    path("", include("varna.core.urls")),
    path("favicon.ico", favicon, name="favicon"),
    path("organisation/", include("varna.organisation.urls")),
    path("styrdokument/", include("varna.documents.urls")),
    path("risker/", include("varna.risks.urls")),
    path("handelser/", include("varna.incidents.urls")),
    path("forsakringar/", include("varna.insurance.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

if settings.OIDC_ENABLED:
    urlpatterns.append(path("oidc/", include("mozilla_django_oidc.urls")))
