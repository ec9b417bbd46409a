"""Single sign-on (OIDC) and the roles it gives: identity-provider groups mapped to roles on units.

A user arriving by single sign-on has exactly the roles their mapped groups give: nothing by
default, never an administrator. Roles entered by hand in Värna are left alone.
"""

import datetime
import logging

import requests
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.utils import timezone
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from .models import IdentityProviderGroupMapping, Person, RoleAssignment

logger = logging.getLogger(__name__)


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


class VarnaOIDCBackend(OIDCAuthenticationBackend):
    """Single sign-on users get the roles of their mapped identity-provider groups, and never
    staff or superuser status: administrators are made in Värna, not by a claim."""

    def authenticate(self, request, **kwargs):
        """A refused code, an unreachable provider or a token that fails verification is a
        failed login (back to the login page with a message), never a server error."""
        try:
            return super().authenticate(request, **kwargs)
        except (requests.RequestException, SuspiciousOperation, ValueError) as exc:
            logger.warning("Single sign-on failed: %s", exc)
            return None

    def _groups(self, claims) -> list[str]:
        groups = claims.get(getattr(settings, "OIDC_GROUPS_CLAIM", "groups"), [])
        return [str(g) for g in groups] if isinstance(groups, list) else []

    def create_user(self, claims):
        user = self.UserModel.objects.create_user(
            self.get_username(claims),
            email=claims.get("email", ""),
            first_name=claims.get("given_name", "")[:150],
            last_name=claims.get("family_name", "")[:150],
        )
        user.is_staff = user.is_superuser = False
        user.set_unusable_password()
        user.save()
        return self.update_user(user, claims)

    def update_user(self, user, claims):
        sync_sso_roles(user, self._groups(claims))
        return user
