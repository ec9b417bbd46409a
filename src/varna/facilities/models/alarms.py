"""Alarms in the buildings and access control systems on the sites (AL-5's physical security:
"locks, alarms, access control, key storage").

An alarm hangs off a building and reads as the building does: the site's unit is its scope and
it is classified when it, its building or its site is. Its next service is stored (last service
plus the interval) so that the list filters and the check counts overdue alarms in the database.
An access control system hangs off a site; its next review of the access rights is stored the
same way. Events (from the alarm receiving centre's log, or entered) count false alarms and may
become incidents (varna.incidents).
"""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from varna.core.dates import add_months
from varna.core.models import Classification, ClassifiedModel, VersionedModel
from varna.core.permissions import RestrictedQuerySet, get_access, scope_q
from varna.organisation.models import Person

from .sites import Building, Site

# Within this many days of its due date a service or review becomes a task (alarm_jobs.py).
DUE_SOON_DAYS = 30
INTERVAL_VALIDATORS = [
    MinValueValidator(1, _("Give an interval of 1 to 120 months.")),
    MaxValueValidator(120, _("Give an interval of 1 to 120 months.")),
]
CLASSIFIED = Classification.CLASSIFIED


class AlarmKind(models.TextChoices):
    INTRUSION = "intrusion", _("Intrusion alarm")
    FIRE = "fire", _("Fire alarm")
    ASSAULT = "assault", _("Assault alarm")
    TECHNICAL = "technical", _("Technical alarm")


def _scoped(path_field: str, *classified_fields: str):
    """A queryset class scoped by the unit at `path_field`, a row classified when any of the
    records at `classified_fields` is (its own marking, its building's, its site's)."""

    class Scoped(RestrictedQuerySet):
        unit_path_field = path_field

        def restrict(self, user, action: str = "view"):
            classified = Q()
            for name in classified_fields:
                classified |= Q(**{name: CLASSIFIED})
            condition = scope_q(get_access(user), self.unit_path_field, action, classified)
            return self if condition is None else self.filter(condition)

    return Scoped


class AlarmQuerySet(
    _scoped(
        "building__site__unit__path", "classification", "building__classification", "building__site__classification"
    )
):
    def in_group(self, group):
        return self.filter(building__site__group=group)

    def overdue(self, day=None):
        """Never serviced, or past the next service."""
        day = day or timezone.localdate()
        return self.filter(Q(next_service_due__isnull=True) | Q(next_service_due__lt=day))


class Alarm(ClassifiedModel, VersionedModel):
    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="alarms", verbose_name=_("building"))
    kind = models.CharField(_("kind of alarm"), max_length=16, choices=AlarmKind.choices)
    name = models.CharField(_("name"), max_length=200)
    identifier = models.CharField(
        _("identifier"),
        max_length=100,
        help_text=_("The alarm's number at the alarm receiving centre or in the system; unique in the municipality."),
    )
    connected = models.BooleanField(_("connected to an alarm receiving centre"), default=False)
    receiving_centre = models.CharField(_("alarm receiving centre"), max_length=200, blank=True)
    supplier = models.CharField(_("supplier"), max_length=200, blank=True)
    installed_on = models.DateField(_("installed"), null=True, blank=True)
    service_interval_months = models.PositiveSmallIntegerField(
        _("service interval (months)"), default=12, validators=INTERVAL_VALIDATORS
    )
    last_serviced_on = models.DateField(_("last serviced"), null=True, blank=True)
    next_service_due = models.DateField(_("next service due"), null=True, blank=True, editable=False)
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords()

    objects = AlarmQuerySet.as_manager()

    class Meta:
        ordering = ["building", "kind", "name", "pk"]
        indexes = [
            models.Index(fields=["identifier"], name="alarm_identifier_idx"),
            models.Index(fields=["next_service_due"], name="alarm_next_service_idx"),
        ]
        verbose_name = _("alarm")
        verbose_name_plural = _("alarms")

    def __str__(self):
        return f"{self.name} ({self.identifier})"

    def get_absolute_url(self):
        return reverse("facilities:alarm", args=[self.pk])

    # An alarm reads as its building does (Access.may_read, the access log, Evidence).
    @property
    def site(self):
        return self.building.site

    @property
    def unit(self):
        return self.building.site.unit

    @property
    def group_id(self):
        return self.building.site.group_id

    @property
    def is_classified(self) -> bool:
        return self.classification == CLASSIFIED or self.building.is_classified

    @property
    def is_overdue(self) -> bool:
        return self.next_service_due is None or self.next_service_due < timezone.localdate()

    def save(self, *args, **kwargs):
        self.next_service_due = (
            add_months(self.last_serviced_on, self.service_interval_months) if self.last_serviced_on else None
        )
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        errors = {}
        today = timezone.localdate()
        if self.connected and not self.receiving_centre.strip():
            errors["receiving_centre"] = _("Name the alarm receiving centre the alarm is connected to.")
        if self.last_serviced_on and self.last_serviced_on > today:
            errors["last_serviced_on"] = _("A service cannot be recorded in the future.")
        if self.installed_on and self.installed_on > today:
            errors["installed_on"] = _("The installation date cannot be in the future.")
        if self.installed_on and self.last_serviced_on and self.last_serviced_on < self.installed_on:
            errors["last_serviced_on"] = _("The alarm cannot have been serviced before it was installed.")
        if errors:
            raise ValidationError(errors)


