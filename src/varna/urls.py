from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from varna.core import areas
from varna.core.views import favicon

urlpatterns = [
    path("", include("varna.core.urls")),
    path("favicon.ico", favicon, name="favicon"),
    # Each installed area under its own prefix (its area.py).
    *areas.url_patterns(),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

if settings.OIDC_ENABLED:
    urlpatterns.append(path("oidc/", include("mozilla_django_oidc.urls")))
