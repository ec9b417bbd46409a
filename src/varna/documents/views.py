import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from varna.core.access_log import get_logged_or_404
from varna.core.context_processors import current_group
from varna.core.history import history_entries
from varna.core.i18n import tr
from varna.core.models import StaleEditError
from varna.core.params import int_param
from varna.core.permissions import get_access
from varna.core.views import VersionedUpdateView
from varna.organisation.models import OrgUnit

from . import acknowledgements, services
from .forms import CommentForm, DecisionForm, DeliveryForm, DocumentForm, ReplaceForm, ReviewForm, VersionForm
from .models import Document, NotificationDuty, Review, Status
from .rendering import render_markdown
from .search import search

STALE = gettext_lazy(
    "Someone else changed the document after you opened the page. Nothing was saved: "
    "look at it again and redo your step."
)


def _group(request):
    group = current_group(request)
    if group is None or not get_access(request.user).anything:
        raise PermissionDenied
    return group


def _document(request, pk, action="view"):
    return get_logged_or_404(
        request,
        Document.objects.restrict(request.user, action).select_related("group", "unit", "owner", "parent__unit"),
        pk=pk,
    )


@login_required
def document_list(request):
    group = _group(request)
    profile = group.profile
    documents, filters, unit = filter_documents(request, group)
    today = timezone.localdate()
    page = Paginator(documents.order_by("title", "pk"), 50).get_page(request.GET.get("sida"))
    for document in page:
        document.group = group
    return render(
        request,
        "documents/list.html",
        {
            "page": page,
            "filters": filters,
            "filter_unit": unit,
            "kinds": [(k, tr(v["name"])) for k, v in profile.document_kinds.items()],
            "statuses": Status.choices,
            "areas": [(r["key"], tr(r["name"])) for r in group.profile.data["required_routines"]],
            "units": OrgUnit.objects.restrict(request.user).filter(group=group, depth__lte=2).order_by("path"),
            "today": today,
            "can_create": bool(get_access(request.user).scopes("change")),
            "can_import": bool(get_access(request.user).scopes("manage")),
        },
    )


def filter_documents(request, group):
    """The register as the list's filters (?q, typ, status, enhet, granskning) narrow it, within
    what the user may see: (queryset, the filter values, the chosen unit or None). Shared by the
    list and its export."""
    profile = group.profile
    documents = Document.objects.restrict(request.user).filter(group=group).select_related("unit").defer("search_text")
    filters = {
        "q": request.GET.get("q", "").strip(),
        "typ": request.GET.get("typ", ""),
        "status": request.GET.get("status", ""),
        "enhet": request.GET.get("enhet", ""),
        "granskning": request.GET.get("granskning", ""),
        "omrade": request.GET.get("omrade", ""),
    }
    documents = search(documents, filters["q"])
    if filters["typ"] in profile.document_kinds:
        documents = documents.filter(kind=filters["typ"])
    if filters["status"] in Status.values:
        documents = documents.filter(status=filters["status"])
    if filters["omrade"] in {r["key"] for r in profile.data["required_routines"]}:
        # The JSON list as text contains the quoted key (works alike on PostgreSQL and SQLite).
        documents = documents.filter(topics__icontains=f'"{filters["omrade"]}"')
    unit = None
    if int_param(request, "enhet") is not None:
        unit = OrgUnit.objects.restrict(request.user).filter(pk=int_param(request, "enhet")).first()
        if unit:
            documents = documents.filter(unit__path__startswith=unit.path)
    today = timezone.localdate()
    if filters["granskning"] == "forsenad":
        documents = documents.filter(status__in=(Status.IN_FORCE, Status.UNDER_REVIEW), next_review__lt=today)
    elif filters["granskning"] == "snart":
        documents = documents.filter(
            status__in=(Status.IN_FORCE, Status.UNDER_REVIEW),
            next_review__gte=today,
            next_review__lte=today + datetime.timedelta(days=90),
        )
    return documents, filters, unit


@login_required
def document_detail(request, pk):
    document = _document(request, pk)
    access = get_access(request.user)
    versions = list(document.versions.select_related("created_by"))
    decisions = list(document.decisions.select_related("version", "body", "person"))
    decided = decisions[0].version if decisions else None
    shown = (
        decided if document.is_applying or document.status == Status.DECIDED else (versions[0] if versions else None)
    )
    if shown is None and versions:
        shown = versions[0]
    open_review = document.reviews.filter(done_at__isnull=True).first()
    can_change = access.can("change", document.unit)
    can_manage = access.can("manage", document.unit)
    return render(
        request,
        "documents/detail.html",
        {
            "parent_visible": document.parent is not None and get_access(request.user).may_read(document.parent),
            "document": document,
            "versions": versions,
            "decisions": decisions,
            "shown": shown,
            "shown_html": render_markdown(shown.text) if shown and shown.text else "",
            "draft_newer": bool(versions and decided and versions[0].number > decided.number),
            "reviews": list(document.reviews.order_by("-due_date")[:20]),
            "open_review": open_review,
            "review_form": ReviewForm() if open_review and can_change else None,
            "duties": list(document.notification_duties.select_related("body", "decision")),
            "comments": list(document.comments.select_related("unit", "author")),
            "comment_form": CommentForm(units=OrgUnit.objects.restrict(request.user).filter(group=document.group))
            if document.status == Status.CONSULTATION
            else None,
            "children": list(document.children.restrict(request.user).order_by("title")),
            "decider": services.decider_for(document),
            "topics": [
                tr(r["name"])
                for r in document.group.profile.data["required_routines"]
                if r["key"] in (document.topics or [])
            ],
            "history": history_entries(document, request.user),
            "can_change": can_change,
            "can_manage": can_manage,
            "my_acknowledgement": acknowledgements.open_request(access.person, document),
        },
    )


