from django.contrib.contenttypes.models import ContentType

from .models import AccessLogEntry


def log_read(request, obj, action: str = "view") -> None:
    """Record a read of a classified record: who, when, what, from which page."""
    if getattr(obj, "is_classified", False):
        log_access(request, obj, action)


def log_access(request, obj, action: str) -> None:
    """Record a read of restricted content of any record (e.g. the persons in an incident)."""
    AccessLogEntry.objects.create(
        group_id=getattr(obj, "group_id", None),
        user=request.user,
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        action=action,
        path=request.get_full_path()[:500],
    )
