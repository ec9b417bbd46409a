"""The access log of classified records.

Two ways in. Pages log what they name on purpose (`log_read`, `log_access`, `log_reads`,
`get_logged_or_404`: with an action such as "export" or "persons"). And, so that no page can
forget, every classified record loaded from the database while a request is served is noted
(a post_init signal, connected in CoreConfig.ready) and `ClassifiedReadLogMiddleware` logs, after
the response, each one the reader was cleared to see (or reported themself) that was not logged
already: lists, choices in a form, linked records, dashboards. A record loaded only to be masked
for a reader not cleared for it is not a read and is not logged."""

from contextvars import ContextVar

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import Value
from django.shortcuts import get_object_or_404

from .models import AccessLogEntry
from .permissions import get_access

_request_reads: ContextVar[dict | None] = ContextVar("varna_classified_reads", default=None)


def note_loaded(sender, instance, **kwargs) -> None:
    """post_init receiver for classified models: remember a classified row loaded for a request."""
    reads = _request_reads.get()
    # A deferred classification would cost a query to read: such a load shows no content.
    if reads is None or instance.pk is None or "classification" not in instance.__dict__:
        return
    if instance.classification == "classified":
        reads["loaded"].setdefault((type(instance), instance.pk), instance)


def _mark_logged(obj) -> None:
    _mark_logged_key((type(obj), obj.pk))


def _mark_logged_key(key) -> None:
    reads = _request_reads.get()
    if reads is not None:
        reads["logged"].add(key)


class ClassifiedReadLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request_reads.set({"loaded": {}, "logged": set()})
        try:
            response = self.get_response(request)
            reads = _request_reads.get()
        finally:
            _request_reads.reset(token)  # what logging loads is not itself a read
        user = getattr(request, "user", None)
        if reads["loaded"] and user is not None and user.is_authenticated and response.status_code < 500:
            records = [r for key, r in reads["loaded"].items() if key not in reads["logged"]]
            log_reads(request, _cleared_for(user, records), "view")
        return response


def _cleared_for(user, records) -> list:
    access = get_access(user)
    paths = {r.unit_id: r.unit.path for r in records if "unit" in r._state.fields_cache and r.unit is not None}
    unit_ids = {getattr(r, "unit_id", None) for r in records} - {None} - set(paths)
    if unit_ids and access.classified_paths:
        OrgUnit = apps.get_model("organisation", "OrgUnit")
        # Named so that query-count tests can tell the log's own queries from the page's.
        found = OrgUnit.objects.filter(pk__in=unit_ids).annotate(for_access_log=Value(1))
        paths.update((pk, path) for pk, path, _ in found.values_list("pk", "path", "for_access_log"))
    return [
        r
        for r in records
        if any(paths.get(getattr(r, "unit_id", None), "\0").startswith(p) for p in access.classified_paths)
        or getattr(r, "reported_by_id", None) == user.pk
    ]


def log_read(request, obj, action: str = "view") -> None:
    """Record a read of a classified record: who, when, what, from which page."""
    if getattr(obj, "is_classified", False):
        log_access(request, obj, action)


def log_access(request, obj, action: str) -> None:
    """Record a read of restricted content of any record (e.g. the persons in an incident)."""
    _mark_logged(obj)
    AccessLogEntry.objects.create(
        group_id=getattr(obj, "group_id", None),
        user=request.user,
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        action=action,
        path=request.get_full_path()[:500],
    )


def log_reads(request, records, action: str) -> int:
    """Record a read of each classified record among `records` (an export, a report): one entry
    each (a record named twice is logged once), written together (one INSERT per thousand rows,
    not one per record). Returns how many were written."""
    unique = {(type(r), r.pk): r for r in records if getattr(r, "is_classified", False)}
    for key in unique:
        _mark_logged_key(key)
    classified = list(unique.values())
    if not classified:
        return 0
    types = {}
    path = request.get_full_path()[:500]
    entries = []
    for record in classified:
        model = type(record)
        if model not in types:
            types[model] = ContentType.objects.get_for_model(model)
        entries.append(
            AccessLogEntry(
                group_id=getattr(record, "group_id", None),
                user=request.user,
                content_type=types[model],
                object_id=str(record.pk),
                object_repr=str(record)[:300],
                action=action,
                path=path,
            )
        )
    AccessLogEntry.objects.bulk_create(entries, batch_size=1000)
    return len(entries)


def get_logged_or_404(request, queryset, **lookup):
    """The record the user may reach (404 otherwise), its read logged if it is classified.
    Every page that loads a record names it at least (in a heading, a form or the message after
    an action), so the record helpers of the areas fetch through here rather than logging on
    some pages and forgetting others."""
    record = get_object_or_404(queryset, **lookup)
    log_read(request, record, "view" if request.method in ("GET", "HEAD") else request.method.lower())
    return record
