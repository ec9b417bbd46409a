"""Load a profile's demo municipality into the database: the organisation first, then each
installed area's part (core.areas), in the order they build on each other."""

import secrets

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from varna.core import areas

from .models import Body, Contract, ExternalParty, MunicipalGroup, OrgUnit, Person, RoleAssignment
from .profiles import Profile


@transaction.atomic
def load_demo(profile: Profile) -> tuple[MunicipalGroup, dict[str, str]]:
    """Load what the profile's demo section declares, area by area. Returns the group and
    {login: password} for the demo users."""
    ctx = areas.DemoContext(profile=profile)
    for load in areas.demo_loaders():
        load(ctx)
    # A demo that holds every first step (core.areas.FirstStep) is past its first week.
    if all(step.done for step in areas.first_steps(ctx.group)):
        ctx.group.first_steps_done_on = timezone.localdate()
        ctx.group.save(update_fields=["first_steps_done_on"])
    return ctx.group, ctx.logins


def load_organisation(ctx: areas.DemoContext) -> None:
    """The organisation's demo (area.py): the group, bodies, units, people, roles and external
    parties, and the technical administrator."""
    profile = ctx.profile
    municipality = profile.municipality
    demo = profile.data["demo"]
    group = MunicipalGroup.objects.create(
        name=municipality["group_name"], municipality_name=municipality["name"], profile_key=profile.key
    )
    bodies: dict[str, Body] = {}
    for spec in demo["bodies"]:
        bodies[spec["key"]] = Body.objects.create(
            group=group, kind=spec["kind"], name=spec["name"], parent=bodies.get(spec.get("parent"))
        )

    units: dict[str, OrgUnit] = {}

    def create_units(specs, parent):
        for spec in specs:
            unit = OrgUnit.objects.create(
                group=group,
                parent=parent,
                kind=spec["level"],
                name=spec["name"],
                code=spec["code"],
                responsible_body=bodies.get(spec.get("body")),
            )
            units[spec["code"]] = unit
            create_units(spec["children"], unit)

    create_units(demo["units"], None)

    User = get_user_model()
    logins: dict[str, str] = {}
    for spec in demo["people"]:
        user = None
        if spec.get("login"):
            password = secrets.token_urlsafe(9)
            user = User.objects.create_user(
                username=spec["login"],
                email=spec.get("email") or "",
                password=password,
                first_name=spec["first_name"],
                last_name=spec["last_name"],
            )
            logins[spec["login"]] = password
        person = Person.objects.create(
            group=group,
            first_name=spec["first_name"],
            last_name=spec["last_name"],
            title=spec["title"],
            email=spec.get("email") or "",
            employee_number=spec.get("employee_number") or "",
            employment_start=spec.get("employment_start"),
            unit=units[spec["unit"]],
            user=user,
        )
        for role in spec["roles"]:
            RoleAssignment.objects.create(
                person=person, role=role["role"], unit=units[role["unit"]], valid_from=role.get("valid_from")
            )

    for spec in demo["external_parties"]:
        party = ExternalParty.objects.create(
            group=group,
            name=spec["name"],
            kind=spec["kind"],
            unit=units[spec["unit"]],
            org_number=spec["org_number"],
            contact_name=spec["contact_name"],
            contact_email=spec["contact_email"],
            classification=spec["classification"],
            classification_ground=spec["classification_ground"],
        )
        for contract_spec in spec["contracts"]:
            contract = Contract.objects.create(
                party=party,
                title=contract_spec["title"],
                reference=contract_spec["reference"],
                valid_from=contract_spec["valid_from"],
                valid_to=contract_spec.get("valid_to"),
            )
            contract.units.set([units[code] for code in contract_spec["units"]])

    password = secrets.token_urlsafe(9)
    User.objects.create_superuser(username="admin", email="", password=password)
    logins["admin"] = password
    ctx.group, ctx.bodies, ctx.units, ctx.logins = group, bodies, units, logins