class AlarmEvent(models.Model):
    class Kind(models.TextChoices):
        REAL = "real", _("Real alarm")
        FALSE = "false_alarm", _("False alarm")
        FAULT = "fault", _("Technical fault")

    alarm = models.ForeignKey(Alarm, on_delete=models.CASCADE, related_name="events", verbose_name=_("alarm"))
    occurred_at = models.DateTimeField(_("when it happened"), default=timezone.now)
    kind = models.CharField(_("kind of event"), max_length=12, choices=Kind.choices)
    cause = models.CharField(_("cause"), max_length=500, blank=True)
    incident = models.ForeignKey(
        "incidents.Incident",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="alarm_events",
        verbose_name=_("incident"),
    )
    history = HistoricalRecords()

    objects = _scoped(
        "alarm__building__site__unit__path",
        "alarm__classification",
        "alarm__building__classification",
        "alarm__building__site__classification",
    ).as_manager()

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        indexes = [models.Index(fields=["alarm", "kind", "occurred_at"], name="alarm_event_kind_idx")]
        verbose_name = _("alarm event")
        verbose_name_plural = _("alarm events")

    def __str__(self):
        return f"{self.get_kind_display()} {timezone.localtime(self.occurred_at):%Y-%m-%d %H:%M}"

    def get_absolute_url(self):
        return reverse("facilities:alarm", args=[self.alarm_id])

    def clean(self):
        super().clean()
        if self.occurred_at and self.occurred_at > timezone.now() + datetime.timedelta(minutes=5):
            raise ValidationError({"occurred_at": _("An alarm event cannot lie in the future.")})


class AccessControlSystemQuerySet(_scoped("site__unit__path", "classification", "site__classification")):
    def review_due(self, day=None):
        """Never reviewed, or past the next review."""
        day = day or timezone.localdate()
        return self.filter(Q(next_review_due__isnull=True) | Q(next_review_due__lt=day))


class AccessControlSystem(ClassifiedModel, VersionedModel):
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="access_control_systems", verbose_name=_("site")
    )
    name = models.CharField(_("name"), max_length=200)
    supplier = models.CharField(_("supplier"), max_length=200, blank=True)
    administrators = models.ManyToManyField(Person, blank=True, related_name="+", verbose_name=_("administrators"))
    review_interval_months = models.PositiveSmallIntegerField(
        _("review interval (months)"),
        default=12,
        validators=INTERVAL_VALIDATORS,
        help_text=_("How often the access rights are reviewed."),
    )
    # The latest review's date, kept by services (record_review) for the list and the check.
    last_reviewed_on = models.DateField(_("last reviewed"), null=True, blank=True, editable=False)
    next_review_due = models.DateField(_("next review due"), null=True, blank=True, editable=False)
    notes = models.TextField(_("notes"), blank=True)
    # Not the administrators: the history names linked people to every reader (core.links,
    # NAMED_TO_EVERYONE), while people are read within a scope here (alarm_views._people).
    history = HistoricalRecords()

    objects = AccessControlSystemQuerySet.as_manager()

    class Meta:
        ordering = ["site", "name", "pk"]
        verbose_name = _("access control system")
        verbose_name_plural = _("access control systems")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("facilities:access-system", args=[self.pk])

    @property
    def unit(self):
        return self.site.unit

    @property
    def group_id(self):
        return self.site.group_id

    @property
    def is_classified(self) -> bool:
        return self.classification == CLASSIFIED or self.site.is_classified

    @property
    def review_overdue(self) -> bool:
        return self.next_review_due is None or self.next_review_due < timezone.localdate()

    def save(self, *args, **kwargs):
        self.next_review_due = (
            add_months(self.last_reviewed_on, self.review_interval_months) if self.last_reviewed_on else None
        )
        super().save(*args, **kwargs)


class AccessReview(models.Model):
    class Outcome(models.TextChoices):
        NO_REMARKS = "no_remarks", _("No remarks")
        RIGHTS_REMOVED = "rights_removed", _("Rights removed")
        DEVIATIONS = "deviations", _("Deviations found")

    system = models.ForeignKey(
        AccessControlSystem, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("system")
    )
    reviewed_on = models.DateField(_("reviewed on"), default=timezone.localdate)
    reviewed_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("reviewed by")
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    rights_removed = models.PositiveIntegerField(_("number of rights removed"), default=0)
    comment = models.TextField(_("comment"), blank=True)
    history = HistoricalRecords()

    objects = _scoped("system__site__unit__path", "system__classification", "system__site__classification").as_manager()

    class Meta:
        ordering = ["-reviewed_on", "-pk"]
        verbose_name = _("access review")
        verbose_name_plural = _("access reviews")

    def __str__(self):
        return f"{self.reviewed_on:%Y-%m-%d} {self.get_outcome_display()}"

    def get_absolute_url(self):
        return reverse("facilities:access-system", args=[self.system_id])

    def clean(self):
        super().clean()
        errors = {}
        if self.reviewed_on and self.reviewed_on > timezone.localdate():
            errors["reviewed_on"] = _("A review cannot be recorded in the future.")
        if self.outcome == self.Outcome.RIGHTS_REMOVED and not self.rights_removed:
            errors["rights_removed"] = _("Give how many access rights were removed.")
        if self.outcome == self.Outcome.NO_REMARKS and self.rights_removed:
            errors["outcome"] = _("Rights were removed: choose the outcome “Rights removed”.")
        if self.outcome == self.Outcome.DEVIATIONS and not self.comment.strip():
            errors["comment"] = _("Describe the deviations found.")
        if errors:
            raise ValidationError(errors)
