"""Derived facts about the organisation: who is responsible where. Never stored twice."""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from .models import OrgUnit, Person, RoleAssignment


@dataclass
class Responsibility:
    heads: list[Person] = field(default_factory=list)
    coordinators: list[Person] = field(default_factory=list)
    inherited_from: OrgUnit | None = None  # the unit above whose people answer when this one has none
    # From the profile's level: is a missing head, or coordinator, a gap here; who is
    # operationally responsible ("coordinator": the coordinator first, else the head; "head": the
    # head always, the coordinator supporting); and what the level calls its head.
    expects_head: bool = True
    expects_coordinator: bool = False
    rule: str = "coordinator"
    head_title: dict | None = None

    @property
    def operational(self) -> list[Person]:
        """The operationally responsible for security (HJ-9): by the level's rule, the
        coordinator first and else the head, or the head first and else the coordinator."""
        first, then = (self.heads, self.coordinators) if self.rule == "head" else (self.coordinators, self.heads)
        return first or then

    @property
    def source(self) -> str:
        """Whose role makes them operationally responsible: "coordinator", "head" or ""."""
        if not self.operational:
            return ""
        return "head" if self.operational is self.heads else "coordinator"

    @property
    def head_label(self) -> str:
        """The level's title for its head ("VD", "Sektorchef"), else "Head"."""
        from django.utils.translation import gettext

        from varna.core.i18n import tr

        return tr(self.head_title) or gettext("Head")

    @property
    def lacks_head(self) -> bool:
        """A gap: the level expects a head and none is appointed."""
        return self.expects_head and not self.heads

    @property
    def lacks_coordinator(self) -> bool:
        """A gap: the level expects a security coordinator and none is appointed."""
        return self.expects_coordinator and not self.coordinators


def responsibilities(units: list[OrgUnit], day: datetime.date | None = None, profile=None) -> dict[int, Responsibility]:
    """Heads and coordinators appointed directly on each unit, in one query."""
    if not units:
        return {}
    profile = profile or units[0].group.profile
    head_roles = profile.roles_with(responsibility="head")
    coordinator_roles = profile.roles_with(responsibility="coordinator")
    result = {}
    for unit in units:
        level = profile.unit_levels.get(unit.kind) or {}
        result[unit.pk] = Responsibility(
            expects_head=level.get("expects_head", True),
            expects_coordinator=level.get("expects_coordinator", False),
            rule=level.get("operational") or "coordinator",
            head_title=level.get("head_title"),
        )
    assignments = (
        RoleAssignment.objects.current(day or timezone.localdate())
        .filter(unit__in=[u.pk for u in units], role__in=head_roles + coordinator_roles)
        .select_related("person")
        .order_by("person__last_name")
    )
    for assignment in assignments:
        target = result[assignment.unit_id]
        (target.heads if assignment.role in head_roles else target.coordinators).append(assignment.person)
    return result


def responsibility_with_inheritance(
    unit: OrgUnit, ancestors: list[OrgUnit] | None = None, by_unit: dict[int, Responsibility] | None = None
) -> Responsibility:
    """For one unit: its own responsible people, or those of the nearest unit above that has any.
    `by_unit` may hold the responsibilities of the unit and its ancestors, already fetched."""
    chain = [*(unit.ancestors() if ancestors is None else ancestors), unit]
    if by_unit is None:
        by_unit = responsibilities(chain, profile=unit.group.profile)
    own = by_unit[unit.pk]
    if own.operational:
        return own
    for ancestor in reversed(chain[:-1]):
        found = by_unit[ancestor.pk]
        if found.operational:
            own.inherited_from = ancestor
            return own
    return own


def units_at_levels(group, levels: list[str]):
    from .models import valid_on

    return list(
        OrgUnit.objects.filter(group=group, kind__in=levels)
        .filter(valid_on())
        .select_related("responsible_body", "group")
    )


def people_with_role(group, role: str) -> list[RoleAssignment]:
    return list(RoleAssignment.objects.current().filter(unit__group=group, role=role).select_related("person", "unit"))


def gap_counts(units, profile) -> dict[str, int]:
    """How many of the units lack a head or a coordinator where their level expects one,
    counted in the database (the overview does not load every unit of a large group)."""
    from django.db.models import Count, Exists, OuterRef, Q

    levels_head = [k for k, v in profile.unit_levels.items() if v["expects_head"]]
    levels_coordinator = [k for k, v in profile.unit_levels.items() if v["expects_coordinator"]]

    def has(roles):
        return Exists(RoleAssignment.objects.current().filter(unit=OuterRef("pk"), role__in=roles))

    return units.aggregate(
        without_head=Count("pk", filter=Q(kind__in=levels_head) & ~has(profile.roles_with(responsibility="head"))),
        without_coordinator=Count(
            "pk", filter=Q(kind__in=levels_coordinator) & ~has(profile.roles_with(responsibility="coordinator"))
        ),
    )
