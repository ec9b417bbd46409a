from django.conf import settings

from . import areas
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
    access = get_access(getattr(request, "user", None))
    return {
        "group": group,
        "profile": group.profile if group else None,
        "access": access,
        "menu": lambda: _menu(request, access),  # called by the template only where it shows a menu
        "oidc_enabled": settings.OIDC_ENABLED,
    }


def _menu(request, access) -> list[dict]:
    """The main menu's sections for this reader, each entry marked if it is the current page."""
    match = getattr(request, "resolver_match", None)
    namespace, url_name = (match.namespace, match.url_name) if match else ("", "")
    sections = []
    for i, (title, entries) in enumerate(areas.menu(access)):
        links = [{"entry": e, "current": e.is_current(namespace, url_name or "")} for e in entries]
        sections.append(
            {"id": f"menu-{i}", "title": title, "links": links, "current": any(link["current"] for link in links)}
        )
    return sections