@login_required
def document_create(request):
    group = _group(request)
    if not get_access(request.user).scopes("change"):
        raise PermissionDenied
    initial = {"unit": request.GET.get("enhet"), "parent": request.GET.get("under"), "kind": request.GET.get("typ")}
    form = DocumentForm(request.POST or None, user=request.user, group=group, initial=initial)
    if request.method == "POST" and form.is_valid():
        document = form.save()
        messages.success(request, _("The document was created as a draft. Write or upload its content next."))
        return redirect(document)
    return render(request, "organisation/form.html", {"form": form, "title": _("New governing document")})


class DocumentUpdateView(VersionedUpdateView):
    model = Document
    form_class = DocumentForm


@login_required
def version_create(request, pk):
    document = _document(request, pk, "change")
    latest = document.versions.order_by("-number").first()
    form = VersionForm(request.POST or None, initial={"text": latest.text if latest else ""})
    if request.method == "POST" and form.is_valid():
        try:
            version = services.add_version(
                document, request.user, text=form.cleaned_data["text"], note=form.cleaned_data["note"]
            )
        except services.RuleError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Version %(n)s was saved.") % {"n": version.number})
            return redirect(document)
    return render(
        request,
        "organisation/form.html",
        {"form": form, "title": _("New version of %(name)s") % {"name": document}, "cancel": document},
    )


def _transition(request, document, step, success):
    try:
        step()
    except services.RuleError as exc:
        messages.error(request, str(exc))
    except StaleEditError:
        messages.error(request, str(STALE))
    else:
        messages.success(request, success)
    return redirect(document)


@login_required
@require_POST
def consultation_start(request, pk):
    document = _document(request, pk, "change")
    return _transition(
        request, document, lambda: services.start_consultation(document), _("The document is out for consultation.")
    )


@login_required
@require_POST
def comment_create(request, pk):
    document = _document(request, pk)
    form = CommentForm(request.POST, units=OrgUnit.objects.restrict(request.user).filter(group=document.group))
    if document.status != Status.CONSULTATION:
        messages.error(request, _("The consultation is closed."))
    elif form.is_valid():
        document.comments.create(unit=form.cleaned_data["unit"], text=form.cleaned_data["text"], author=request.user)
        messages.success(request, _("Your comment was added."))
    else:
        messages.error(request, _("Choose your unit and write a comment."))
    return redirect(document)


