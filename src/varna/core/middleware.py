from django.shortcuts import redirect
from django.urls import reverse

from .permissions import get_access

EXEMPT_PREFIXES = ("/konto/", "/static/", "/health", "/i18n/", "/oidc/")


def otp_required(user) -> bool:
    """A user must use a second factor when any of their current roles requires it,
    by the profile's default or an administrator's setting."""
    from varna.organisation.models import RoleSetting

    access = get_access(user)
    required = False
    for assignment in access.roles:
        group = assignment.unit.group
        role = group.profile.role_types.get(assignment.role)
        if role and role["require_otp"]:
            required = True
            break
    if not required and access.roles:
        required = RoleSetting.objects.filter(
            group_id__in=access.group_ids, role__in={a.role for a in access.roles}, require_otp=True
        ).exists()
    return required


class OtpRequiredMiddleware:
    """Send users whose role demands a second factor to set it up or verify it first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(EXEMPT_PREFIXES)
            and not user.is_verified()
            and otp_required(user)
        ):
            return redirect(f"{reverse('otp-verify')}?next={request.get_full_path()}")
        return self.get_response(request)
