"""The register of alarms and access control systems: the alarm list with search and filters,
an alarm's page with its services and events, an access control system's page with its reviews,
their forms, and the alarms as an Excel file. Everything reads through `restrict`: an alarm on a
classified building or site is there only for roles cleared on its unit, each read logged."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from varna.core.access_log import get_logged_or_404, log_reads
from varna.core.history import history_entries
from varna.core.links import HIDDEN_RECORD
from varna.core.permissions import get_access
from varna.core.spreadsheets import workbook_response
from varna.core.views import VersionedUpdateView
from varna.core.views import scoped_group as _group
from varna.incidents.models import Incident

from . import alarm_services
from .alarm_forms import (
    AccessControlSystemForm,
    AccessReviewForm,
    AlarmEventForm,
    AlarmForm,
    AlarmServiceForm,
)
from .models import AccessControlSystem, Alarm, AlarmEvent, AlarmKind, Building, Site

PAGE_SIZE = 50
SEARCHED_FIELDS = (
    "name",
    "identifier",
    "supplier",
    "receiving_centre",
    "building__name",
    "building__site__name",
    "building__site__code",
)


def filter_alarms(request, group):
    """The alarms as the list's filters (?q, typ, ansluten, forsenad) narrow them, within what
    the user may see. Shared by the list and its export."""
    alarms = Alarm.objects.restrict(request.user).in_group(group).select_related("building__site__unit")
    filters = {
        "q": request.GET.get("q", "").strip()[:200],
        "typ": request.GET.get("typ", ""),
        "ansluten": request.GET.get("ansluten", ""),
        "forsenad": request.GET.get("forsenad", ""),
    }
    for word in filters["q"].split()[:10]:
        condition = Q()
        for name in SEARCHED_FIELDS:
            condition |= Q(**{f"{name}__icontains": word})
        alarms = alarms.filter(condition)
    if filters["typ"] in AlarmKind.values:
        alarms = alarms.filter(kind=filters["typ"])
    if filters["ansluten"] in ("ja", "nej"):
        alarms = alarms.filter(connected=filters["ansluten"] == "ja")
    if filters["forsenad"] == "1":
        alarms = alarms.overdue()
    return alarms, filters


def _may_change_somewhere(user) -> bool:
    return bool(get_access(user).scopes("change"))


@login_required
def alarm_list(request):
    group = _group(request)
    alarms, filters = filter_alarms(request, group)
    page = Paginator(alarms.order_by("building__site__name", "building__code", "name", "pk"), PAGE_SIZE).get_page(
        request.GET.get("sida")
    )
    # An alarm classified with its building or site is not noted by the access log's own
    # watch (its row is not marked classified): the page logs what it names.
    log_reads(request, page.object_list, "view")
    return render(
        request,
        "facilities/alarms/list.html",
        {
            "page": page,
            "filters": filters,
            "kinds": AlarmKind.choices,
            "today": timezone.localdate(),
            "can_import": _may_change_somewhere(request.user),
        },
    )


def _alarm(request, pk, action="view"):
    return get_logged_or_404(
        request, Alarm.objects.restrict(request.user, action).select_related("building__site__unit"), pk=pk
    )


def _building(request, pk, action="view"):
    return get_logged_or_404(
        request, Building.objects.restrict(request.user, action).select_related("site__unit", "site__group"), pk=pk
    )


def _site(request, pk, action="view"):
    return get_logged_or_404(
        request, Site.objects.restrict(request.user, action).select_related("unit", "group"), pk=pk
    )


def _system(request, pk, action="view"):
    return get_logged_or_404(
        request, AccessControlSystem.objects.restrict(request.user, action).select_related("site__unit"), pk=pk
    )


def false_alarms_last_year(alarm) -> int:
    since = timezone.now() - datetime.timedelta(days=365)
    return alarm.events.filter(kind=AlarmEvent.Kind.FALSE, occurred_at__gte=since).count()


@login_required
def alarm_detail(request, pk):
    alarm = _alarm(request, pk)
    access = get_access(request.user)
    events = list(alarm.events.select_related("incident__unit")[:50])
    visible_incidents = set(
        Incident.objects.visible_to(request.user)
        .filter(pk__in=[e.incident_id for e in events if e.incident_id])
        .values_list("pk", flat=True)
    )
    for event in events:
        event.incident_visible = event.incident_id in visible_incidents
    return render(
        request,
        "facilities/alarms/detail.html",
        {
            "alarm": alarm,
            "building": alarm.building,
            "site": alarm.building.site,
            "events": events,
            "hidden_record": HIDDEN_RECORD,
            "false_alarms": false_alarms_last_year(alarm),
            "can_change": access.can("change", alarm.unit),
            "services": _services(alarm),
            "history": history_entries(alarm, request.user),
        },
    )


def _services(alarm) -> list[datetime.date]:
    """The services recorded, newest first, from the alarm's history: each save that moved its
    last service."""
    dates = alarm.history.exclude(last_serviced_on=None).values_list("last_serviced_on", flat=True)
    return sorted(set(dates), reverse=True)[:20]


@login_required
def alarm_create(request, pk):
    building = _building(request, pk, "change")
    form = AlarmForm(request.POST or None, user=request.user, building=building)
    if request.method == "POST" and form.is_valid():
        alarm = form.save()
        messages.success(request, _("The alarm was registered."))
        return redirect(alarm)
    return render(
        request,
        "organisation/form.html",
        {"form": form, "title": _("New alarm in %(building)s") % {"building": building.name}, "cancel": building},
    )


class AlarmUpdateView(VersionedUpdateView):
    model = Alarm
    form_class = AlarmForm

    def get_queryset(self):
        return super().get_queryset().select_related("building__site__unit")


class AlarmServiceView(AlarmUpdateView):
    form_class = AlarmServiceForm

    def get_context_data(self, **kwargs):
        kwargs["title"] = _("Record a service of %(alarm)s") % {"alarm": self.object}
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        alarm = form.save_versioned()
        if alarm is None:
            return self.form_invalid(form)
        alarm_services.record_service(alarm)
        messages.success(self.request, _("The service was recorded."))
        return HttpResponseRedirect(alarm.get_absolute_url())


@login_required
def alarm_delete(request, pk):
    alarm = _alarm(request, pk, "change")
    building = alarm.building
    if request.method == "POST":
        alarm.delete()
        messages.success(request, _("The alarm was deleted."))
        return redirect(building)
    return render(
        request,
        "facilities/delete.html",
        {"record": alarm, "cancel": alarm, "title": _("Delete %(name)s") % {"name": alarm.name}},
    )


@login_required
def event_create(request, pk):
    alarm = _alarm(request, pk, "change")
    form = AlarmEventForm(request.POST or None, alarm=alarm)
    if request.method == "POST" and form.is_valid():
        event = form.save()
        if event.kind == AlarmEvent.Kind.REAL and request.POST.get("incident") == "1":
            return _make_incident(request, event)
        messages.success(request, _("The alarm event was recorded."))
        return redirect(alarm)
    return render(
        request,
        "facilities/alarms/event_form.html",
        {"form": form, "title": _("New event of %(alarm)s") % {"alarm": alarm}, "cancel": alarm},
    )


@login_required
@require_POST
def event_incident(request, pk):
    event = get_logged_or_404(
        request,
        AlarmEvent.objects.restrict(request.user, "change").select_related("alarm__building__site__unit"),
        pk=pk,
    )
    if event.kind != AlarmEvent.Kind.REAL or event.incident_id:
        messages.error(request, _("Only a real alarm without an incident can be reported as one."))
        return redirect(event.alarm)
    return _make_incident(request, event)


def _make_incident(request, event):
    incident = alarm_services.incident_from_event(event, user=request.user, person=get_access(request.user).person)
    messages.success(request, _("The alarm was reported as an incident. Complete its description."))
    return redirect(incident)


# Access control ------------------------------------------------------------------------------


def _people(access, people) -> list[tuple[str, str]]:
    """(name, url) of each person as the reader may see them: people are read within a scope."""
    return [(str(p), p.get_absolute_url()) if access.can("view", p.unit) else (str(HIDDEN_RECORD), "") for p in people]


@login_required
def access_system_create(request, pk):
    site = _site(request, pk, "change")
    form = AccessControlSystemForm(request.POST or None, user=request.user, site=site)
    if request.method == "POST" and form.is_valid():
        system = form.save_versioned()
        messages.success(request, _("The access control system was registered."))
        return redirect(system)
    return render(
        request,
        "organisation/form.html",
        {"form": form, "title": _("New access control system on %(site)s") % {"site": site.name}, "cancel": site},
    )


@login_required
def access_system_detail(request, pk):
    system = _system(request, pk)
    access = get_access(request.user)
    reviews = list(system.reviews.select_related("reviewed_by__unit")[:50])
    for review in reviews:
        review.reviewer = _people(access, [review.reviewed_by])[0] if review.reviewed_by else ("–", "")
    return render(
        request,
        "facilities/alarms/system.html",
        {
            "system": system,
            "site": system.site,
            "administrators": _people(access, system.administrators.select_related("unit").order_by("last_name")),
            "reviews": reviews,
            "can_change": access.can("change", system.unit),
            "history": history_entries(system, request.user),
        },
    )


class AccessSystemUpdateView(VersionedUpdateView):
    model = AccessControlSystem
    form_class = AccessControlSystemForm

    def get_queryset(self):
        return super().get_queryset().select_related("site__unit")


@login_required
def access_system_delete(request, pk):
    system = _system(request, pk, "change")
    site = system.site
    if request.method == "POST":
        system.delete()
        messages.success(request, _("The access control system was deleted."))
        return redirect(site)
    return render(
        request,
        "facilities/delete.html",
        {"record": system, "cancel": system, "title": _("Delete %(name)s") % {"name": system.name}},
    )


@login_required
def access_review_create(request, pk):
    system = _system(request, pk, "change")
    person = get_access(request.user).person
    form = AccessReviewForm(
        request.POST or None,
        user=request.user,
        system=system,
        initial={"reviewed_by": person.pk if person else None, "reviewed_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        alarm_services.record_review(form.save(commit=False))
        messages.success(request, _("The review of the access rights was recorded."))
        return redirect(system)
    return render(
        request,
        "organisation/form.html",
        {"form": form, "title": _("Review the access rights of %(system)s") % {"system": system}, "cancel": system},
    )


# On the site's and the building's pages ------------------------------------------------------


def site_section(request, site) -> dict:
    """The alarms of the site's buildings and its access control systems, as the reader may see
    them, for the site's page."""
    alarms = list(
        Alarm.objects.restrict(request.user)
        .filter(building__site=site)
        .select_related("building")
        .order_by("building__code", "name", "pk")
    )
    for alarm in alarms:
        alarm.building.site = site
    systems = list(AccessControlSystem.objects.restrict(request.user).filter(site=site).order_by("name", "pk"))
    for system in systems:
        system.site = site
    log_reads(request, [*alarms, *systems], "view")
    return {"alarms": alarms, "systems": systems, "site": site}