@login_required
def decision_create(request, pk):
    document = _document(request, pk, "manage")
    form = DecisionForm(request.POST or None, document=document, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_decision(
                document,
                version=data["version"],
                body=data.get("body"),
                person=data.get("person"),
                date=data["date"],
                in_force_from=data["in_force_from"] or data["date"],
                record_number=data["record_number"],
                user=request.user,
                expected_version=data["expected_version"],
            )
        except services.RuleError as exc:
            form.add_error("body" if "body" in form.fields else "person", str(exc))
        except StaleEditError:
            form.add_error(None, str(STALE))
        else:
            messages.success(request, _("The decision was recorded."))
            return redirect(document)
    return render(request, "documents/decision_form.html", {"form": form, "document": document})


@login_required
@require_POST
def review_start(request, pk):
    document = _document(request, pk, "change")

    def start():
        if not document.is_applying:
            raise services.RuleError(_("Only a document in force can be reviewed."))
        if document.reviews.filter(done_at__isnull=True).exists():
            raise services.RuleError(_("A review is already open."))
        Review.objects.create(document=document, due_date=document.next_review or timezone.localdate())

    return _transition(request, document, start, _("A review was opened."))


@login_required
@require_POST
def review_complete(request, pk):
    review = get_object_or_404(Review, pk=pk)
    document = _document(request, review.document_id, "change")
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the outcome of the review."))
        return redirect(document)
    outcome = form.cleaned_data["outcome"]
    try:
        services.complete_review(review, outcome=outcome, notes=form.cleaned_data["notes"], user=request.user)
    except services.RuleError as exc:
        messages.error(request, str(exc))
    except StaleEditError:
        messages.error(request, str(STALE))
    else:
        document.refresh_from_db()
        if outcome == Review.Outcome.NO_CHANGE:
            messages.success(
                request, _("The review is done; the next review is due %(day)s.") % {"day": document.next_review}
            )
        else:
            messages.success(
                request, _("The document is under review: add the revised version and record its decision.")
            )
    return redirect(document)


@login_required
def duty_deliver(request, pk):
    duty = get_object_or_404(NotificationDuty.objects.select_related("document", "decision", "body"), pk=pk)
    document = _document(request, duty.document_id, "change")
    form = DeliveryForm(request.POST or None, instance=duty)
    if request.method == "POST" and form.is_valid():
        duty = form.save(commit=False)
        duty.registered_by = request.user
        duty.save()
        messages.success(request, _("The delivery to %(body)s was registered.") % {"body": duty.body})
        return redirect(document)
    return render(
        request,
        "organisation/form.html",
        {"form": form, "title": _("Communicated to %(body)s") % {"body": duty.body}, "cancel": document},
    )


@login_required
@require_POST
def repeal(request, pk):
    document = _document(request, pk, "manage")

    def step():
        if document.status in (Status.REPLACED, Status.REPEALED):
            raise services.RuleError(_("The document is already repealed or replaced."))
        document.status = Status.REPEALED
        document.next_review = None
        document.save_versioned(int_param(request, "version", source="POST") or 0)
        document.reviews.filter(done_at__isnull=True).delete()
        acknowledgements.close_open_requests(document)

    return _transition(
        request, document, step, _("The document is repealed. It stays in the register with its history.")
    )


@login_required
def replace(request, pk):
    """The document no longer applies: another one, decided or in force, takes its place."""
    document = _document(request, pk, "manage")
    if document.status in (Status.REPLACED, Status.REPEALED, Status.DRAFT, Status.CONSULTATION):
        messages.error(request, _("Only a decided document or one in force can be replaced."))
        return redirect(document)
    form = ReplaceForm(request.POST or None, document=document, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                document.status = Status.REPLACED
                document.replaced_by = form.cleaned_data["replaced_by"]
                document.next_review = None
                document.save_versioned(document.version)
                document.reviews.filter(done_at__isnull=True).delete()
                acknowledgements.close_open_requests(document)
        except StaleEditError:
            form.add_error(None, str(STALE))
        else:
            messages.success(
                request,
                _("%(old)s is replaced by %(new)s. It stays in the register with its history.")
                % {"old": document, "new": document.replaced_by},
            )
            return redirect(document)
    return render(
        request,
        "organisation/form.html",
        {"form": form, "title": _("Replace %(name)s") % {"name": document}, "cancel": document},
    )


CALENDAR_SHOWN = 50


@login_required
def review_calendar(request):
    group = _group(request)
    today = timezone.localdate()
    horizon = today + datetime.timedelta(days=int_param(request, "dagar", 180, maximum=3650))
    documents = Document.objects.restrict(request.user).filter(group=group).select_related("unit", "owner")
    unit = None
    if int_param(request, "enhet") is not None:
        unit = OrgUnit.objects.restrict(request.user).filter(pk=int_param(request, "enhet")).first()
        if unit:
            documents = documents.filter(unit__path__startswith=unit.path)
    applying = documents.filter(status__in=(Status.IN_FORCE, Status.UNDER_REVIEW), next_review__isnull=False).defer(
        "search_text"
    )
    overdue_qs = applying.filter(next_review__lt=today).order_by("next_review")
    due_qs = applying.filter(next_review__gte=today, next_review__lte=horizon).order_by("next_review")
    done_qs = Review.objects.filter(
        document__in=documents, done_at__isnull=False, done_at__gte=today - datetime.timedelta(days=365)
    )
    # Each section shows the first CALENDAR_SHOWN rows and its total; the register's filters
    # page through the rest (rendering hundreds of rows is what makes a calendar slow).
    overdue = list(overdue_qs[:CALENDAR_SHOWN])
    due = list(due_qs[:CALENDAR_SHOWN])
    done = list(done_qs.select_related("document__unit", "reviewer").order_by("-done_at")[:CALENDAR_SHOWN])
    for document in [*overdue, *due]:
        document.group = group
    return render(
        request,
        "documents/calendar.html",
        {
            "overdue": overdue,
            "due": due,
            "done": done,
            "counts": {
                "overdue": overdue_qs.count() if len(overdue) == CALENDAR_SHOWN else len(overdue),
                "due": due_qs.count() if len(due) == CALENDAR_SHOWN else len(due),
                "done": done_qs.count() if len(done) == CALENDAR_SHOWN else len(done),
            },
            "shown": CALENDAR_SHOWN,
            "horizon": horizon,
            "filter_unit": unit,
            "units": OrgUnit.objects.restrict(request.user).filter(group=group, depth__lte=2).order_by("path"),
        },
    )
