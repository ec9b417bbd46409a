"""Incidents: the quick report, the register, the investigation, costs, persons and photos."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from varna.core.access_log import get_logged_or_404, log_access, log_read
from varna.core.context_processors import current_group
from varna.core.history import history_entries
from varna.core.params import int_param
from varna.core.permissions import get_access, scope_q
from varna.core.views import VersionedUpdateView
from varna.organisation.models import OrgUnit
from varna.risks.forms import MeasureForm

from . import services, summary
from .forms import CostItemForm, InvestigationForm, PersonForm, PhotoForm, ReportForm, RiskLinkForm
from .models import Category, CostItem, Incident, InvolvedPerson, Photo, persons_visible

PAGE_SIZE = 50


def _group(request):
    """The group the user reports in: an employee (a person of the group) or a role holder."""
    group = current_group(request)
    access = get_access(request.user)
    if group is None or not (access.person is not None or access.anything):
        raise PermissionDenied
    return group


def filter_incidents(request, group):
    """The incidents the list's filters (?q, kategori, status, enhet, ar, mina) leave, within
    what the user may read: (queryset, filters, chosen unit)."""
    incidents = Incident.objects.visible_to(request.user).filter(group=group)
    filters = {
        "q": request.GET.get("q", "").strip(),
        "kategori": request.GET.get("kategori", ""),
        "status": request.GET.get("status", ""),
        "ar": int_param(request, "ar"),
        "manad": int_param(request, "manad"),
        "mina": request.GET.get("mina", ""),
    }
    if filters["q"]:
        incidents = incidents.filter(Q(place__icontains=filters["q"]) | Q(description__icontains=filters["q"]))
    if filters["kategori"] in Category.values:
        incidents = incidents.filter(category=filters["kategori"])
    if filters["status"] == "oppna":
        incidents = incidents.open()
    elif filters["status"] in Incident.State.values:
        incidents = incidents.filter(status=filters["status"])
    if filters["ar"] is not None and 1900 < filters["ar"] < 3000:
        month = filters["manad"] if filters["manad"] is not None and 1 <= filters["manad"] <= 12 else None
        start = datetime.date(filters["ar"], month or 1, 1)
        end = datetime.date(filters["ar"] + (month == 12 or month is None), (month % 12 + 1) if month else 1, 1)
        incidents = incidents.filter(occurred_at__gte=_midnight(start), occurred_at__lt=_midnight(end))
    if filters["mina"] == "1":
        incidents = incidents.filter(reported_by=request.user)
    unit = None
    if int_param(request, "enhet") is not None:
        unit = OrgUnit.objects.restrict(request.user).filter(group=group, pk=int_param(request, "enhet")).first()
        if unit:
            incidents = incidents.filter(unit__path__startswith=unit.path)
    return incidents, filters, unit


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


class IncidentPaginator(Paginator):
    """The list's paginator: told its total where the summary knows it (`list_count`), and a
    page past the first is read ids first — the ids of the rows skipped and shown come from an
    index-only scan of the list's order index (models.py), then the page's rows by id — so that a
    deep page does not read every skipped row from the table."""

    def __init__(self, object_list, per_page, count: int | None = None):
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return super().count if self._known_count is None else self._known_count

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if bottom == 0:
            return super().page(number)
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        rows = self.object_list.filter(pk__in=ids).in_bulk()
        return self._get_page([rows[pk] for pk in ids if pk in rows], number, self)


def list_count(request, group, incidents, filters: dict, unit) -> int | None:
    """The list's total read from the damage figures added up ahead (summary.py) where its
    filters allow — none, a category, a year or a month of it, a unit — instead of counting a
    million rows; None otherwise (a search, a status, the user's own reports, a category in one
    month: narrower filters, counted from the incidents). The summary holds what `restrict`
    shows; the incidents the user reported outside it are counted apart (a handful)."""
    if filters["q"] or filters["status"] or filters["mina"] == "1":
        return None
    year = filters["ar"] if filters["ar"] is not None and 1900 < filters["ar"] < 3000 else None
    month = filters["manad"] if year and filters["manad"] is not None and 1 <= filters["manad"] <= 12 else None
    category = filters["kategori"] if filters["kategori"] in Category.values else ""
    rows = summary.tallies(group, request.user)
    if unit is not None:
        rows = rows.filter(unit__path__startswith=unit.path)
    n = summary.count(rows, year=year, month=month, category=category)
    if n is None:
        return None
    scope = scope_q(get_access(request.user), "unit__path", "view", classified=Q(classification="classified"))
    if scope is not None:
        n += incidents.filter(reported_by=request.user).exclude(scope).count()
    return n


@login_required
def incident_list(request):
    group = _group(request)
    incidents, filters, unit = filter_incidents(request, group)
    ordered = incidents.select_related("unit").order_by("-occurred_at", "-pk")
    total = list_count(request, group, incidents, filters, unit)
    page = IncidentPaginator(ordered, PAGE_SIZE, total).get_page(request.GET.get("sida"))
    this_year = timezone.localdate().year
    return render(
        request,
        "incidents/list.html",
        {
            "page": page,
            "filters": filters,
            "filter_unit": unit,
            "filter_unit_id": unit.pk if unit else None,
            "categories": Category.choices,
            "statuses": Incident.State.choices,
            "years": range(this_year, this_year - 11, -1),
            "units": OrgUnit.objects.restrict(request.user)
            .filter(group=group, depth__lte=2)
            .order_by("path")
            .only("pk", "name"),
        },
    )


@login_required
def report(request):
    group = _group(request)
    person = get_access(request.user).person
    form = ReportForm(request.POST or None, request.FILES or None, group=group, person=person)
    if request.method == "POST" and form.is_valid():
        incident = form.save(commit=False)
        services.submit(incident, photos=form.cleaned_data["photos"], user=request.user, person=person)
        messages.success(
            request,
            _("Thank you. The incident is reported and %(unit)s has been told.") % {"unit": incident.unit.name},
        )
        return redirect(incident)
    return render(request, "incidents/report.html", {"form": form})


def _incident(request, pk, action="view"):
    queryset = Incident.objects.select_related("group", "unit", "reporter")
    # Reporters read their own reports; changing needs a role on the unit.
    queryset = queryset.visible_to(request.user) if action == "view" else queryset.restrict(request.user, action)
    return get_logged_or_404(request, queryset, pk=pk)


@login_required
def incident_detail(request, pk):
    incident = _incident(request, pk)
    access = get_access(request.user)
    can_change = access.can("change", incident.unit) and access.may_read(incident)
    show_persons = persons_visible(request.user, incident)
    persons = list(incident.persons.all()) if show_persons else []
    if persons or (show_persons and incident.reporter_contact):
        log_access(request, incident, "persons")  # classified or not
    cost_items = list(incident.cost_items.all())
    return render(
        request,
        "incidents/detail.html",
        {
            "incident": incident,
            "can_change": can_change,
            "show_persons": show_persons,
            "persons": persons,
            "cost_items": cost_items,
            "photos": list(incident.photos.all()),
            "measures": incident.measures.restrict(request.user).select_related("unit"),
            "risks": incident.risks.restrict(request.user).select_related("unit"),
            "history": history_entries(incident, request.user) if access.may_read(incident) else [],
            "cost_form": CostItemForm(prefix="cost") if can_change else None,
            "person_form": PersonForm(prefix="person") if can_change and show_persons else None,
            "risk_form": RiskLinkForm(user=request.user, incident=incident) if can_change else None,
        },
    )


class IncidentUpdateView(VersionedUpdateView):
    model = Incident
    form_class = InvestigationForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = _("Investigate: %(incident)s") % {"incident": self.object}
        return context


@login_required
@require_POST
def cost_add(request, pk):
    incident = _incident(request, pk, "change")
    form = CostItemForm(request.POST, prefix="cost")
    if form.is_valid():
        item = form.save(commit=False)
        item.incident = incident
        item.save()
        services.update_costs(incident)
        messages.success(request, _("The cost was added."))
    else:
        for error in [*form.non_field_errors(), *(e for f in form for e in f.errors)]:
            messages.error(request, error)
    return redirect(f"{incident.get_absolute_url()}#costs-heading")


class CostItemUpdateView(VersionedUpdateView):
    model = CostItem
    form_class = CostItemForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["cancel"] = self.object.incident
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        services.update_costs(self.object.incident)
        return response


@login_required
@require_POST
def person_add(request, pk):
    incident = _incident(request, pk, "change")
    if not persons_visible(request.user, incident):
        raise PermissionDenied
    form = PersonForm(request.POST, prefix="person")
    if form.is_valid():
        person = form.save(commit=False)
        person.incident = incident
        person.added_by = request.user
        person.save()
        messages.success(request, _("The person was added."))
    else:
        for error in [*form.non_field_errors(), *(e for f in form for e in f.errors)]:
            messages.error(request, error)
    return redirect(f"{incident.get_absolute_url()}#persons-heading")


@login_required
@require_POST
def person_remove(request, pk):
    person = get_object_or_404(
        InvolvedPerson.objects.restrict(request.user, "change").select_related("incident__unit"), pk=pk
    )
    if not persons_visible(request.user, person.incident):
        raise PermissionDenied
    incident = person.incident
    person.delete()
    messages.success(request, _("The person was removed."))
    return redirect(f"{incident.get_absolute_url()}#persons-heading")


@login_required
def photo_add(request, pk):
    incident = _incident(request, pk)
    access = get_access(request.user)
    if not (access.can("change", incident.unit) or incident.reported_by_id == request.user.pk):
        raise Http404  # as for a record outside the scope: nothing to add photos to
    form = PhotoForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        services.add_photos(incident, form.cleaned_data["photos"], request.user)
        messages.success(request, _("The photos were added."))
        return redirect(incident)
    return render(
        request,
        "organisation/form.html",
        {"form": form, "title": _("Add photos"), "cancel": incident, "multipart": True},
    )


@login_required
def photo(request, pk):
    picture = get_object_or_404(
        Photo.objects.select_related("incident").filter(
            incident__in=Incident.objects.visible_to(request.user).values("pk")
        ),
        pk=pk,
    )
    log_read(request, picture.incident, action="photo")
    try:
        handle = picture.file.open("rb")
    except OSError:
        raise Http404 from None
    response = FileResponse(handle, content_type=picture.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def measure_create(request, pk):
    """A measure decided in the investigation: the risk area's measure, with the incident as its
    source and linked to it."""
    incident = _incident(request, pk, "change")
    initial = {"unit": incident.unit_id, "source": "incident", "title": ""}
    form = MeasureForm(request.POST or None, user=request.user, group=incident.group, initial=initial)
    if request.method == "POST" and form.is_valid():
        measure = form.save()
        services.link_measure(incident, measure)
        messages.success(request, _("The measure was added to the security programme and linked to the incident."))
        return redirect(incident)
    return render(
        request,
        "organisation/form.html",
        {"form": form, "title": _("New measure from the incident"), "cancel": incident},
    )


@login_required
@require_POST
def risk_link(request, pk):
    incident = _incident(request, pk, "change")
    form = RiskLinkForm(request.POST, user=request.user, incident=incident)
    if form.is_valid():
        tasks = services.link_risk(incident, form.cleaned_data["risk"], user=request.user)
        messages.success(
            request,
            _("The risk is linked. Its owners were asked to re-assess it (%(n)s tasks).") % {"n": len(tasks)},
        )
    else:
        messages.error(request, _("Choose one of the risks offered."))
    return redirect(f"{incident.get_absolute_url()}#risks-heading")
