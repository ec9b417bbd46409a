"""Key systems, their locks and keys, and who holds which key (nyckelkvittenser).

A key system belongs to a site; its keys and cards are numbered in it and open some of its
locks. A key handed out is a `KeyLoan` to a person or an external party, with a receipt the
holder confirms in Värna or signs on paper (the scan is kept). Key systems are security details
(OSL 18 kap. 8 §): a system is classified when it is marked so or its site is, and its locks,
keys and loans are read as it is.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from varna.core.models import Classification, ClassifiedModel, VersionedModel
from varna.core.permissions import RestrictedQuerySet, get_access, scope_q
from varna.organisation.models import ExternalParty, Person

from .sites import Building, Site


class KeySystemKind(models.TextChoices):
    MECHANICAL = "mechanical", _("Mechanical")
    ELECTRONIC = "electronic", _("Electronic (cards, tags)")
    MIXED = "mixed", _("Mechanical and electronic")


class KeyKind(models.TextChoices):
    KEY = "key", _("Key")
    CARD = "card", _("Card")
    TAG = "tag", _("Tag")


class _SiteScopedQuerySet(RestrictedQuerySet):
    """Scoped by the site's unit; classified when the key system is marked so or its site is."""

    system_prefix = ""  # the path from the row to its key system ("" for the system itself)
    unit_path_field = "site__unit__path"

    def restrict(self, user, action: str = "view"):
        prefix = self.system_prefix
        classified = Q(**{f"{prefix}classification": Classification.CLASSIFIED}) | Q(
            **{f"{prefix}site__classification": Classification.CLASSIFIED}
        )
        condition = scope_q(get_access(user), self.unit_path_field, action, classified)
        return self if condition is None else self.filter(condition)


class KeySystemQuerySet(_SiteScopedQuerySet):
    pass


class LockQuerySet(_SiteScopedQuerySet):
    system_prefix = "system__"
    unit_path_field = "system__site__unit__path"


class KeyQuerySet(_SiteScopedQuerySet):
    system_prefix = "system__"
    unit_path_field = "system__site__unit__path"


class KeyLoanQuerySet(_SiteScopedQuerySet):
    system_prefix = "key__system__"
    unit_path_field = "key__system__site__unit__path"

    def open(self):
        return self.filter(returned_on__isnull=True, lost_on__isnull=True)


class _ReadsAsItsSystem:
    """Locks, keys and loans are read as their key system is (Access.may_read, the access log)."""

    def _system(self):
        raise NotImplementedError

    @property
    def unit(self):
        return self._system().site.unit

    @property
    def group_id(self):
        return self._system().site.group_id

    @property
    def is_classified(self) -> bool:
        return self._system().is_classified


class KeySystem(ClassifiedModel, VersionedModel):
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="key_systems", verbose_name=_("site"))
    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("code"), max_length=50, help_text=_("Unique on the site, e.g. ASSA-1."))
    kind = models.CharField(_("kind"), max_length=20, choices=KeySystemKind.choices, default=KeySystemKind.MECHANICAL)
    supplier = models.CharField(_("supplier"), max_length=200, blank=True)
    administrator = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("key administrator"),
        help_text=_("Hands out and takes back keys, and is told when keys fall due for return."),
    )
    master_key_storage = models.CharField(
        _("where master keys are kept"),
        max_length=200,
        blank=True,
        help_text=_("E.g. the approved safe in the caretaker's office."),
    )
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords()

    objects = KeySystemQuerySet.as_manager()

    class Meta:
        ordering = ["site", "code", "pk"]
        constraints = [models.UniqueConstraint(fields=["site", "code"], name="key_system_code_unique_on_site")]
        verbose_name = _("key system")
        verbose_name_plural = _("key systems")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("facilities:key-system", args=[self.pk])

    @property
    def unit(self):
        return self.site.unit

    @property
    def group_id(self):
        return self.site.group_id

    @property
    def is_classified(self) -> bool:
        return self.classification == Classification.CLASSIFIED or self.site.is_classified


class Lock(_ReadsAsItsSystem, models.Model):
    """A lock (a door, a gate, a cabinet) of a key system, so that a lost key's reach is known."""

    system = models.ForeignKey(KeySystem, on_delete=models.CASCADE, related_name="locks", verbose_name=_("key system"))
    code = models.CharField(_("code"), max_length=50, help_text=_("E.g. the door's number, A-101."))
    name = models.CharField(_("name"), max_length=200, help_text=_("E.g. Main entrance."))
    building = models.ForeignKey(
        Building, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("building")
    )
    history = HistoricalRecords()

    objects = LockQuerySet.as_manager()

    class Meta:
        ordering = ["system", "code", "pk"]
        constraints = [models.UniqueConstraint(fields=["system", "code"], name="lock_code_unique_in_system")]
        verbose_name = _("lock")
        verbose_name_plural = _("locks")

    def __str__(self):
        return f"{self.code} {self.name}"

    def _system(self):
        return self.system


