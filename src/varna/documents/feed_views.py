"""A personal calendar subscription: the review due dates of the documents a user may see, as
an iCalendar feed that Outlook, Google or Apple calendars poll.

Calendar programs cannot log in, so the feed's address holds a random token (256 bits) that is
the credential. Only its SHA-256 is stored; the address is shown once, when it is made. A new
address revokes the old one, and the user can stop the feed. The feed says no more than the
review calendar does, and less for classified documents: their titles and record numbers are
never in it, since calendar services keep copies outside the municipality.
"""

import datetime
import hashlib
import hmac
import re
import secrets
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from varna.core.context_processors import current_group
from varna.core.models import CalendarFeedToken
from varna.core.permissions import get_access

from .models import APPLYING, Document

TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)
FEED_LIMIT = 5000


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def create_token(user) -> str:
    """A new feed token for the user; any earlier one stops working."""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        CalendarFeedToken.objects.filter(user=user).delete()
        CalendarFeedToken.objects.create(user=user, token_hash=token_hash(token))
    return token


def user_for_token(token: str):
    """The active user whose feed token this is, or None. The lookup is by the token's hash (a
    unique index), so the time it takes says nothing about how close a guess was."""
    if not TOKEN.fullmatch(token or ""):
        return None
    digest = token_hash(token)
    row = CalendarFeedToken.objects.select_related("user").filter(token_hash=digest).first()
    if row is None or not hmac.compare_digest(row.token_hash, digest) or not row.user.is_active:
        return None
    now = timezone.now()
    if row.last_used_at is None or now - row.last_used_at > datetime.timedelta(minutes=5):
        CalendarFeedToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.user


@login_required
def subscription(request):
    """The page where a user makes, renews or stops their calendar address."""
    group = current_group(request)
    if group is None or not get_access(request.user).anything:
        raise PermissionDenied
    new_url = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "create":
            token = create_token(request.user)
            new_url = request.build_absolute_uri(reverse("documents:feed", args=[token]))
            messages.success(request, _("Your calendar address was made. Copy it now: it is shown only once."))
        elif action == "revoke":
            CalendarFeedToken.objects.filter(user=request.user).delete()
            messages.success(request, _("The calendar address no longer works."))
            return redirect("documents:feed-settings")
        else:
            return redirect("documents:feed-settings")
    existing = CalendarFeedToken.objects.filter(user=request.user).first()
    response = render(request, "documents/feed.html", {"existing": existing, "new_url": new_url})
    if new_url:
        response["Cache-Control"] = "no-store"
    return response


def _event(document, base_url: str, stamp: datetime.datetime) -> icalendar.Event:
    event = icalendar.Event()
    url = f"{base_url}{document.get_absolute_url()}"
    # One event per document: when the due date moves, calendars move the event.
    event.add("uid", f"document-{document.pk}-review@{urlsplit(base_url).hostname or 'varna'}")
    event.add("dtstamp", stamp)
    event.add("dtstart", document.next_review)
    event.add("dtend", document.next_review + datetime.timedelta(days=1))
    event.add("transp", "TRANSPARENT")
    event.add("url", url)
    if document.is_classified:
        event.add("summary", _("Review: %(title)s") % {"title": _("Classified document")})
        event.add("description", _("Open the document in Värna: %(url)s") % {"url": url})
        event.add("class", "CONFIDENTIAL")
        return event
    event.add("summary", _("Review: %(title)s") % {"title": document.title})
    lines = [
        _("Owner unit: %(unit)s") % {"unit": document.unit.name},
        _("Kind: %(kind)s") % {"kind": document.kind_name},
    ]
    if document.record_number:
        lines.append(_("Record number: %(number)s") % {"number": document.record_number})
    lines.append(_("Open the document in Värna: %(url)s") % {"url": url})
    event.add("description", "\n".join(lines))
    return event


@require_safe
def feed(request, token):
    """The iCalendar feed. No login: the token is the credential; a wrong one gets 404."""
    user = user_for_token(token)
    if user is None:
        raise Http404
    documents = (
        Document.objects.restrict(user)
        .filter(status__in=APPLYING, next_review__isnull=False)
        .select_related("unit", "group")
        .order_by("next_review", "pk")[:FEED_LIMIT]
    )
    base_url = settings.VARNA_BASE_URL.rstrip("/")
    stamp = timezone.now().replace(microsecond=0)
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Värna//Document reviews//SV")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", _("Värna: document reviews"))
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    for document in documents:
        calendar.add_component(_event(document, base_url, stamp))
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="varna-granskningar.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response
