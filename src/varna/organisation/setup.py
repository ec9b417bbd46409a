"""A municipality starts for real: the group, its top unit and bodies from its profile, and the
first security coordinator, without a demo and without Django admin (`varna setup`, or the
first-run page when the database has no group yet).

What is created comes from the profile only. Its optional `setup` section names the top unit and
the bodies; without it the top unit is named after the municipality and one body is made for
each kind the profile describes in the singular (the council, the executive board, the crisis
management board: kinds with a plural, such as committees, are many and come with the import).
"""

import re
import secrets
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Body, IdentityProviderGroupMapping, MunicipalGroup, OrgUnit, Person, RoleAssignment
from .profiles import Profile

LOGIN = re.compile(r"^[\w.@+-]{1,150}$")


@dataclass
class Coordinator:
    """The first person to work in Värna: a login of their own, or an identity provider group
    whose members get the role when they sign in (single sign-on)."""

    first_name: str = ""
    last_name: str = ""
    email: str = ""
    login: str = ""
    sso_group: str = ""
    password: str = ""  # chosen on the first-run page; `varna setup` makes one


@dataclass
class SetUp:
    group: MunicipalGroup
    top_unit: OrgUnit
    bodies: list[Body]
    role: str
    user: Any = None
    login: str = ""
    password: str = ""


def coordinator_role(profile: Profile) -> str:
    """The role the first coordinator gets: the profile's coordinator role that may manage and
    read classified records (the group's security coordinator), else any role that may manage."""
    for kwargs in (
        {"permission": "manage", "responsibility": "coordinator", "classified": True},
        {"permission": "manage", "classified": True},
        {"permission": "manage"},
    ):
        roles = profile.roles_with(**kwargs)
        if roles:
            return roles[0]
    raise ValidationError(_("The profile has no role that may manage: add one to its role_types."))


def plan(profile: Profile) -> dict:
    """What setting up with this profile creates (shown before it is done)."""
    spec = profile.data.get("setup") or {}
    given = spec.get("top_unit") or {}
    top = {
        "name": given.get("name") or profile.municipality["name"],
        "code": given.get("code") or profile.key.upper().replace("-", "")[:12],
        "level": given.get("level") or next(iter(profile.unit_levels)),
        "body": given.get("body"),
    }
    if spec.get("bodies") is not None:
        bodies = [
            {"key": b["key"], "kind": b["kind"], "name": b["name"], "parent": b.get("parent")} for b in spec["bodies"]
        ]
    else:
        bodies = [
            # A body's name is stored, so in the municipality's language, not the reader's.
            {"key": key, "kind": key, "name": kind["name"].get("sv") or profile.body_kind_name(key)}
            for key, kind in profile.body_kinds.items()
            if not kind.get("plural")
        ]
    return {"top_unit": top, "bodies": bodies, "role": coordinator_role(profile)}


def validate(profile: Profile, coordinator: Coordinator) -> dict[str, str]:
    """Errors by field (Swedish in the interface), empty when the setup can go ahead."""
    errors: dict[str, str] = {}
    if MunicipalGroup.objects.filter(profile_key=profile.key).exists():
        errors["profile"] = _("%(municipality)s is already set up in this database.") % {
            "municipality": profile.municipality["name"]
        }
    if coordinator.sso_group:
        if len(coordinator.sso_group) > 200:
            errors["sso_group"] = _("At most 200 characters.")
        return errors
    for name in ("first_name", "last_name", "login"):
        if not getattr(coordinator, name).strip():
            errors[name] = _("This field is required.")
    if coordinator.login and not LOGIN.match(coordinator.login):
        errors["login"] = _("Letters, digits and . @ + - _ only.")
    elif coordinator.login and get_user_model().objects.filter(username__iexact=coordinator.login).exists():
        errors["login"] = _("The login is taken.")
    if coordinator.email:
        try:
            validate_email(coordinator.email)
        except ValidationError:
            errors["email"] = _("Enter a valid e-mail address.")
    return errors


@transaction.atomic
def set_up(profile: Profile, coordinator: Coordinator) -> SetUp:
    """Create the group from the profile and give the first coordinator their role at the top
    unit. Raises ValidationError (by field) and creates nothing when the input is wrong."""
    errors = validate(profile, coordinator)
    if errors:
        raise ValidationError(errors)
    what = plan(profile)
    group = MunicipalGroup.objects.create(
        name=profile.municipality["group_name"], municipality_name=profile.municipality["name"], profile_key=profile.key
    )
    bodies: dict[str, Body] = {}
    for spec in what["bodies"]:
        bodies[spec["key"]] = Body.objects.create(
            group=group, kind=spec["kind"], name=spec["name"], parent=bodies.get(spec.get("parent"))
        )
    top = what["top_unit"]
    unit = OrgUnit.objects.create(
        group=group, kind=top["level"], name=top["name"], code=top["code"], responsible_body=bodies.get(top["body"])
    )
    result = SetUp(group=group, top_unit=unit, bodies=list(bodies.values()), role=what["role"])
    if coordinator.sso_group:
        IdentityProviderGroupMapping.objects.create(
            group=group, idp_group=coordinator.sso_group, role=result.role, unit=unit
        )
        return result
    password = coordinator.password or secrets.token_urlsafe(12)
    user = get_user_model().objects.create_user(
        username=coordinator.login,
        email=coordinator.email,
        password=password,
        first_name=coordinator.first_name,
        last_name=coordinator.last_name,
    )
    person = Person.objects.create(
        group=group,
        first_name=coordinator.first_name,
        last_name=coordinator.last_name,
        email=coordinator.email,
        unit=unit,
        user=user,
    )
    RoleAssignment.objects.create(person=person, role=result.role, unit=unit)
    result.user, result.login = user, user.username
    result.password = "" if coordinator.password else password  # a chosen password is not shown again
    return result
