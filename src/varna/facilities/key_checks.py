"""The key register's check: every key handed out has a holder who confirmed its receipt, and
no key is kept past the time it should have come back (AL-5, key storage)."""

from django.utils.translation import gettext as _

from varna.core.obligations import Evidence, Result, Status, registry

from . import key_services
from .models import KeyLoan, KeySystem

EVIDENCE_SHOWN = 20


def _evidence(loans) -> list[Evidence]:
    # A loan reads as its key system (unit and classification); its label names the key only.
    return [Evidence.of(loan, _("Key %(number)s") % {"number": loan.key.number}) for loan in loans[:EVIDENCE_SHOWN]]


@registry.register("keys_accounted")
def keys_accounted(group, profile):
    """Every key handed out has a receipt (confirmed in Värna or signed on paper) and none is
    due for return (agreed date passed, employment or contract ended). No key system registered
    is not met: the register is not kept."""
    systems = KeySystem.objects.filter(site__group=group).count()
    if not systems:
        return Result(Status.NOT_MET, _("No key system is registered."))
    loans = KeyLoan.objects.filter(key__system__site__group=group)
    handed_out = loans.open().count()
    if not handed_out:
        return Result(
            Status.NOT_CHECKABLE,
            _("%(n)s key systems are registered, but no key is registered as handed out.") % {"n": systems},
        )
    unconfirmed = (
        loans.open()
        .filter(confirmed_at__isnull=True, signed_receipt="")
        .select_related("key__system__site__unit")
        .order_by("handed_out_on", "pk")
    )
    due = key_services.due_for_return(loans).select_related("key__system__site__unit").order_by("handed_out_on", "pk")
    missing, overdue = unconfirmed.count(), due.count()
    summary = _("%(n)s keys are handed out.") % {"n": handed_out}
    if not missing and not overdue:
        return Result(Status.MET, summary + " " + _("Every one has a receipt and none is due for return."))
    parts = [summary]
    if missing:
        parts.append(_("%(n)s have no confirmed receipt.") % {"n": missing})
    if overdue:
        parts.append(_("%(n)s are due for return.") % {"n": overdue})
    status = Status.PARTLY if (missing + overdue) * 10 <= handed_out else Status.NOT_MET
    return Result(status, " ".join(parts), _evidence(list(unconfirmed[:EVIDENCE_SHOWN]) + list(due[:EVIDENCE_SHOWN])))
