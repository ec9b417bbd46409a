import datetime
import hmac
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST, require_safe
from django.views.generic import UpdateView

from . import areas
from .access_log import log_read
from .context_processors import current_group
from .forms import VersionedModelForm
from .jobs import record_group_statuses
from .models import Notification, ObligationStatus, Task, WorkerHeartbeat
from .obligations import Result, Status, evaluate, visible_evidence
from .permissions import get_access


class ScopedMixin(LoginRequiredMixin):
    """Narrow the view's queryset to what the user may do (`action`) by org unit."""

    action = "view"

    def get_queryset(self):
        return self.model.objects.restrict(self.request.user, self.action)


class VersionedUpdateView(ScopedMixin, UpdateView):
    """Edit a record with optimistic locking: a stale form is refused, nothing overwritten."""

    action = "change"
    form_class: type[VersionedModelForm]
    template_name = "organisation/form.html"

    def get_object(self, queryset=None):
        record = super().get_object(queryset)
        log_read(self.request, record, "edit")  # the form shows the classified content too
        return record

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("title", _("Edit %(name)s") % {"name": self.object})
        context.setdefault("cancel", self.object)
        return context

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        kwargs["group"] = current_group(self.request)
        return kwargs

    def form_valid(self, form):
        instance = form.save_versioned()
        if instance is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Saved."))
        return HttpResponseRedirect(instance.get_absolute_url())


def scoped_group(request):
    """The group a register page works in, for a user who holds a role somewhere in it."""
    group = current_group(request)
    if group is None or not get_access(request.user).anything:
        raise PermissionDenied
    return group


def create_view(request, form_class, *, title, message, initial=None, next_url=None, cancel=None):
    """The area's create pages: a user with "change" somewhere fills the form (its unit choices
    narrowed to where they may change); saved, they go to the new record (or `next_url(record)`)."""
    group = scoped_group(request)
    if not get_access(request.user).scopes("change"):
        raise PermissionDenied
    form = form_class(request.POST or None, user=request.user, group=group, initial=initial)
    if request.method == "POST" and form.is_valid():
        record = form.save()
        messages.success(request, message)
        return redirect(next_url(record) if next_url else record)
    return render(request, "organisation/form.html", {"form": form, "title": title, "cancel": cancel})


def obligation_rows(group, access):
    """Every obligation checked now, for the whole group; its evidence as `access` may see it
    (core/obligations.py, `visible_evidence`)."""
    profile = group.profile
    rows = []
    cache: dict = {}
    for obligation in profile.obligations:
        status, results = evaluate(obligation, group, profile, cache)
        rows.append(
            {
                "obligation": obligation,
                "area_name": areas.area_name(obligation["area"]),
                "status": status,
                "status_label": Status(status).label,
                "results": [visible_evidence(r, access) for r in results],
            }
        )
    return rows


def gaps_under(group, unit, access) -> list[dict]:
    """The obligations not met or partly met whose evidence points into `unit` or a unit under
    it, with that evidence as `access` may see it (from the latest recorded check)."""
    gaps = []
    for row in latest_statuses(group, access):
        if row["status"] not in (Status.NOT_MET, Status.PARTLY):
            continue
        evidence = [
            e
            for shown in row["results"]
            for e in shown.evidence
            if any(path and path.startswith(unit.path) for path, _classified in e.records or [])
        ]
        if evidence:
            gaps.append({**row, "evidence": evidence})
    return gaps


def latest_statuses(group, access) -> list[dict]:
    """The newest recorded answer of each obligation (written by the worker every 15 minutes and
    by "Check now"), in one query: the start page does not run every check on each visit. Its
    evidence as `access` may see it, as on the obligations page."""
    profile = group.profile
    newest = {}
    for row in ObligationStatus.objects.filter(
        group=group, checked_at__gte=timezone.now() - datetime.timedelta(days=2)
    ):
        if row.obligation_id not in newest or row.checked_at > newest[row.obligation_id].checked_at:
            newest[row.obligation_id] = row
    rows = []
    for obligation in profile.obligations:
        row = newest.get(obligation["id"])
        status = row.status if row else Status.NOT_CHECKABLE
        rows.append(
            {
                "obligation": obligation,
                "status": status,
                "status_label": Status(status).label,
                "results": [visible_evidence(Result.from_json(r), access) for r in row.results] if row else [],
                "checked_at": row.checked_at if row else None,
            }
        )
    return rows


def _first_steps(group, access) -> list:
    """A new municipality's first week (core.areas.FirstStep), for whoever may manage its top
    unit, until every step is found done."""
    top = group.units.filter(parent__isnull=True).first()
    if top is None or not access.can("manage", top):
        return []
    steps = areas.first_steps(group)
    if all(step.done for step in steps):
        group.first_steps_done_on = timezone.localdate()
        group.save(update_fields=["first_steps_done_on"])
        return []
    return steps


