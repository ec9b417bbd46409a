"""The public list of the municipality's camera surveillance, for anyone (no login), where the
profile opens it (`facilities.public_camera_list`). It lists only surveillances in use that are
marked public, on sites and buildings that are not classified: a classified surveillance, or one
on a classified site or building, is never there, nor an internal one (internal means for the
municipality's staff). For each: the site, the area covered, the purposes, the retention and the
controller (the municipal company owning the site's unit, else the municipality)."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from varna.core.models import Classification
from varna.organisation.models import MunicipalGroup, OrgUnit

PAGE_SIZE = 100


def is_open(group) -> bool:
    return bool((group.profile.data.get("facilities") or {}).get("public_camera_list"))


def public_surveillances(group):
    from .models import CameraSurveillance

    return (
        CameraSurveillance.objects.filter(group=group, classification=Classification.PUBLIC)
        .exclude(site__classification=Classification.CLASSIFIED)
        .exclude(building__classification=Classification.CLASSIFIED)
        .current(timezone.localdate())
        .select_related("site__unit")
        .only(
            "name",
            "area_covered",
            "purpose_crime",
            "purpose_order",
            "purpose_accidents",
            "purpose_other",
            "purpose",
            "retention_days",
            "site__name",
            "site__unit__path",
            "site__unit__name",
        )
    )


def _group(request):
    """The municipal group asked for with ?kommun=<id>, or the only one there is; None and all
    of them when there are several and none is chosen."""
    raw = request.GET.get("kommun", "")
    if raw:
        if not (raw.isascii() and raw.isdigit() and len(raw) < 19):
            raise Http404
        return get_object_or_404(MunicipalGroup, pk=raw), []
    groups = list(MunicipalGroup.objects.order_by("name", "pk"))
    if len(groups) == 1:
        return groups[0], []
    return None, [g for g in groups if is_open(g)]


def controllers(group) -> list[tuple[str, str]]:
    """(path, name) of the group's municipal companies, longest path first: a site's controller
    is the first whose subtree holds the site's unit."""
    companies = group.profile.company_levels()
    units = OrgUnit.objects.filter(group=group, kind__in=companies).values_list("path", "name")
    return sorted(units, key=lambda u: -len(u[0]))


@require_safe
def public_list(request):
    group, groups = _group(request)
    if group is None:
        if not groups:
            raise Http404
        return render(request, "facilities/cameras/public_list.html", {"groups": groups, "public_group": None})
    if not is_open(group):
        raise Http404
    companies = controllers(group)
    page = Paginator(public_surveillances(group).order_by("site__name", "name", "pk"), PAGE_SIZE).get_page(
        request.GET.get("sida")
    )
    rows = list(page)
    for s in rows:
        s.controller = next(
            (name for path, name in companies if s.site.unit.path.startswith(path)), group.municipality_name
        )
    return render(
        request,
        "facilities/cameras/public_list.html",
        {
            "public_group": group,
            "page": page,
            "rows": rows,
            "querystring_base": urlencode({"kommun": group.pk}) + "&",
        },
    )
