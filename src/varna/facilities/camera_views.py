"""The register of camera surveillance: list with search and filters, detail with its cameras
and assessments, create, edit, delete, add a camera, record an assessment, the register as an
Excel file, and the log of thinned surveillances. Everything reads through `restrict`: a
classified surveillance (or one on a classified site or building) is there only for roles
cleared on its site's unit, and each read of one is logged."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from varna.core.access_log import get_logged_or_404, log_reads
from varna.core.history import history_entries
from varna.core.links import HIDDEN_RECORD
from varna.core.params import int_param
from varna.core.permissions import get_access, scope_q
from varna.core.spreadsheets import workbook_response
from varna.core.views import VersionedUpdateView, create_view
from varna.core.views import scoped_group as _group

from . import camera_review
from .camera_forms import (
    CameraForm,
    CameraSurveillanceForm,
    InterestAssessmentForm,
    building_choices,
    changeable_sites,
    classified_choices,
)
from .models import Camera, CameraSurveillance, CameraThinning, Site

PAGE_SIZE = 50
SEARCHED_FIELDS = ("name", "code", "area_covered", "site__name", "site__code")
STATES = ("aktuella", "avslutade", "alla")


def filter_surveillances(request, group):
    """The register as the list's filters narrow it (?q, anlaggning, status, saknar), within
    what the user may see: (queryset, the filter values, the chosen site or None)."""
    day = timezone.localdate()
    months = camera_review.review_months(group)
    rows = (
        CameraSurveillance.objects.restrict(request.user)
        .filter(group=group)
        .select_related("site__unit", "building")
        .with_latest_assessment()
        .annotate(camera_count=Coalesce(Subquery(_camera_counts()), 0))
    )
    filters = {
        "q": request.GET.get("q", "").strip()[:200],
        "status": request.GET.get("status", "aktuella"),
        "saknar": request.GET.get("saknar", "") == "1",
    }
    if filters["status"] not in STATES:
        filters["status"] = "aktuella"
    for word in filters["q"].split()[:10]:
        condition = Q()
        for name in SEARCHED_FIELDS:
            condition |= Q(**{f"{name}__icontains": word})
        rows = rows.filter(condition)
    if filters["status"] == "aktuella":
        rows = rows.current(day)
    elif filters["status"] == "avslutade":
        rows = rows.ended_before(day)
    if filters["saknar"]:
        rows = rows.exclude(pk__in=CameraSurveillance.objects.assessed_since(camera_review.current_since(day, months)))
    site = None
    if int_param(request, "anlaggning") is not None:
        site = Site.objects.restrict(request.user).filter(group=group, pk=int_param(request, "anlaggning")).first()
        rows = rows.filter(site=site) if site else rows.none()
    return rows, filters, site


def _camera_counts():
    return (
        Camera.objects.filter(surveillance=OuterRef("pk"))
        .order_by()
        .values("surveillance")
        .annotate(n=Count("pk"))
        .values("n")
    )


@login_required
def surveillance_list(request):
    group = _group(request)
    rows, filters, site = filter_surveillances(request, group)
    page = Paginator(rows.order_by("name", "pk"), PAGE_SIZE).get_page(request.GET.get("sida"))
    since = camera_review.current_since(timezone.localdate(), camera_review.review_months(group))
    for s in page:
        s.assessment_current = s.assessed_on is not None and s.assessed_on >= since
    log_reads(request, list(page), "view")
    access = get_access(request.user)
    return render(
        request,
        "facilities/cameras/list.html",
        {
            "page": page,
            "filters": filters,
            "filter_site": site,
            "sites": Site.objects.restrict(request.user).filter(group=group).order_by("name", "pk"),
            "can_create": bool(access.scopes("change")),
            "can_manage": bool(access.scopes("manage")),
        },
    )


def _surveillance(request, pk, action="view"):
    queryset = CameraSurveillance.objects.restrict(request.user, action).select_related(
        "site__unit", "site__group", "building", "responsible__unit"
    )
    return get_logged_or_404(request, queryset, pk=pk)


def _person_name(access, person) -> str:
    if person is None:
        return ""
    return str(person) if access.can("view", person.unit) else str(HIDDEN_RECORD)


@login_required
def surveillance_detail(request, pk):
    surveillance = _surveillance(request, pk)
    access = get_access(request.user)
    cameras = list(surveillance.cameras.select_related("building").order_by("identifier", "pk"))
    assessments = list(surveillance.assessments.select_related("decided_by__unit").order_by("-date", "-pk"))
    for record in (*cameras, *assessments):
        record.surveillance = surveillance
    for a in assessments:
        a.decider = _person_name(access, a.decided_by)
    log_reads(request, [*cameras, *assessments], "view")
    day = timezone.localdate()
    since = camera_review.current_since(day, camera_review.review_months(surveillance.group))
    current = assessments[0] if assessments and assessments[0].date >= since else None
    return render(
        request,
        "facilities/cameras/detail.html",
        {
            "surveillance": surveillance,
            "site": surveillance.site,
            "cameras": cameras,
            "assessments": assessments,
            "current": current,
            "responsible": _person_name(access, surveillance.responsible),
            "viewers": [
                _person_name(access, p) for p in surveillance.viewers.select_related("unit").order_by("last_name")
            ],
            "is_current": surveillance.is_current(day),
            "can_change": access.can("change", surveillance.site.unit),
            "history": history_entries(surveillance, request.user),
        },
    )


@login_required
def surveillance_create(request):
    site = int_param(request, "anlaggning")
    response = create_view(
        request,
        CameraSurveillanceForm,
        title=_("New camera surveillance"),
        message=_("The camera surveillance was registered."),
        initial={"site": site} if site else None,
    )
    if response.status_code == 200:  # the form, with its choice of buildings
        offered = building_choices(request.user, changeable_sites(request.user, _group(request)))
        log_reads(request, [b for b in offered if b.is_classified], "view")
    return response


class SurveillanceUpdateView(VersionedUpdateView):
    model = CameraSurveillance
    form_class = CameraSurveillanceForm

    def get_queryset(self):
        return super().get_queryset().select_related("site__unit", "site__group", "building")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        log_reads(self.request, classified_choices(context["form"]), "view")
        return context


@login_required
def surveillance_delete(request, pk):
    surveillance = _surveillance(request, pk, "change")
    # An assessment is documentation the law keeps five years after the surveillance ends: a
    # surveillance that has one is ended, not deleted (the thinning removes it in time).
    blocked = surveillance.assessments.exists()
    if request.method == "POST" and not blocked:
        site = surveillance.site
        surveillance.delete()
        messages.success(request, _("The camera surveillance was deleted."))
        return redirect(f"{_list_url()}?anlaggning={site.pk}")
    return render(
        request,
        "facilities/delete.html",
        {
            "record": surveillance,
            "cancel": surveillance,
            "title": _("Delete %(name)s") % {"name": surveillance.name},
            "blocked": _(
                "The surveillance has a documented assessment, which is kept five years after it ends: "
                "give it an end date instead."
            )
            if blocked
            else "",
        },
        status=409 if request.method == "POST" and blocked else 200,
    )


def _list_url():
    return reverse("facilities:cameras")


@login_required
def camera_create(request, pk):
    surveillance = _surveillance(request, pk, "change")
    form = CameraForm(request.POST or None, user=request.user, surveillance=surveillance)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The camera was added."))
        return redirect(surveillance)
    log_reads(request, classified_choices(form), "view")
    return render(
        request,
        "organisation/form.html",
        {"form": form, "title": _("New camera in %(name)s") % {"name": surveillance.name}, "cancel": surveillance},
    )


@login_required
def camera_delete(request, pk):
    camera = get_logged_or_404(
        request,
        Camera.objects.restrict(request.user, "change").select_related(
            "surveillance__site__unit", "surveillance__building"
        ),
        pk=pk,
    )
    surveillance = camera.surveillance
    if request.method == "POST":
        camera.delete()
        messages.success(request, _("The camera was removed."))
        return redirect(surveillance)
    return render(
        request,
        "facilities/delete.html",
        {
            "record": camera,
            "cancel": surveillance,
            "title": _("Remove camera %(id)s from %(name)s") % {"id": camera.identifier, "name": surveillance.name},
        },
    )


@login_required
def assessment_create(request, pk):
    surveillance = _surveillance(request, pk, "change")
    form = InterestAssessmentForm(request.POST or None, user=request.user, surveillance=surveillance)
    if request.method == "POST" and form.is_valid():
        assessment = form.save()
        camera_review.close_review_tasks(surveillance, assessment)
        messages.success(request, _("The assessment was recorded."))
        return redirect(surveillance)
    return render(
        request,
        "organisation/form.html",
        {
            "form": form,
            "title": _("Interest-balancing assessment of %(name)s") % {"name": surveillance.name},
            "cancel": surveillance,
        },
    )


@login_required
def thinning_log(request):
    group = _group(request)
    access = get_access(request.user)
    if not access.scopes("manage"):
        raise PermissionDenied
    rows = CameraThinning.objects.filter(group=group)
    condition = scope_q(access, "unit_path", "manage")
    if condition is not None:
        rows = rows.filter(condition)
    page = Paginator(rows.order_by("-date", "-pk"), PAGE_SIZE).get_page(request.GET.get("sida"))
    return render(request, "facilities/cameras/thinning.html", {"page": page})


# The register to Excel ----------------------------------------------------------------------


def _yes(value: bool) -> str:
    return _("Yes") if value else _("No")


@login_required
def register_export(request):
    """The register as the list shows it (same filters, same scope): a sheet of surveillances
    and one of their cameras. Every classified record written is logged as exported."""
    group = _group(request)
    access = get_access(request.user)
    rows, _filters, _site = filter_surveillances(request, group)
    rows = list(rows.select_related("responsible__unit").order_by("name", "pk")[:20000])
    by_pk = {s.pk: s for s in rows}
    cameras = list(
        Camera.objects.filter(surveillance__in=list(by_pk))
        .select_related("building")
        .order_by("surveillance", "identifier")
    )
    for camera in cameras:
        camera.surveillance = by_pk[camera.surveillance_id]
    surveillance_rows = [
        [
            s.code,
            s.name,
            s.site.name,
            s.building.name if s.building_id else "",
            ", ".join(s.purposes()),
            s.purpose,
            s.area_covered,
            _yes(s.live_view),
            _yes(s.recording),
            _yes(s.sound_recorded),
            _yes(s.masking),
            _yes(s.reduced_resolution),
            s.privacy_other,
            s.retention_days,
            s.retention_reason,
            s.viewer_roles,
            s.signage_text,
            s.signage_places,
            _yes(s.signs_up),
            _person_name(access, s.responsible),
            s.assessed_on,
            _yes(s.dpia_required),
            s.dpia_done,
            s.started,
            s.ended,
            _("Classified (secret)") if s.is_classified else s.get_classification_display(),
            s.camera_count,
        ]
        for s in rows
    ]
    camera_rows = [
        [
            c.surveillance.code,
            c.surveillance.name,
            c.identifier,
            c.placement,
            c.building.name if c.building_id else "",
            c.retention_days if c.retention_days is not None else c.surveillance.retention_days,
            c.retention_reason,
        ]
        for c in cameras
    ]
    response = workbook_response(
        f"kamerabevakning-{timezone.localdate().isoformat()}.xlsx",
        [
            (_("Camera surveillance"), _surveillance_headers(), surveillance_rows),
            (
                _("Cameras"),
                [
                    _("Code"),
                    _("Surveillance"),
                    _("Camera"),
                    _("Placement"),
                    _("Building"),
                    _("Retention (days)"),
                    _("Reason"),
                ],
                camera_rows,
            ),
        ],
    )
    log_reads(request, [*rows, *cameras], "export")
    return response


def _surveillance_headers():
    return [
        _("Code"),
        _("Name"),
        _("Site"),
        _("Building"),
        _("Purposes"),
        _("Purpose, described"),
        _("Area covered"),
        _("Live view"),
        _("Recording"),
        _("Sound recorded"),
        _("Privacy masking"),
        _("Reduced resolution"),
        _("Other privacy features"),
        _("Retention (days)"),
        _("Reason for the retention"),
        _("Who may view footage"),
        _("Text of the signs"),
        _("Where the signs are"),
        _("Signs are up"),
        _("Responsible person"),
        _("Latest assessment"),
        _("DPIA required"),
        _("DPIA done"),
        _("Started"),
        _("Ended"),
        _("Classification"),
        _("Cameras"),
    ]
