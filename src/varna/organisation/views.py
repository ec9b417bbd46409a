from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from varna.core import areas
from varna.core.access_log import log_read
from varna.core.context_processors import current_group
from varna.core.history import history_entries
from varna.core.params import int_param
from varna.core.permissions import get_access
from varna.core.views import VersionedUpdateView, gaps_under

from . import mandate
from .forms import ContractForm, ExternalPartyForm, OrgUnitForm, PersonForm, RoleAssignmentForm
from .models import Body, Contract, ExternalParty, OrgUnit, Person, RoleAssignment
from .notifications import notify_role_assigned
from .services import gap_counts, responsibilities, responsibility_with_inheritance


def _group_or_403(request):
    """The user's municipal group; a user who belongs to none (no person, no role) may see nothing."""
    group = current_group(request)
    if group is None:
        raise PermissionDenied
    return group


def _build_tree(units):
    """Nest units (ordered by path) for an accessible nested list."""
    nodes = {u.pk: {"unit": u, "children": []} for u in units}
    roots = []
    for unit in units:
        parent = nodes.get(unit.parent_id)
        (parent["children"] if parent else roots).append(nodes[unit.pk])
    return roots


# Up to this many units the overview shows the whole tree; above it, the top two levels of the
# user's scope, with links down (rendering costs ~0.2 ms a unit: bench/RESULTS.md).
FULL_TREE_LIMIT = 150


@login_required
def group_overview(request):
    group = _group_or_403(request)
    access = get_access(request.user)
    if not access.anything:
        raise PermissionDenied
    scope = OrgUnit.objects.restrict(request.user).filter(group=group)
    unit_count = scope.count()
    shown = scope
    if unit_count > FULL_TREE_LIMIT:
        top = scope.order_by("depth").values_list("depth", flat=True).first()
        shown = scope.filter(depth__lte=top + 1)
    units = list(shown.select_related("responsible_body"))
    child_counts = dict(
        OrgUnit.objects.filter(parent__in=[u.pk for u in units]).values_list("parent").annotate(n=Count("pk"))
    )
    by_unit = responsibilities(units)
    for unit in units:
        unit.group = group  # one shared instance instead of a copy per row
        unit.responsibility = by_unit[unit.pk]
        unit.child_count = child_counts.get(unit.pk, 0)
    bodies = list(Body.objects.filter(group=group).select_related("parent").annotate(n_units=Count("units")))
    for body in bodies:
        body.group = group
    order = list(group.profile.body_kinds)
    bodies.sort(key=lambda b: (order.index(b.kind) if b.kind in order else len(order), b.name))
    return render(
        request,
        "organisation/group.html",
        {
            "tree": _build_tree(units),
            "bodies": bodies,
            "unit_count": unit_count,
            "shown_count": len(units),
            "gaps": gap_counts(scope.active(), group.profile),
        },
    )


PARTIES_SHOWN = 10


@login_required
def unit_detail(request, pk):
    unit = get_object_or_404(
        OrgUnit.objects.restrict(request.user).select_related("responsible_body", "group", "parent"), pk=pk
    )
    access = get_access(request.user)
    # The units above (all named on the page) and the readable ones under it, in one query.
    ancestor_ids = unit.ancestor_ids
    around = list(
        OrgUnit.objects.filter(
            Q(pk__in=ancestor_ids) | Q(pk__in=unit.children.all().restrict(request.user).values("pk"))
        )
        .select_related("responsible_body")
        .order_by("path")
    )
    ancestors = [u for u in around if u.pk in ancestor_ids]
    children = [u for u in around if u.parent_id == unit.pk]
    # One query for the responsible people of the unit, the units above it and those under it.
    by_unit = responsibilities([*ancestors, unit, *children], profile=unit.group.profile)
    for child in children:
        child.group = unit.group
        child.responsibility = by_unit[child.pk]
    assignments = list(
        unit.role_assignments.select_related("person", "unit__group").order_by("role", "person__last_name")
    )
    today = timezone.localdate()
    current = [a for a in assignments if a.is_current]
    ended = [a for a in assignments if not a.is_current and a.valid_to and a.valid_to < today]
    coming = [a for a in assignments if not a.is_current and a.valid_from and a.valid_from > today]
    parties = ExternalParty.objects.restrict(request.user).filter(
        Q(unit=unit) | Q(pk__in=Contract.objects.filter(units=unit).values("party_id"))
    )
    context = {
        "unit": unit,
        "ancestors": ancestors,
        "responsibility": responsibility_with_inheritance(unit, ancestors, by_unit),
        "children": children,
        "current_roles": current,
        "ended_roles": ended,
        "coming_roles": coming,
        # Count("unit") can be answered from the unit index alone (bench/RESULTS.md).
        "people": Person.objects.filter(unit__path__startswith=unit.path).aggregate(
            total=Count("unit"), own=Count("unit", filter=Q(unit=unit))
        ),
        "parties": list(parties.order_by("name")[:PARTIES_SHOWN]),
        "parties_shown": PARTIES_SHOWN,
        "history": history_entries(unit, request.user),
        # The unit's dashboard: each area's panel, and the obligations with gaps here.
        "panels": areas.unit_panels(request, unit),
        "gaps": gaps_under(unit.group, unit, access),
        "can_change": access.can("change", unit),
        "can_manage": access.can("manage", unit),
    }
    return render(request, "organisation/unit_detail.html", context)


