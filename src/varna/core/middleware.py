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


class StripNulMiddleware:
    """Drop NUL characters from query parameters. PostgreSQL text cannot hold them, so a
    `?q=%00` would reach a search and fail with a server error; removed here, once, for every
    list and filter (form fields refuse NUL themselves, with a message)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "%00" in request.META.get("QUERY_STRING", ""):
            from django.http import QueryDict

            cleaned = QueryDict(mutable=True)
            for key, values in request.GET.lists():
                cleaned.setlist(key.replace("\x00", ""), [v.replace("\x00", "") for v in values])
            cleaned._mutable = False
            request.GET = cleaned
        return self.get_response(request)
