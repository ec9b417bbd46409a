"""Import of sites and buildings from a property register's file (site_import.py), as every
import page runs (core/import_views.py), and the workbook to fill in (?mall=xlsx)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from varna.core.context_processors import current_group
from varna.core.import_views import FileImport
from varna.core.permissions import get_access
from varna.core.spreadsheets import xlsx_response

from . import site_import
from .models import SiteKind


def may_import(user) -> bool:
    """Whoever may change sites somewhere (as for the site form)."""
    access = get_access(user)
    return bool(access.is_superuser or access.scopes("change"))


def _may_import(request):
    group = current_group(request)
    if group is None or not may_import(request.user):
        raise PermissionDenied
    return group


def _done(request, plan):
    sites = ngettext("%(n)s site added or changed", "%(n)s sites added or changed", plan.sites_written) % {
        "n": plan.sites_written
    }
    buildings = ngettext(
        "%(n)s building added or changed", "%(n)s buildings added or changed", plan.buildings_written
    ) % {"n": plan.buildings_written}
    return _("The import is done: %(sites)s, %(buildings)s.") % {"sites": sites, "buildings": buildings}, reverse(
        "facilities:list"
    )


IMPORT = FileImport(
    kind=site_import.IMPORT_KIND,
    url_name="facilities:import",
    template="facilities/import.html",
    may_import=_may_import,
    parse=site_import.parse_file,
    build=lambda table, group, user, options: site_import.build_plan(table, group, user),
    write=lambda data, filename, group, user, options: site_import.import_file(data, filename, group, user),
    done=_done,
    columns=lambda group: site_import.COLUMNS,
    required=site_import.REQUIRED,
    value_choices=site_import.value_choices,
    record_label=gettext_lazy("Site / building"),
    context=lambda request, group: {"kind_names": [str(label) for label in SiteKind.labels]},
)


@login_required
def site_import_view(request):
    if request.method == "GET" and request.GET.get("mall") == "xlsx":
        group = _may_import(request)
        headers, rows = site_import.template_rows(group, request.user)
        return xlsx_response("anlaggningar-mall.xlsx", _("Sites and buildings"), headers, rows)
    return IMPORT.view(request)