@login_required
def unit_create(request):
    group = _group_or_403(request)
    parent = None
    if request.GET.get("parent"):
        parent = get_object_or_404(OrgUnit.objects.restrict(request.user, "manage"), pk=int_param(request, "parent"))
    elif not get_access(request.user).scopes("manage") and not request.user.is_superuser:
        raise PermissionDenied
    form = OrgUnitForm(request.POST or None, user=request.user, group=group, initial={"parent": parent})
    if request.method == "POST" and form.is_valid():
        unit = form.save()
        messages.success(request, _("The unit %(name)s was created.") % {"name": unit.name})
        return redirect(unit)
    return render(request, "organisation/form.html", {"form": form, "title": _("New unit"), "cancel": parent or None})


class UnitUpdateView(VersionedUpdateView):
    model = OrgUnit
    form_class = OrgUnitForm
    action = "manage"


@login_required
def body_detail(request, pk):
    group = _group_or_403(request)
    if not get_access(request.user).anything:
        raise PermissionDenied
    body = get_object_or_404(Body.objects.select_related("parent"), pk=pk, group=group)
    units = list(body.units.restrict(request.user).select_related("group"))
    return render(
        request,
        "organisation/body_detail.html",
        {"body": body, "units": units, "children": body.children.all(), "history": history_entries(body, request.user)},
    )


@login_required
def people_list(request):
    group = _group_or_403(request)
    people = Person.objects.restrict(request.user).filter(group=group).select_related("unit")
    q = request.GET.get("q", "").strip()
    if q:
        for word in q.split():
            people = people.filter(
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(email__icontains=word)
                | Q(employee_number__iexact=word)
            )
    unit = None
    if int_param(request, "enhet") is not None:
        unit = OrgUnit.objects.restrict(request.user).filter(pk=int_param(request, "enhet")).first()
        if unit:
            people = people.filter(unit__path__startswith=unit.path)
    page = Paginator(people.order_by("last_name", "first_name", "pk"), 50).get_page(request.GET.get("sida"))
    return render(
        request,
        "organisation/people_list.html",
        {"page": page, "q": q, "filter_unit": unit, "can_create": bool(get_access(request.user).scopes("change"))},
    )


@login_required
def person_detail(request, pk):
    person = get_object_or_404(Person.objects.restrict(request.user).select_related("unit", "user", "group"), pk=pk)
    assignments = list(person.roles.select_related("unit").order_by("-valid_from"))
    access = get_access(request.user)
    return render(
        request,
        "organisation/person_detail.html",
        {
            "person": person,
            "assignments": assignments,
            "history": history_entries(person, request.user),
            "can_change": access.can("change", person.unit),
            "can_manage": bool(access.scopes("manage")),
        },
    )


@login_required
def person_create(request):
    group = _group_or_403(request)
    if not get_access(request.user).scopes("change"):
        raise PermissionDenied
    form = PersonForm(request.POST or None, user=request.user, group=group, initial={"unit": request.GET.get("enhet")})
    if request.method == "POST" and form.is_valid():
        person = form.save()
        messages.success(request, _("%(name)s was added.") % {"name": person})
        return redirect(person)
    return render(request, "organisation/form.html", {"form": form, "title": _("New person")})


class PersonUpdateView(VersionedUpdateView):
    model = Person
    form_class = PersonForm


