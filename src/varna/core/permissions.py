"""Permissions scoped by org unit, enforced in one place.

A role assignment grants the permissions its role type has in the profile ("view", "change",
"manage") on a unit and every unit under it. Querysets are narrowed with `restrict(user,
action)`, which filters in the database on the unit's materialised path: one `path LIKE
'prefix%'` term per scope the user holds (a handful at most), never a list of ids. Views use
`ScopedViewMixin` (core.views) and the API will use the same queryset method.
"""

from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db import models
from django.db.models import Q
from django.utils import timezone

ACTIONS = ("view", "change", "manage")


@dataclass
class Access:
    """What one user may do, computed once per request from their current role assignments."""

    is_superuser: bool = False
    paths: dict[str, list[str]] = field(default_factory=lambda: {a: [] for a in ACTIONS})
    classified_paths: list[str] = field(default_factory=list)
    group_ids: set[int] = field(default_factory=set)
    roles: list = field(default_factory=list)
    person: object = None  # the user's Person, with its group, if they are one
    requires_otp: bool = False  # one of the user's roles demands a second factor

    def scopes(self, action: str) -> list[str]:
        return self.paths.get(action, [])

    def can(self, action: str, unit) -> bool:
        if self.is_superuser:
            return True
        if unit is None:
            return False
        return any(unit.path.startswith(p) for p in self.scopes(action))

    def can_see_classified(self, unit) -> bool:
        # Clearance is a role: a technical administrator (superuser) without a cleared role sees
        # every unit's records but no classified one.
        return unit is not None and any(unit.path.startswith(p) for p in self.classified_paths)

    def may_read(self, record) -> bool:
        """What `restrict(user)` decides in the database, for one record already loaded (with its
        unit): its unit is in a view scope, and if classified, in a classified scope too."""
        if not self.can("view", record.unit):
            return False
        return not getattr(record, "is_classified", False) or self.can_see_classified(record.unit)

    @property
    def anything(self) -> bool:
        return self.is_superuser or bool(self.scopes("view"))


def _minimal(paths: set[str]) -> list[str]:
    """Drop paths already covered by a shorter one: a scope on a unit covers its subtree."""
    kept: list[str] = []
    for p in sorted(paths, key=len):
        if not any(p.startswith(k) for k in kept):
            kept.append(p)
    return sorted(kept)


def get_access(user) -> Access:
    if user is None or not user.is_authenticated:
        return Access()
    cached = getattr(user, "_varna_access", None)
    if cached is not None:
        return cached
    from django.db.models import Exists, OuterRef

    from varna.organisation.models import Person, RoleAssignment, RoleSetting

    access = Access(is_superuser=user.is_superuser)
    assignments = list(
        RoleAssignment.objects.current(timezone.localdate())
        .filter(person__user=user)
        .select_related("unit__group", "person__group")
        .annotate(
            # An administrator's "require a second factor" for the role, read in the same query.
            otp_required_by_setting=Exists(
                RoleSetting.objects.filter(group=OuterRef("unit__group"), role=OuterRef("role"), require_otp=True)
            )
        )
    )
    access.roles = assignments
    paths: dict[str, set[str]] = {a: set() for a in ACTIONS}
    classified: set[str] = set()
    for assignment in assignments:
        access.group_ids.add(assignment.unit.group_id)
        role = assignment.unit.group.profile.role_types.get(assignment.role)
        if role is None:
            continue  # a role the profile no longer declares grants nothing
        if role["require_otp"] or assignment.otp_required_by_setting:
            access.requires_otp = True
        for permission in role["permissions"]:
            paths[permission].add(assignment.unit.path)
        if role["classified"]:
            classified.add(assignment.unit.path)
    # Every assignment is the user's one person's: read with them, or alone for a person without a role.
    if assignments:
        access.person = assignments[0].person
    else:
        access.person = Person.objects.select_related("group").filter(user=user).first()
    if access.person is not None:
        access.group_ids.add(access.person.group_id)
    access.paths = {a: _minimal(p) for a, p in paths.items()}
    access.classified_paths = _minimal(classified)
    user._varna_access = access
    return access


def _prefix_q(field_name: str, paths: list[str]) -> Q:
    return reduce(or_, (Q(**{f"{field_name}__startswith": p}) for p in paths))


def under_paths(field_name: str, paths: list[str]) -> Q:
    """The unit at `field_name` is one of `paths` or below it (one LIKE term per path)."""
    return _prefix_q(field_name, paths) if paths else Q(pk__in=[])


class RestrictedQuerySet(models.QuerySet):
    """A queryset that can narrow itself to what a user may see or change.

    Subclasses name the path of the row's org unit in `unit_path_field`."""

    unit_path_field = "unit__path"

    def restrict(self, user, action: str = "view"):
        access = get_access(user)
        classified = Q(classification="classified") if hasattr(self.model, "classification") else None
        condition = scope_q(access, self.unit_path_field, action, classified)
        return self if condition is None else self.filter(condition)


def scope_q(access: Access, path_field: str, action: str = "view", classified: Q | None = None) -> Q | None:
    """The condition `restrict` filters on, for querysets that combine it with another (or whose
    rows say "classified" otherwise): the unit at `path_field` in one of the user's scopes for
    `action`, and — where `classified` says a row is classified — in one of their classified
    scopes too. A superuser is in every unit's scope but cleared only where a role clears them;
    None when nothing narrows (a superuser, no classified rows); a condition matching nothing
    without scopes."""
    if access.is_superuser:
        condition = None
    else:
        paths = access.scopes(action)
        if not paths:
            return Q(pk__in=[])
        condition = _prefix_q(path_field, paths)
    if classified is not None:
        visible = ~classified
        if access.classified_paths:
            visible |= _prefix_q(path_field, access.classified_paths)
        condition = visible if condition is None else condition & visible
    return condition