@login_required
def home(request):
    group = current_group(request)
    access = get_access(request.user)
    context = {"tasks": [], "areas": [], "notifications": []}
    person = access.person
    if person is not None:
        context["tasks"] = list(Task.objects.filter(owner=person, state=Task.State.OPEN).order_by("due_date")[:20])
    context["notifications"] = list(Notification.objects.filter(recipient=request.user, read_at__isnull=True)[:5])
    if not access.anything and person is not None:
        # A person without a role that reads a unit: what they can do here (report an incident, ...).
        # Their own work first; tasks and notifications have their cards below.
        entries = [
            e for _title, section in areas.menu(access) for e in section if e.url_name not in ("tasks", "notifications")
        ]
        context["work"] = sorted(entries, key=lambda e: e.section != "work")
    if group is not None and group.first_steps_done_on is None:
        context["first_steps"] = _first_steps(group, access)
    if group is not None and access.anything:
        rows = latest_statuses(group, access)
        by_area: dict[str, list] = {}
        for row in rows:
            by_area.setdefault(row["obligation"]["area"], []).append(row)
        # Every area of the policy, built or not: the card of one not built shows its obligations
        # as not built yet; an installed area's card links to its register.
        installed = {area.key: area for area in areas.installed()}
        context["areas"] = [
            {"key": key, "name": name, "rows": by_area.get(key, []), "area": installed.get(key)}
            for key, name in areas.POLICY_AREAS.items()
        ]
        context["gaps"] = [r for r in rows if r["status"] in (Status.NOT_MET, Status.PARTLY)]
        checked = [r["checked_at"] for r in rows if r["checked_at"]]
        context["checked_at"] = min(checked) if checked else None
    return render(request, "core/home.html", context)


@login_required
@require_POST
def obligations_refresh(request):
    """Check every obligation now (the worker also does it every 15 minutes)."""
    group = current_group(request)
    if group is None or not get_access(request.user).anything:
        raise PermissionDenied
    record_group_statuses(group)
    messages.success(request, _("Every obligation was checked just now."))
    return redirect("home")


@login_required
def obligations(request):
    group = current_group(request)
    if group is None or not get_access(request.user).anything:
        raise PermissionDenied
    rows = obligation_rows(group, get_access(request.user))
    profile = group.profile
    return render(
        request,
        "core/obligations.html",
        {
            "rows": rows,
            "levels": profile.data["unit_levels"],
            "roles": profile.data["role_types"],
            "document_kinds": profile.data["document_kinds"],
            "trainings": profile.data["trainings"],
            "required_routines": profile.data["required_routines"],
        },
    )


@login_required
def notifications(request):
    items = Notification.objects.filter(recipient=request.user)[:200]
    return render(request, "core/notifications.html", {"items": items})


@login_required
@require_POST
def notification_read(request, pk):
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    target = notification.url
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notifications")


@login_required
def tasks(request):
    person = get_access(request.user).person
    items = Task.objects.filter(owner=person).order_by("state", "due_date") if person else Task.objects.none()
    return render(request, "core/tasks.html", {"items": items[:500]})


def _may_read_health_details(request) -> bool:
    """An operator: a logged-in staff user, or a monitor presenting VARNA_HEALTH_TOKEN as a
    bearer token. Anyone else learns only whether the application is up."""
    if request.user.is_authenticated and request.user.is_staff:
        return True
    token = settings.HEALTH_TOKEN
    offered = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    return bool(token) and hmac.compare_digest(offered.encode(), token.encode())


def health(request):
    """Liveness for anyone (up or not, nothing more); the database, migrations and the
    background worker for operators (see _may_read_health_details)."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = {"ok": True, "detail": connection.vendor}
    except Exception as exc:  # any failure to reach the database is the answer itself
        checks["database"] = {"ok": False, "detail": str(exc)}
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        checks["migrations"] = {"ok": not pending, "detail": _("%(n)s pending") % {"n": len(pending)}}
    except Exception as exc:
        checks["migrations"] = {"ok": False, "detail": str(exc)}
    heartbeat = None
    last_job = None
    if checks["database"]["ok"]:
        from django_tasks_db.models import DBTaskResult

        heartbeat = WorkerHeartbeat.objects.order_by("-last_seen").first()
        last_job = DBTaskResult.objects.filter(finished_at__isnull=False).order_by("-finished_at").first()
    stale_after = datetime.timedelta(minutes=5)
    worker_ok = heartbeat is not None and timezone.now() - heartbeat.last_seen < stale_after
    checks["worker"] = {
        "ok": worker_ok,
        "detail": heartbeat.last_seen.isoformat() if heartbeat else _("never seen"),
    }
    checks["last_job"] = {
        "ok": last_job is None or last_job.status == "SUCCESSFUL",
        "detail": f"{last_job.task_path} {last_job.status} {last_job.finished_at.isoformat()}"
        if last_job
        else _("none yet"),
    }
    labels = {
        "database": _("Database"),
        "migrations": _("Migrations applied"),
        "worker": _("Background worker's last heartbeat"),
        "last_job": _("Last background job"),
    }
    for name, check in checks.items():
        check["label"] = labels[name]
    healthy = checks["database"]["ok"] and checks["migrations"]["ok"]
    status = 200 if healthy else 503
    if not _may_read_health_details(request):
        checks = {}
    if request.GET.get("format") == "json" or "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"ok": healthy, "checks": checks} if checks else {"ok": healthy}, status=status)
    return render(
        request,
        "core/health.html",
        {"checks": checks, "healthy": healthy},
        status=status,
    )


FAVICON = Path(__file__).resolve().parent / "static" / "varna" / "favicon.svg"


@require_safe
@cache_control(max_age=86400, public=True)
def favicon(request):
    """The icon at /favicon.ico, where browsers look for it without being told: otherwise every
    first visit logs a "Not Found". It is an SVG whatever the name; browsers go by the type."""
    return HttpResponse(FAVICON.read_bytes(), content_type="image/svg+xml")
