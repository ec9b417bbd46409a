"""The application's URLs plus views that fail, to see the error pages a user would get."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path

from varna.urls import urlpatterns as application


def _fails(request):
    raise RuntimeError("a bug")


def _suspicious(request):
    raise SuspiciousOperation("a file name too long")


def _denied(request):
    raise PermissionDenied


urlpatterns = [
    path("test/fel/", _fails),
    path("test/misstankt/", _suspicious),
    path("test/nekad/", _denied),
    *application,
]
