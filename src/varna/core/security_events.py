"""Changes to how an account signs in: recorded and told to the account's owner."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Notification, SecurityEvent


def record_security_event(request, kind: str, detail: str = "") -> SecurityEvent:
    """Keep the event (append-only, with the address and browser it came from) and notify the
    user in the app and by e-mail: if they did not do it, they learn of it at once."""
    event = SecurityEvent.objects.create(
        user=request.user,
        kind=kind,
        detail=detail[:200],
        ip_address=request.META.get("REMOTE_ADDR") or None,
        user_agent=request.headers.get("User-Agent", "")[:300],
    )
    subject = {
        SecurityEvent.Kind.OTP_DEVICE_ADDED: _("An authenticator was added to your account"),
        SecurityEvent.Kind.OTP_DEVICE_REMOVED: _("An authenticator was removed from your account"),
    }[kind]
    Notification.objects.create(
        recipient=request.user,
        subject=subject,
        body=_(
            "%(event)s: “%(detail)s” on %(when)s from %(address)s. If this was not you, remove the "
            "authenticator, change your password and tell your administrator."
        )
        % {
            "event": event.get_kind_display(),
            "detail": detail,
            "when": f"{timezone.localtime(event.at):%Y-%m-%d %H:%M}",
            "address": event.ip_address or _("an unknown address"),
        },
        url=reverse("otp-devices"),
    )
    return event
