from django.contrib.auth import views as django_auth_views
from django.urls import path

from . import auth_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("konto/logga-in/", auth_views.LoginView.as_view(), name="login"),
    path("konto/logga-ut/", django_auth_views.LogoutView.as_view(), name="logout"),
    path("konto/tvafaktor/", auth_views.otp_verify, name="otp-verify"),
    path("konto/tvafaktor/aktivera/", auth_views.otp_setup, name="otp-setup"),
    path("konto/tvafaktor/enheter/", auth_views.otp_devices, name="otp-devices"),
    path("konto/tvafaktor/enheter/<int:pk>/ta-bort/", auth_views.otp_device_remove, name="otp-device-remove"),
    path("uppgifter/", views.tasks, name="tasks"),
    path("notiser/", views.notifications, name="notifications"),
    path("notiser/<int:pk>/las/", views.notification_read, name="notification-read"),
    path("skyldigheter/", views.obligations, name="obligations"),
    path("skyldigheter/kontrollera/", views.obligations_refresh, name="obligations-refresh"),
    path("health/", views.health, name="health"),
]