@login_required
def role_create(request):
    group = _group_or_403(request)
    if not get_access(request.user).scopes("manage"):
        raise PermissionDenied
    initial = {
        "unit": request.GET.get("enhet"),
        "person": request.GET.get("person"),
        "valid_from": timezone.localdate(),
    }
    form = RoleAssignmentForm(request.POST or None, user=request.user, group=group, initial=initial)
    if request.method == "POST" and form.is_valid():
        assignment = form.save()
        notify_role_assigned(assignment, request.user)
        messages.success(
            request,
            _("%(person)s is now %(role)s for %(unit)s.")
            % {"person": assignment.person, "role": assignment.role_name.lower(), "unit": assignment.unit},
        )
        return redirect(assignment.unit)
    return render(request, "organisation/form.html", {"form": form, "title": _("New role assignment")})


class RoleUpdateView(VersionedUpdateView):
    model = RoleAssignment
    form_class = RoleAssignmentForm
    action = "manage"

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Edit role assignment"), cancel=self.object.unit, **kwargs)


@login_required
@require_POST
def role_end(request, pk):
    assignment = get_object_or_404(RoleAssignment.objects.restrict(request.user, "manage"), pk=pk)
    today = timezone.localdate()
    if assignment.valid_from and assignment.valid_from > today:
        messages.error(request, _("The assignment has not started; edit or remove it instead."))
    else:
        assignment.valid_to = today
        assignment.save_versioned(assignment.version)
        messages.success(request, _("The role assignment ends today."))
    return redirect(assignment.unit)


@login_required
def party_list(request):
    group = _group_or_403(request)
    # Counted per shown row, not grouped over the whole register (bench/RESULTS.md).
    contracts = (
        Contract.objects.filter(party=OuterRef("pk")).order_by().values("party").annotate(c=Count("*")).values("c")
    )
    parties = (
        ExternalParty.objects.restrict(request.user)
        .filter(group=group)
        .select_related("unit")
        .annotate(n_contracts=Coalesce(Subquery(contracts, output_field=IntegerField()), 0))
    )
    filter_unit = None
    if int_param(request, "enhet") is not None:
        filter_unit = OrgUnit.objects.restrict(request.user).filter(pk=int_param(request, "enhet")).first()
        if filter_unit:
            parties = parties.filter(
                Q(unit=filter_unit) | Q(pk__in=Contract.objects.filter(units=filter_unit).values("party_id"))
            )
    kind = request.GET.get("typ", "")
    if kind in ExternalParty.Kind.values:
        parties = parties.filter(kind=kind)
    q = request.GET.get("q", "").strip()
    if q:
        parties = parties.filter(Q(name__icontains=q) | Q(org_number__icontains=q))
    page = Paginator(parties.order_by("name", "pk"), 50).get_page(request.GET.get("sida"))
    return render(
        request,
        "organisation/party_list.html",
        {
            "page": page,
            "q": q,
            "kind": kind,
            "kinds": ExternalParty.Kind.choices,
            "can_create": bool(get_access(request.user).scopes("change")),
        },
    )


@login_required
def party_detail(request, pk):
    party = get_object_or_404(ExternalParty.objects.restrict(request.user).select_related("unit", "group"), pk=pk)
    log_read(request, party)
    contracts = list(party.contracts.prefetch_related("units"))
    return render(
        request,
        "organisation/party_detail.html",
        {
            "party": party,
            "contracts": contracts,
            "history": history_entries(party, request.user),
            "can_change": get_access(request.user).can("change", party.unit),
        },
    )


@login_required
def party_create(request):
    group = _group_or_403(request)
    if not get_access(request.user).scopes("change"):
        raise PermissionDenied
    form = ExternalPartyForm(request.POST or None, user=request.user, group=group)
    if request.method == "POST" and form.is_valid():
        party = form.save()
        messages.success(request, _("%(name)s was registered.") % {"name": party})
        return redirect(party)
    return render(request, "organisation/form.html", {"form": form, "title": _("New external party")})


class PartyUpdateView(VersionedUpdateView):
    model = ExternalParty
    form_class = ExternalPartyForm


@login_required
def contract_create(request, party_pk):
    group = _group_or_403(request)
    party = get_object_or_404(ExternalParty.objects.restrict(request.user, "change"), pk=party_pk)
    form = ContractForm(request.POST or None, user=request.user, group=group)
    if request.method == "POST" and form.is_valid():
        form.instance.party = party
        form.save()
        messages.success(request, _("The contract was added."))
        return redirect(party)
    return render(
        request,
        "organisation/form.html",
        {"form": form, "title": _("New contract with %(name)s") % {"name": party}, "cancel": party},
    )


@login_required
def mandate_periods(request):
    today = timezone.localdate()
    return render(
        request,
        "organisation/mandate_periods.html",
        {"periods": mandate.around(today, before=2, after=1), "current": mandate.current(today), "today": today},
    )