class Key(_ReadsAsItsSystem, VersionedModel):
    system = models.ForeignKey(KeySystem, on_delete=models.PROTECT, related_name="keys", verbose_name=_("key system"))
    number = models.CharField(_("number"), max_length=50, help_text=_("As stamped on the key or printed on the card."))
    kind = models.CharField(_("kind"), max_length=10, choices=KeyKind.choices, default=KeyKind.KEY)
    series = models.CharField(
        _("key series"), max_length=50, blank=True, help_text=_("Keys of one series open the same locks, e.g. A1.")
    )
    is_master = models.BooleanField(_("master key"), default=False)
    opens = models.ManyToManyField(Lock, blank=True, related_name="keys", verbose_name=_("opens"))
    storage = models.CharField(
        _("kept in"), max_length=200, blank=True, help_text=_("Where the key is kept when it is not handed out.")
    )
    lost_on = models.DateField(_("lost on"), null=True, blank=True, editable=False)
    retired_on = models.DateField(_("taken out of use"), null=True, blank=True)
    history = HistoricalRecords(m2m_fields=[opens])

    objects = KeyQuerySet.as_manager()

    class Meta:
        ordering = ["system", "number", "pk"]
        constraints = [models.UniqueConstraint(fields=["system", "number"], name="key_number_unique_in_system")]
        indexes = [
            models.Index(fields=["system", "series"], name="key_system_series_idx"),
            # The key register's order (by number across the systems a reader may see).
            models.Index(fields=["number", "id"], name="key_number_idx"),
        ]
        verbose_name = _("key")
        verbose_name_plural = _("keys")

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("facilities:key", args=[self.pk])

    def _system(self):
        return self.system

    @property
    def in_use(self) -> bool:
        return self.lost_on is None and self.retired_on is None


class KeyLoan(_ReadsAsItsSystem, models.Model):
    """A key handed out to a holder, until it is returned or lost; its receipt is confirmed by
    the holder in Värna or signed on paper and uploaded."""

    key = models.ForeignKey(Key, on_delete=models.CASCADE, related_name="loans", verbose_name=_("key"))
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="key_loans", verbose_name=_("holder")
    )
    party = models.ForeignKey(
        ExternalParty,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="key_loans",
        verbose_name=_("external holder"),
    )
    party_contact = models.CharField(
        _("the external party's key holder"), max_length=200, blank=True, help_text=_("The person who signs for it.")
    )
    handed_out_on = models.DateField(_("handed out"), default=timezone.localdate)
    handed_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )
    due_back_on = models.DateField(
        _("to be returned by"), null=True, blank=True, help_text=_("Leave empty for as long as the holder needs it.")
    )
    returned_on = models.DateField(_("returned"), null=True, blank=True)
    lost_on = models.DateField(_("reported lost"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("receipt confirmed"), null=True, blank=True, editable=False)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )
    signed_receipt = models.FileField(_("signed receipt"), upload_to="key-receipts/%Y/", blank=True)
    return_requested_at = models.DateTimeField(null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["return_requested_at"])

    objects = KeyLoanQuerySet.as_manager()

    class Meta:
        ordering = ["-handed_out_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(person__isnull=False) & Q(party__isnull=True))
                | (Q(person__isnull=True) & Q(party__isnull=False)),
                name="key_loan_person_or_party",
                violation_error_message=_("Choose who receives the key: a person or an external party, not both."),
            ),
            # A key is in one pair of hands at a time.
            models.UniqueConstraint(
                fields=["key"],
                condition=Q(returned_on__isnull=True, lost_on__isnull=True),
                name="key_loan_one_open_per_key",
                violation_error_message=_("The key is already handed out: register its return first."),
            ),
        ]
        indexes = [models.Index(fields=["key", "returned_on"], name="key_loan_key_returned_idx")]
        verbose_name = _("key loan")
        verbose_name_plural = _("key loans")

    def __str__(self):
        return f"{self.key} → {self.holder_name}"

    def get_absolute_url(self):
        return reverse("facilities:key-loan", args=[self.pk])

    def _system(self):
        return self.key.system

    @property
    def holder_name(self) -> str:
        if self.person_id:
            return str(self.person)
        return f"{self.party} ({self.party_contact})" if self.party_contact else str(self.party)

    @property
    def is_open(self) -> bool:
        return self.returned_on is None and self.lost_on is None

    @property
    def has_receipt(self) -> bool:
        return self.confirmed_at is not None or bool(self.signed_receipt)

    def clean(self):
        super().clean()
        errors = {}
        if self.returned_on and self.returned_on < self.handed_out_on:
            errors["returned_on"] = _("A key cannot be returned before it was handed out.")
        if self.due_back_on and self.due_back_on < self.handed_out_on:
            errors["due_back_on"] = _("The return date cannot be before the handover.")
        if errors:
            raise ValidationError(errors)
