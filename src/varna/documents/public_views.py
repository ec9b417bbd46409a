"""The public extract of the register: the municipality's governing documents that are public
and apply, for anyone (no login), with the text of the decided version. Nothing else is ever
shown here: a document that is internal, classified, a draft, decided but not yet in force,
replaced or repealed answers 404 whatever its id, and only the *decided* version's text is
shown, never a newer draft.
"""

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from varna.core.i18n import tr
from varna.core.models import Classification
from varna.core.spreadsheets import xlsx_response
from varna.organisation.models import MunicipalGroup

from .models import APPLYING, Decision, Document
from .rendering import render_markdown

PAGE_SIZE = 100


def public_documents(group=None):
    documents = Document.objects.filter(classification=Classification.PUBLIC, status__in=APPLYING)
    if group is not None:
        documents = documents.filter(group=group)
    return documents.select_related("group").prefetch_related(
        Prefetch(
            "decisions",
            queryset=Decision.objects.select_related("body", "person", "version").order_by("-date", "-pk"),
            to_attr="decisions_latest_first",
        )
    )


def _decision(document) -> Decision | None:
    decisions = getattr(document, "decisions_latest_first", None)
    if decisions is None:
        decisions = list(document.decisions.select_related("body", "person", "version").order_by("-date", "-pk"))
    return decisions[0] if decisions else None


def _valid_id(raw: str) -> bool:
    return raw.isascii() and raw.isdigit() and len(raw) < 19


def _group(request) -> tuple[MunicipalGroup | None, list[MunicipalGroup]]:
    """The municipal group asked for with ?kommun=<id>, or the only one there is. With several
    and none chosen: (None, all of them) for the page to offer."""
    raw = request.GET.get("kommun", "")
    if raw:
        if not _valid_id(raw):
            raise Http404
        return get_object_or_404(MunicipalGroup, pk=raw), []
    groups = list(MunicipalGroup.objects.order_by("name", "pk"))
    if not groups:
        raise Http404
    if len(groups) == 1:
        return groups[0], []
    return None, groups


def _rows(documents):
    for document in documents:
        decision = _decision(document)
        document.decision = decision
        yield document


@require_safe
def public_list(request):
    group, groups = _group(request)
    if group is None:
        return render(request, "documents/public_list.html", {"groups": groups, "public_group": None})
    profile = group.profile
    documents = public_documents(group)
    kind = request.GET.get("typ", "")
    if kind in profile.document_kinds:
        documents = documents.filter(kind=kind)
    query = request.GET.get("q", "").strip()[:200]
    for word in query.split():
        documents = documents.filter(title__icontains=word)
    page = Paginator(documents.order_by("title", "pk"), PAGE_SIZE).get_page(request.GET.get("sida"))
    rows = list(_rows(page))
    base = {
        "kommun": group.pk,
        **({"typ": kind} if kind in profile.document_kinds else {}),
        **({"q": query} if query else {}),
    }
    return render(
        request,
        "documents/public_list.html",
        {
            "group": group,
            "profile": profile,
            "public_group": group,
            "page": page,
            "rows": rows,
            "kinds": [(k, tr(v["name"])) for k, v in profile.document_kinds.items()],
            "kind": kind,
            "query": query,
            "kommun": urlencode({"kommun": group.pk}),
            "querystring_base": urlencode(base) + "&",
        },
    )


@require_safe
def public_detail(request, pk):
    document = get_object_or_404(public_documents(), pk=pk)
    group = document.group
    decision = _decision(document)
    version = decision.version if decision else None
    return render(
        request,
        "documents/public_detail.html",
        {
            "group": group,
            "profile": group.profile,
            "document": document,
            "decision": decision,
            "text_html": render_markdown(version.text) if version and version.text else "",
            "has_file": bool(version and version.file),
            "back": reverse("documents:public") + f"?{urlencode({'kommun': group.pk})}",
        },
    )


@require_safe
def public_export(request):
    group, _others = _group(request)
    if group is None:
        raise Http404
    base_url = request.build_absolute_uri("/").rstrip("/")
    documents = public_documents(group).order_by("title", "pk")
    kinds = {key: tr(spec["name"]) for key, spec in group.profile.document_kinds.items()}

    def rows():
        for document in _rows(documents):
            decision = document.decision
            yield [
                document.title,
                kinds.get(document.kind, document.kind),
                str(decision.decider) if decision else "",
                decision.date if decision else None,
                (decision.record_number if decision else "") or document.record_number,
                document.in_force_from,
                base_url + reverse("documents:public-detail", args=[document.pk]),
            ]

    headers = [
        _("Title"),
        _("Kind"),
        _("Decided by"),
        _("Decision date"),
        _("Record number"),
        _("In force from"),
        _("Address"),
    ]
    return xlsx_response(
        f"styrdokument-{timezone.localdate().isoformat()}.xlsx", _("Governing documents"), headers, rows()
    )
