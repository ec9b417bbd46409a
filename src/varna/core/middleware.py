from django.shortcuts import redirect
from django.urls import reverse

from .permissions import get_access
from .xml_text import has_xml_illegal, strip_xml_illegal

EXEMPT_PREFIXES = ("/konto/", "/static/", "/health", "/i18n/", "/oidc/", "/favicon.ico")


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
    """Drop the characters XML cannot hold (NUL, other C0 controls, U+FFFE, U+FFFF: see
    core/xml_text.py) from query parameters and posted form fields, once, for every page.

    PostgreSQL text cannot hold NUL, so a `?q=%00` would reach a search and fail with a server
    error; a title with U+FFFE, once stored, made every XLSX export of its register fail. The
    posted fields are cleaned when a view first reads them, not here: a view may still install
    an upload handler before the body is read (documents/file_views.py), and uploaded files are
    left as they are."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.META.get("QUERY_STRING") and _needs_cleaning(request.GET):
            request.GET = _cleaned(request.GET)
        if request.method == "POST":
            _clean_post_when_read(request)
        return self.get_response(request)


def _needs_cleaning(data) -> bool:
    return any(has_xml_illegal(key) or any(has_xml_illegal(v) for v in values) for key, values in data.lists())


def _cleaned(data):
    from django.http import QueryDict

    cleaned = QueryDict(mutable=True)
    for key, values in data.lists():
        cleaned.setlist(strip_xml_illegal(key), [strip_xml_illegal(v) for v in values])
    cleaned._mutable = False
    return cleaned


def _clean_post_when_read(request) -> None:
    load = request._load_post_and_files

    def load_and_clean():
        load()
        if _needs_cleaning(request._post):
            request._post = _cleaned(request._post)

    request._load_post_and_files = load_and_clean
