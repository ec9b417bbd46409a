"""The organisation's first steps for a new municipality (core.areas.FirstStep): its units and
people imported, and roles given below the top unit."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from varna.core.areas import FirstStep
from varna.core.formatting import count

from .models import OrgUnit, Person, RoleAssignment


def first_steps(group) -> list[FirstStep]:
    units = OrgUnit.objects.filter(group=group).count()
    people = Person.objects.filter(group=group).count()
    with_roles = (
        RoleAssignment.objects.filter(unit__group=group, unit__parent__isnull=False).values("unit").distinct().count()
    )
    return [
        FirstStep(
            _("Import the units and people (an HR export)"),
            "organisation:import",
            units > 1 and people > 1,
            ngettext("%(n)s unit", "%(n)s units", units) % {"n": count(units)}
            + ", "
            + ngettext("%(n)s person", "%(n)s people", people) % {"n": count(people)},
        ),
        FirstStep(
            _("Give the heads and coordinators their roles"),
            "organisation:role-import",
            with_roles > 0,
            ngettext("roles at %(n)s unit below the top", "roles at %(n)s units below the top", with_roles)
            % {"n": count(with_roles)},
        ),
    ]
