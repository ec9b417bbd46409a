from django.shortcuts import redirect
from django.urls import reverse

from .permissions import get_access

EXEMPT_PREFIXES = ("/konto/", "/static/", "/health", "/i18n/", "/oidc/")


class OtpRequiredMiddleware:
    """Send users whose role demands a second factor (by the profile's default or an
    administrator's setting) to set it up or verify it first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(EXEMPT_PREFIXES)
            and not user.is_verified()
            and get_access(user).requires_otp
        ):
            return redirect(f"{reverse('otp-verify')}?next={request.get_full_path()}")
        return self.get_response(request)
