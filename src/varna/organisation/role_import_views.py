"""Import of role assignments from a file (role_import.py), as every import page runs
(core/import_views.py)."""

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext_lazy, ngettext

from varna.core.context_processors import current_group
from varna.core.i18n import tr
from varna.core.import_forms import RegisterImportForm
from varna.core.import_views import FileImport
from varna.core.permissions import get_access

from . import role_import


def _may_import(request):
    """The group, if the user may give roles somewhere (manage a unit, as for the role form)."""
    group = current_group(request)
    access = get_access(request.user)
    if group is None or not (access.is_superuser or access.scopes("manage")):
        raise PermissionDenied
    return group


def _done(request, plan):
    message = ngettext(
        "The import is done: %(n)s role assignment was added.",
        "The import is done: %(n)s role assignments were added.",
        plan.created,
    ) % {"n": plan.created}
    return message, reverse("organisation:group")


ROLES = FileImport(
    kind=role_import.IMPORT_KIND,
    url_name="organisation:role-import",
    template="organisation/role_import.html",
    may_import=_may_import,
    parse=role_import.parse_file,
    build=lambda table, group, user, options: role_import.build_plan(
        table, group, user, skip_registered=bool(options.get("skip_registered"))
    ),
    write=lambda data, filename, group, user, options: role_import.import_file(
        data, filename, group, user, skip_registered=bool(options.get("skip_registered"))
    ),
    done=_done,
    columns=lambda group: role_import.COLUMNS,
    required=role_import.REQUIRED,
    value_choices=role_import.value_choices,
    form_class=RegisterImportForm,
    record_label=gettext_lazy("Person"),
    context=lambda request, group: {
        "people_url": reverse("organisation:import"),
        "role_names": [tr(spec["name"]) for spec in group.profile.role_types.values()],
    },
)
role_import_view = ROLES.view
