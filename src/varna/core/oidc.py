import logging

import requests
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

logger = logging.getLogger(__name__)


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
        from varna.organisation.sso import sync_sso_roles

        sync_sso_roles(user, self._groups(claims))
        return user
