"""The register of sites and buildings: list with search and filters, detail, create, edit,
delete, and the register as an Excel file. Everything reads through `restrict`: a classified
site (and every building on it) is there only for roles cleared on its unit, and each read of
one is logged (core/access_log.py)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from varna.core.access_log import get_logged_or_404, log_reads
from varna.core.history import history_entries
from varna.core.links import HIDDEN_RECORD
from varna.core.params import int_param
from varna.core.permissions import get_access
from varna.core.spreadsheets import workbook_response
from varna.core.views import VersionedUpdateView, create_view
from varna.core.views import scoped_group as _group
from varna.organisation.models import OrgUnit

from . import alarm_views
from .forms import BuildingForm, SiteForm
from .import_views import may_import
from .models import AccessControlSystem, Alarm, Building, KeySystem, Site, SiteKind

PAGE_SIZE = 50
SEARCHED_FIELDS = ("name", "code", "address", "property_designation")


def filter_sites(request, group):
    """The register as the list's filters (?q, typ, enhet) narrow it, within what the user may
    see: (queryset, the filter values, the chosen unit or None). Shared by the list and its
    export."""
    sites = Site.objects.restrict(request.user).filter(group=group).select_related("unit")
    filters = {
        "q": request.GET.get("q", "").strip()[:200],
        "typ": request.GET.get("typ", ""),
        "enhet": request.GET.get("enhet", ""),
    }
    for word in filters["q"].split()[:10]:
        sites = sites.filter(_any_field(word))
    if filters["typ"] in SiteKind.values:
        sites = sites.filter(kind=filters["typ"])
    unit = None
    if int_param(request, "enhet") is not None:
        unit = OrgUnit.objects.restrict(request.user).filter(group=group, pk=int_param(request, "enhet")).first()
        if unit:
            # Owned by the unit or a unit under it, or used by one of them.
            used = Site.using_units.through.objects.filter(orgunit__path__startswith=unit.path).values("site_id")
            sites = sites.filter(Q(unit__path__startswith=unit.path) | Q(pk__in=used))
    return sites, filters, unit


def _any_field(word: str) -> Q:
    condition = Q()
    for name in SEARCHED_FIELDS:
        condition |= Q(**{f"{name}__icontains": word})
    return condition


@login_required
def site_list(request):
    group = _group(request)
    sites, filters, unit = filter_sites(request, group)
    page = Paginator(sites.order_by("name", "pk"), PAGE_SIZE).get_page(request.GET.get("sida"))
    return render(
        request,
        "facilities/list.html",
        {
            "page": page,
            "filters": filters,
            "filter_unit": unit,
            "kinds": SiteKind.choices,
            "units": OrgUnit.objects.restrict(request.user).filter(group=group, depth__lte=2).order_by("path"),
            "can_create": bool(get_access(request.user).scopes("change")),
            "can_import": may_import(request.user),
        },
    )


def _site(request, pk, action="view"):
    return get_logged_or_404(
        request, Site.objects.restrict(request.user, action).select_related("unit", "group", "contact__unit"), pk=pk
    )


def contact_name(access, site) -> str:
    """The site's contact person as the reader may see them: people are read within a scope."""
    if site.contact is None:
        return ""
    return str(site.contact) if access.can("view", site.contact.unit) else str(HIDDEN_RECORD)


def _building(request, pk, action="view"):
    return get_logged_or_404(
        request, Building.objects.restrict(request.user, action).select_related("site__unit", "site__group"), pk=pk
    )


def _visible_buildings(request, site):
    buildings = list(Building.objects.restrict(request.user).filter(site=site).order_by("code", "pk"))
    for building in buildings:
        building.site = site
    log_reads(request, buildings, "view")
    return buildings


@login_required
def site_detail(request, pk):
    site = _site(request, pk)
    access = get_access(request.user)
    return render(
        request,
        "facilities/detail.html",
        {
            "site": site,
            "contact": contact_name(access, site),
            "contact_visible": site.contact is not None and access.can("view", site.contact.unit),
            "buildings": _visible_buildings(request, site),
            "key_systems": KeySystem.objects.restrict(request.user).filter(site=site).annotate(key_count=Count("keys")),
            "using_units": site.using_units.order_by("path"),
            "today": timezone.localdate(),
            "can_change": access.can("change", site.unit),
            "history": history_entries(site, request.user),
            "alarm_section": alarm_views.site_section(request, site),
        },
    )


@login_required
def site_create(request):
    return create_view(
        request,
        SiteForm,
        title=_("New site"),
        message=_("The site was registered."),
        initial={"unit": request.GET.get("enhet")} if int_param(request, "enhet") else None,
    )


class SiteUpdateView(VersionedUpdateView):
    model = Site
    form_class = SiteForm