def building_section(request, building) -> dict:
    alarms = list(Alarm.objects.restrict(request.user).filter(building=building).order_by("name", "pk"))
    for alarm in alarms:
        alarm.building = building
    log_reads(request, alarms, "view")
    return {"alarms": alarms, "systems": None, "building": building}


# The alarms to Excel ------------------------------------------------------------------------


def _headers():
    return [
        _("Site"),
        _("Building"),
        _("Kind of alarm"),
        _("Name"),
        _("Identifier"),
        _("Connected to an alarm receiving centre"),
        _("Alarm receiving centre"),
        _("Supplier"),
        _("Installed"),
        _("Service interval (months)"),
        _("Last serviced"),
        _("Next service due"),
        _("False alarms in the last 12 months"),
        _("Classification"),
        _("Notes"),
    ]


@login_required
def alarm_export(request):
    """The alarms as the list shows them (same filters, same scope) as an Excel file; every
    classified one written is logged as exported."""
    group = _group(request)
    alarms, _filters = filter_alarms(request, group)
    since = timezone.now() - datetime.timedelta(days=365)
    alarms = list(
        alarms.annotate(
            false_count=Count("events", filter=Q(events__kind=AlarmEvent.Kind.FALSE, events__occurred_at__gte=since))
        ).order_by("building__site__name", "building__code", "name", "pk")[:20000]
    )
    rows = [
        [
            a.building.site.name,
            a.building.name,
            a.get_kind_display(),
            a.name,
            a.identifier,
            _("Yes") if a.connected else _("No"),
            a.receiving_centre,
            a.supplier,
            a.installed_on,
            a.service_interval_months,
            a.last_serviced_on,
            a.next_service_due,
            a.false_count,
            _("Classified (secret)") if a.is_classified else a.get_classification_display(),
            a.notes,
        ]
        for a in alarms
    ]
    response = workbook_response(f"larm-{timezone.localdate().isoformat()}.xlsx", [(_("Alarms"), _headers(), rows)])
    log_reads(request, alarms, "export")
    return response
