from django.utils.translation import gettext as _

from varna.core.models import Notification


def notify_role_assigned(assignment, by_user) -> Notification | None:
    """Tell a person who is a user that they have been given a role (in the app and by e-mail)."""
    user = assignment.person.user
    if user is None or user == by_user:
        return None
    period = ""
    if assignment.valid_from or assignment.valid_to:
        period = f" ({assignment.valid_from or '…'} – {assignment.valid_to or '…'})"
    return Notification.objects.create(
        group_id=assignment.unit.group_id,
        recipient=user,
        subject=_("You are now %(role)s for %(unit)s")
        % {"role": assignment.role_name.lower(), "unit": assignment.unit},
        body=_("%(by)s gave you the role %(role)s for %(unit)s%(period)s.")
        % {
            "by": by_user.get_full_name() or by_user.username,
            "role": assignment.role_name,
            "unit": assignment.unit,
            "period": period,
        },
        url=assignment.unit.get_absolute_url(),
    )