@login_required
def site_delete(request, pk):
    site = _site(request, pk, "change")
    # What hangs off a site is removed first, each with its own check (buildings now; keys,
    # alarms and cameras later), so that nothing a reader may not see goes with it unseen.
    blocked = Building.objects.filter(site=site).exists()
    blocked_by_systems = not blocked and (
        AccessControlSystem.objects.filter(site=site).exists() or KeySystem.objects.filter(site=site).exists()
    )
    if request.method == "POST" and not (blocked or blocked_by_systems):
        site.delete()
        messages.success(request, _("The site was deleted."))
        return redirect("facilities:list")
    return render(
        request,
        "facilities/delete.html",
        {
            "record": site,
            "cancel": site,
            "title": _("Delete %(name)s") % {"name": site.name},
            "blocked": _("The site has buildings registered: delete them first.")
            if blocked
            else _("The site has key systems or access control systems registered: delete them first.")
            if blocked_by_systems
            else "",
        },
        status=409 if request.method == "POST" and (blocked or blocked_by_systems) else 200,
    )


@login_required
def building_create(request, pk):
    site = _site(request, pk, "change")
    form = BuildingForm(request.POST or None, user=request.user, site=site)
    if request.method == "POST" and form.is_valid():
        building = form.save()
        messages.success(request, _("The building was registered."))
        return redirect(building)
    return render(
        request,
        "organisation/form.html",
        {"form": form, "title": _("New building on %(site)s") % {"site": site.name}, "cancel": site},
    )


@login_required
def building_detail(request, pk):
    building = _building(request, pk)
    return render(
        request,
        "facilities/building.html",
        {
            "building": building,
            "site": building.site,
            "can_change": get_access(request.user).can("change", building.site.unit),
            "history": history_entries(building, request.user),
            "alarm_section": alarm_views.building_section(request, building),
        },
    )


class BuildingUpdateView(VersionedUpdateView):
    model = Building
    form_class = BuildingForm

    def get_queryset(self):
        return super().get_queryset().select_related("site__unit", "site__group")


@login_required
def building_delete(request, pk):
    building = _building(request, pk, "change")
    site = building.site
    blocked = Alarm.objects.filter(building=building).exists()
    if request.method == "POST" and not blocked:
        building.delete()
        messages.success(request, _("The building was deleted."))
        return redirect(site)
    return render(
        request,
        "facilities/delete.html",
        {
            "record": building,
            "cancel": building,
            "title": _("Delete %(name)s") % {"name": building.name},
            "blocked": _("The building has alarms registered: delete them first.") if blocked else "",
        },
        status=409 if request.method == "POST" and blocked else 200,
    )


# The register to Excel ----------------------------------------------------------------------


def _site_headers():
    return [
        _("Code"),
        _("Name"),
        _("Kind of site"),
        _("Owner unit"),
        _("Using units"),
        _("Street address"),
        _("Postal code"),
        _("Town"),
        _("Property designation"),
        _("Latitude"),
        _("Longitude"),
        _("Contact person"),
        _("Classification"),
        _("Valid from"),
        _("Valid to"),
        _("Notes"),
    ]


def _building_headers():
    return [
        _("Site code"),
        _("Site"),
        _("Code"),
        _("Name"),
        _("Year built"),
        _("Floor area (m²)"),
        _("Street address"),
        _("Classification"),
        _("Notes"),
    ]


@login_required
def register_export(request):
    """The register as the list shows it (same filters, same scope) as an Excel file: a sheet of
    sites and one of their buildings. Every classified record written is logged as exported."""
    group = _group(request)
    access = get_access(request.user)
    sites, _filters, _unit = filter_sites(request, group)
    sites = list(
        sites.select_related("unit", "contact__unit").prefetch_related("using_units").order_by("name", "pk")[:20000]
    )
    by_pk = {s.pk: s for s in sites}
    buildings = list(
        Building.objects.restrict(request.user).filter(site__in=list(by_pk)).order_by("site__name", "code", "pk")
    )
    for building in buildings:
        building.site = by_pk[building.site_id]
    site_rows = [
        [
            s.code,
            s.name,
            s.get_kind_display(),
            s.unit.name,
            ", ".join(u.name for u in sorted(s.using_units.all(), key=lambda u: u.path)),
            s.address,
            s.postal_code,
            s.town,
            s.property_designation,
            None if s.latitude is None else float(s.latitude),
            None if s.longitude is None else float(s.longitude),
            contact_name(access, s),
            s.get_classification_display(),
            s.valid_from,
            s.valid_to,
            s.notes,
        ]
        for s in sites
    ]
    building_rows = [
        [
            b.site.code,
            b.site.name,
            b.code,
            b.name,
            b.year_built,
            b.floor_area,
            b.address,
            _("Classified (secret)") if b.is_classified else b.get_classification_display(),
            b.notes,
        ]
        for b in buildings
    ]
    response = workbook_response(
        f"anlaggningar-{timezone.localdate().isoformat()}.xlsx",
        [(_("Sites"), _site_headers(), site_rows), (_("Buildings"), _building_headers(), building_rows)],
    )
    log_reads(request, [*sites, *buildings], "export")
    return response
