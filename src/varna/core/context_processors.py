from django.conf import settings

from .permissions import get_access


def current_group(request):
    """The municipal group a request works in: the user's own, or the only/first one."""
    if hasattr(request, "_varna_group"):
        return request._varna_group
    from varna.organisation.models import MunicipalGroup

    group = None
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        access = get_access(user)
        if access.person is not None:
            group = access.person.group
        else:
            if access.group_ids:
                group = MunicipalGroup.objects.filter(pk__in=access.group_ids).order_by("pk").first()
            elif user.is_superuser:
                group = MunicipalGroup.objects.order_by("pk").first()
    request._varna_group = group
    return group


def varna(request):
    group = current_group(request)
    return {
        "group": group,
        "profile": group.profile if group else None,
        "access": get_access(getattr(request, "user", None)),
        "oidc_enabled": settings.OIDC_ENABLED,
    }
