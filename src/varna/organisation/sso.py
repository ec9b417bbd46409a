"""Roles from single sign-on: identity-provider groups mapped to roles on units.

A user arriving by single sign-on has exactly the roles their mapped groups give: nothing by
default, never an administrator. Roles entered by hand in Värna are left alone.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from .models import IdentityProviderGroupMapping, Person, RoleAssignment


@transaction.atomic
def sync_sso_roles(user, idp_groups: list[str]) -> list[RoleAssignment]:
    mappings = list(
        IdentityProviderGroupMapping.objects.filter(idp_group__in=idp_groups).select_related("unit", "group")
    )
    person = Person.objects.filter(user=user).first()
    if person is None and mappings:
        first = mappings[0]
        person = Person.objects.create(
            group=first.group,
            first_name=user.first_name or user.username,
            last_name=user.last_name,
            email=user.email,
            unit=first.unit,
            user=user,
        )
    if person is None:
        return []
    today = timezone.localdate()
    wanted = {(m.role, m.unit_id) for m in mappings if m.group_id == person.group_id}
    current = list(RoleAssignment.objects.current(today).filter(person=person, source=RoleAssignment.Source.SSO))
    have = {(a.role, a.unit_id): a for a in current}
    for key, assignment in have.items():
        if key in wanted:
            continue
        # Access ends at once; history keeps the assignment either way.
        if assignment.valid_from and assignment.valid_from >= today:
            assignment.delete()
        else:
            assignment.valid_to = today - datetime.timedelta(days=1)
            assignment.note = "Ended: no longer in the identity provider group"
            assignment.save_versioned(assignment.version)
    created = [
        RoleAssignment.objects.create(
            person=person, role=role, unit_id=unit_id, valid_from=today, source=RoleAssignment.Source.SSO
        )
        for role, unit_id in wanted - set(have)
    ]
    return created
