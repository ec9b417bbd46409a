"""Obligation checks for the organisation area (HJ-6, HJ-9, AL-8, KK-11, KK-12 and others)."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from varna.core.obligations import Evidence, Result, Status, registry

from .models import Body, OrgUnit, RoleAssignment
from .services import people_with_role, responsibilities, units_at_levels


def _levels_name(profile, levels: list[str]) -> str:
    return ", ".join(profile.level_name(level, plural=True).lower() for level in levels)


def _unit_evidence(units) -> list[Evidence]:
    # Units are shown as the org tree is: to readers with a scope on them (OrgUnit.restrict).
    return [Evidence.of(unit, unit.name) for unit in units]


@registry.register("bodies_exist", kinds=("body_kinds[]", True))
def bodies_exist(group, profile, kinds):
    bodies = list(Body.objects.filter(group=group, kind__in=kinds))
    present = {b.kind for b in bodies}
    missing = [k for k in kinds if k not in present]
    names = ", ".join(profile.body_kind_name(k) for k in missing)
    if missing:
        return Result(Status.NOT_MET, _("Missing in the register: %(names)s.") % {"names": names})
    found = ", ".join(profile.body_kind_name(k) for k in kinds)
    return Result(
        Status.MET,
        _("Registered: %(names)s.") % {"names": found},
        # The bodies' pages are open to every role of the group.
        [Evidence(b.name, b.get_absolute_url(), records=[]) for b in bodies],
    )


@registry.register("role_filled", role=("role_types", True), minimum=("int", False))
def role_filled(group, profile, role, minimum=1):
    holders = people_with_role(group, role)
    name = profile.role_name(role)
    # A person's page is open to readers with a scope on the person's unit (and the label names
    # the unit of the role too): their units' paths in one query.
    paths = dict(OrgUnit.objects.filter(pk__in={a.person.unit_id for a in holders}).values_list("pk", "path"))
    evidence = [
        Evidence(
            f"{a.person} ({a.unit})",
            a.person.get_absolute_url(),
            records=[(paths.get(a.person.unit_id), False), (a.unit.path, False)],
        )
        for a in holders
    ]
    if len(holders) >= minimum:
        return Result(Status.MET, _("%(role)s: %(n)s appointed.") % {"role": name, "n": len(holders)}, evidence)
    status = Status.PARTLY if holders else Status.NOT_MET
    return Result(
        status,
        _("%(role)s: %(n)s appointed, at least %(min)s needed.") % {"role": name, "n": len(holders), "min": minimum},
        evidence,
    )


@registry.register("units_have_body", levels=("unit_levels[]", True))
def units_have_body(group, profile, levels):
    units = units_at_levels(group, levels)
    what = _levels_name(profile, levels)
    if not units:
        return Result(Status.NOT_MET, _("No %(what)s are registered.") % {"what": what})
    lacking = [u for u in units if u.responsible_body_id is None]
    if not lacking:
        return Result(Status.MET, _("All %(n)s %(what)s have a responsible body.") % {"n": len(units), "what": what})
    return Result(
        Status.NOT_MET,
        ngettext(
            "%(k)s of %(n)s %(what)s has no responsible body.",
            "%(k)s of %(n)s %(what)s have no responsible body.",
            len(lacking),
        )
        % {"k": len(lacking), "n": len(units), "what": what},
        _unit_evidence(lacking),
    )


@registry.register("units_have_role", levels=("unit_levels[]", True), role=("role_types", True))
def units_have_role(group, profile, levels, role):
    units = units_at_levels(group, levels)
    what = _levels_name(profile, levels)
    name = profile.role_name(role).lower()
    if not units:
        return Result(Status.NOT_MET, _("No %(what)s are registered.") % {"what": what})
    filled = set(RoleAssignment.objects.current().filter(unit__in=units, role=role).values_list("unit_id", flat=True))
    lacking = [u for u in units if u.pk not in filled]
    if not lacking:
        return Result(
            Status.MET, _("All %(n)s %(what)s have a %(role)s.") % {"n": len(units), "what": what, "role": name}
        )
    return Result(
        Status.NOT_MET,
        ngettext("%(k)s of %(n)s %(what)s has no %(role)s.", "%(k)s of %(n)s %(what)s have no %(role)s.", len(lacking))
        % {"k": len(lacking), "n": len(units), "what": what, "role": name},
        _unit_evidence(lacking),
    )


@registry.register("operational_responsibility", levels=("unit_levels[]", True))
def operational_responsibility(group, profile, levels):
    """Each unit at the levels has its operationally responsible person as the level's rule says:
    where the coordinator comes first, a unit with only a head is partly met (the head answers
    meanwhile); where the head comes first, the head is enough. A unit with neither is a gap."""
    units = units_at_levels(group, levels)
    what = _levels_name(profile, levels)
    if not units:
        return Result(Status.NOT_MET, _("No %(what)s are registered.") % {"what": what})
    by_unit = responsibilities(units)
    nobody = [u for u in units if not by_unit[u.pk].operational]
    head_only = [u for u in units if by_unit[u.pk].source == "head" and by_unit[u.pk].rule == "coordinator"]
    if nobody:
        return Result(
            Status.NOT_MET,
            ngettext(
                "%(k)s of %(n)s %(what)s has no operationally responsible person.",
                "%(k)s of %(n)s %(what)s have no operationally responsible person.",
                len(nobody),
            )
            % {"k": len(nobody), "n": len(units), "what": what},
            _unit_evidence(nobody),
        )
    if head_only:
        return Result(
            Status.PARTLY,
            _("%(k)s of %(n)s %(what)s have no security coordinator; there the head is operationally responsible.")
            % {"k": len(head_only), "n": len(units), "what": what},
            _unit_evidence(head_only),
        )
    counted = {"n": len(units), "what": what}
    if all(by_unit[u.pk].rule == "coordinator" for u in units):
        return Result(Status.MET, _("All %(n)s %(what)s have a security coordinator.") % counted)
    return Result(Status.MET, _("All %(n)s %(what)s have an operationally responsible person.") % counted)


@registry.register("security_group", role=("role_types", True), lead=("role_types", False), minimum=("int", False))
def security_group(group, profile, role, lead=None, minimum=2):
    """A central security group exists with named members: at least `minimum` people hold the
    role at the group's top unit (a member appointed at a unit below sits in a local group, not
    the central one) and, when the profile names a `lead` role, someone leads it there."""
    # One query: the assignments of both roles anywhere in the group, the top unit's told apart
    # by having no parent (the obligations page runs every check live: two queries a check).
    roles = [role, lead] if lead else [role]
    assignments = list(
        RoleAssignment.objects.current()
        .filter(unit__group=group, role__in=roles)
        .select_related("person__unit", "unit")
        .order_by("person__last_name", "person__first_name", "pk")
    )
    central = [a for a in assignments if a.unit.parent_id is None]
    members = [a for a in central if a.role == role]
    leads = [a for a in central if a.role == lead] if lead else []
    local = sum(1 for a in assignments if a.role == role and a.unit.parent_id is not None)
    top = central[0].unit if central else group.root
    if top is None:
        return Result(Status.NOT_MET, _("The group has no top unit yet."))
    name = profile.role_name(role)
    # Each person once, with the group's roles they hold (the lead is usually a member too).
    held: dict[int, list] = {}
    for a in leads + members:
        held.setdefault(a.person_id, []).append(a)
    evidence = [
        Evidence.of(
            roles[0].person,
            f"{roles[0].person} ({', '.join(profile.role_name(a.role).lower() for a in roles)})",
            also=[roles[0].unit],
        )
        for roles in held.values()
    ]
    counted = {"role": name, "n": len(members), "unit": top.name}
    summary = (
        ngettext(
            "%(role)s: %(n)s named member at %(unit)s.", "%(role)s: %(n)s named members at %(unit)s.", len(members)
        )
        % counted
    )
    gaps = []
    if len(members) < minimum:
        gaps.append(_("At least %(min)s members are needed.") % {"min": minimum})
    if lead and not leads:
        gaps.append(_("Nobody is appointed %(lead)s.") % {"lead": profile.role_name(lead).lower()})
    if local:
        gaps.append(
            ngettext(
                "%(k)s more is appointed at a unit below the top and is not counted in the central group.",
                "%(k)s more are appointed at units below the top and are not counted in the central group.",
                local,
            )
            % {"k": local}
        )
    if not members:
        return Result(Status.NOT_MET, " ".join([summary, *gaps]), evidence)
    status = Status.PARTLY if len(members) < minimum or (lead and not leads) else Status.MET
    return Result(status, " ".join([summary, *gaps]), evidence)


@registry.register("board_reaches_companies", board=("body_kinds", True), levels=("unit_levels[]", False))
def board_reaches_companies(group, profile, board, levels=None):
    """The board's responsibility reaches every municipal company (the units at the company
    levels: those under the municipality's controlling influence are the ones registered as
    companies): the company, or a unit above it, answers to a body of the board's kind, and the
    company has a board of its own. A company outside that line is a gap; one without its own
    board is partly met."""
    levels = levels or profile.company_levels()
    companies = units_at_levels(group, levels)
    if not companies:
        return Result(
            Status.NOT_CHECKABLE,
            _("No %(what)s are registered.") % {"what": _levels_name(profile, levels) or _("municipal companies")},
        )
    above = {pk for company in companies for pk in company.ancestor_ids}
    answering = set(
        OrgUnit.objects.filter(pk__in=above | {c.pk for c in companies}, responsible_body__kind=board).values_list(
            "pk", flat=True
        )
    )
    outside = [c for c in companies if not answering.intersection([*c.ancestor_ids, c.pk])]
    outside_ids = {c.pk for c in outside}
    without_board = [c for c in companies if c.pk not in outside_ids and c.responsible_body_id is None]
    what = _levels_name(profile, levels)
    board_name = profile.body_kind_name(board)
    if outside:
        return Result(
            Status.NOT_MET,
            ngettext(
                "%(k)s of %(n)s %(what)s is outside the line of %(board)s: no unit above it answers to it.",
                "%(k)s of %(n)s %(what)s are outside the line of %(board)s: no unit above them answers to it.",
                len(outside),
            )
            % {"k": len(outside), "n": len(companies), "what": what, "board": board_name},
            _unit_evidence(outside[:10]),
        )
    if without_board:
        return Result(
            Status.PARTLY,
            ngettext(
                "%(board)s reaches all %(n)s %(what)s; %(k)s has no board of its own registered.",
                "%(board)s reaches all %(n)s %(what)s; %(k)s have no board of their own registered.",
                len(without_board),
            )
            % {"k": len(without_board), "n": len(companies), "what": what, "board": board_name},
            _unit_evidence(without_board[:10]),
        )
    return Result(
        Status.MET,
        _("%(board)s reaches all %(n)s %(what)s, each with a board of its own.")
        % {"n": len(companies), "what": what, "board": board_name},
    )
