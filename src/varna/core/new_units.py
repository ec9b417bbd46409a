"""Units a file names that the group has not registered, created from the import's dry run.

Another system's export names units Värna may not have yet (a new school, a unit the HR export
left out). On the dry run the unknown word can be given a meaning among the units, or be made a
new unit: under a unit the user manages, at a level of the profile, named as the file names it.
The new unit gets a free code made from the word, is recorded in its history with the file it
came from, and the word is saved to mean it, so the file is checked again and the next file
finds it. Every import's "unit" field is offered this (core/column_mapping.ValuesForm).
"""

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from varna.organisation.models import OrgUnit

FIELD = "unit"
"""The field of the imports whose words are units."""


def parents(group, user) -> list[tuple[str, str]]:
    """The units a new unit may be placed under: those the user manages, in tree order."""
    units = OrgUnit.objects.restrict(user, "manage").filter(group=group).active().order_by("path")
    return [(unit.code, f"{unit.code} – {unit.name}") for unit in units.only("code", "name")]


def levels(group) -> list[tuple[str, str]]:
    profile = group.profile
    return [(key, profile.level_name(key)) for key in profile.unit_levels]


def _free_code(group, word: str) -> str:
    limit = OrgUnit._meta.get_field("code").max_length
    base = re.sub(r"[^\w]+", "-", word.upper()).strip("-")[: limit - 4] or "ENHET"
    taken = {c.casefold() for c in OrgUnit.objects.filter(group=group).values_list("code", flat=True)}
    code, n = base, 2
    while code.casefold() in taken:
        code, n = f"{base}-{n}", n + 1
    return code


@transaction.atomic
def create(group, user, *, name: str, parent_code: str, level: str, reason: str) -> OrgUnit:
    """A new unit under `parent_code` (which the user must manage), at `level`, named `name`;
    ValidationError with the reason when it cannot be."""
    name = name.strip()
    if not name or len(name) > OrgUnit._meta.get_field("name").max_length:
        raise ValidationError(_("“%(name)s” cannot be the name of a unit.") % {"name": name[:80]})
    if level not in group.profile.unit_levels:
        raise ValidationError(_("Choose a level for the new unit “%(name)s”.") % {"name": name})
    parent = (
        OrgUnit.objects.restrict(user, "manage").filter(group=group, code=parent_code).active().first()
        if parent_code
        else None
    )
    if parent is None:
        raise ValidationError(_("Choose a unit you manage to place “%(name)s” under.") % {"name": name})
    unit = OrgUnit(group=group, parent=parent, kind=level, name=name, code=_free_code(group, name))
    unit._history_user = user
    unit._change_reason = reason
    unit.save()
    return unit
