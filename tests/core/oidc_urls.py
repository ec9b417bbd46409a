"""The application's URLs with single sign-on switched on, as `OIDC_RP_CLIENT_ID` does in settings."""

from django.urls import include, path

from varna.urls import urlpatterns as base

urlpatterns = [*base, path("oidc/", include("mozilla_django_oidc.urls"))]
