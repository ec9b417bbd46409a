"""Incidents and damage: what happened, where, to whom, what it cost and what was done.

An incident keeps the sums of its cost items in columns of its own (estimated, final, best
known), so that lists and the damage-cost statistics add up indexed columns instead of joining
every cost item; `services.update_costs` keeps them true. Persons involved are restricted
(visible to roles cleared for classified records on the incident's unit, every read logged);
photos are stored re-encoded, without their metadata (see photos.py).
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from varna.core.models import Classification, ClassifiedModel, VersionedModel
from varna.core.permissions import RestrictedQuerySet, get_access, scope_q, under_paths
from varna.organisation.models import MunicipalGroup, OrgUnit, Person


class Category(models.TextChoices):
    NEAR_MISS = "near_miss", _("Near miss")
    ACCIDENT = "accident", _("Accident")
    VANDALISM = "vandalism", _("Vandalism")
    GRAFFITI = "graffiti", _("Graffiti")
    THEFT = "theft", _("Theft")
    BURGLARY = "burglary", _("Burglary")
    LOST_KEY = "lost_key", _("Lost key or card")
    FIRE = "fire", _("Fire")
    THREAT_VIOLENCE = "threat_violence", _("Threat and violence")
    WATER_DAMAGE = "water_damage", _("Water damage")
    IT = "it", _("IT incident")
    DISRUPTION = "disruption", _("Disruption of service")
    EXTRAORDINARY = "extraordinary", _("Extraordinary event")


class IncidentQuerySet(RestrictedQuerySet):
    unit_path_field = "unit__path"

    def visible_to(self, user):
        """What the user may read: their units' incidents (classified ones only if cleared) and
        every incident they reported themselves.

        What `restrict` decides, as a condition on the row's unit id: `unit_id IN (the units of
        the user's scopes)`, a small hashed set, rather than `pk IN (restrict(...))` (which
        PostgreSQL plans as a scan of every visible incident per row once their ids outgrow
        work_mem) or a join to every row's unit (a lookup per row when a deep page is skipped)."""
        access = get_access(user)
        units = OrgUnit.objects.values("pk")
        # A superuser is in every unit's scope, but cleared for classified ones only by a role.
        condition = Q() if access.is_superuser else Q(unit__in=units.filter(scope_q(access, "path", "view")))
        classified = Q(classification=Classification.CLASSIFIED)
        if access.classified_paths:
            condition &= ~classified | Q(unit__in=units.filter(under_paths("path", access.classified_paths)))
        else:
            condition &= ~classified
        if user.is_authenticated:
            condition |= Q(reported_by=user)
        return self.filter(condition)

    def open(self):
        return self.exclude(status=Incident.State.CLOSED)


class Incident(VersionedModel, ClassifiedModel):
    class Source(models.TextChoices):
        EMPLOYEE = "employee", _("Employee")
        PUBLIC = "public", _("Member of the public")
        IMPORT = "import", _("Imported")

    class State(models.TextChoices):
        REPORTED = "reported", _("Reported")
        INVESTIGATING = "investigating", _("Under investigation")
        MEASURES_DECIDED = "measures_decided", _("Measures decided")
        CLOSED = "closed", _("Closed")

    group = models.ForeignKey(MunicipalGroup, on_delete=models.CASCADE, related_name="incidents")
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="incidents", verbose_name=_("responsible unit")
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    occurred_at = models.DateTimeField(_("when it happened"), default=timezone.now)
    reported_at = models.DateTimeField(_("reported"), default=timezone.now, editable=False)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reported_incidents",
        editable=False,
    )
    reporter = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reported_incidents",
        verbose_name=_("reported by"),
        editable=False,
    )
    source = models.CharField(
        _("reported through"), max_length=10, choices=Source.choices, default=Source.EMPLOYEE, editable=False
    )
    # A resident's way to be reached about a public report, if they chose to give one; personal
    # data, thinned with the rest (retention.py).
    reporter_contact = models.CharField(_("reporter's contact"), max_length=200, blank=True, editable=False)
    place = models.CharField(_("where"), max_length=300, blank=True, help_text=_("Site, building, room or address."))
    latitude = models.DecimalField(_("latitude"), max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=8, decimal_places=5, null=True, blank=True)
    description = models.TextField(_("what happened"))
    immediate_actions = models.TextField(_("immediate actions"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=State.choices, default=State.REPORTED)
    investigation = models.TextField(_("findings of the investigation"), blank=True)
    closed_on = models.DateField(_("closed"), null=True, blank=True, editable=False)
    fire_deliberate = models.BooleanField(_("deliberately set"), null=True, blank=True)
    fire_alarm_detected = models.BooleanField(_("detected by an alarm"), null=True, blank=True)
    police_report_number = models.CharField(_("police report number"), max_length=50, blank=True)
    insurance_policy = models.ForeignKey(
        "insurance.InsurancePolicy",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claims",
        verbose_name=_("insurance policy claimed under"),
    )
    insurance_claim_number = models.CharField(_("insurance claim number"), max_length=50, blank=True)
    authorities_notified = models.TextField(
        _("authorities notified"),
        blank=True,
        help_text=_("E.g. the Work Environment Authority within 24 hours, IMY within 72 hours: who and when."),
    )
    no_damage_cost = models.BooleanField(
        _("no damage cost"), default=False, help_text=_("The incident cost nothing: its costs are known.")
    )
    deductible = models.DecimalField(_("insurer's deductible (SEK)"), max_digits=12, decimal_places=0, default=0)
    internal_deductible = models.DecimalField(
        _("internal deductible (SEK)"),
        max_digits=12,
        decimal_places=0,
        default=0,
        help_text=_("What the unit itself carries under the municipality's internal rules."),
    )
    insurer_paid = models.DecimalField(_("paid by the insurer (SEK)"), max_digits=12, decimal_places=0, default=0)
    # Sums of the cost items (services.update_costs): estimated, final, and the best known
    # (final where given, else estimated) that the statistics add up.
    cost_estimated = models.DecimalField(max_digits=14, decimal_places=0, default=0, editable=False)
    cost_final = models.DecimalField(max_digits=14, decimal_places=0, default=0, editable=False)
    cost = models.DecimalField(_("damage cost (SEK)"), max_digits=14, decimal_places=0, default=0, editable=False)
    measures = models.ManyToManyField(
        "risks.Measure", blank=True, related_name="incidents", verbose_name=_("measures decided")
    )
    risks = models.ManyToManyField("risks.Risk", blank=True, related_name="incidents", verbose_name=_("risks"))
    # When the personal data was thinned (gallrad) under the retention rule (retention.py): the
    # record stays for the statistics, without persons, texts or photos.
    thinned_on = models.DateField(_("personal data thinned"), null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["cost_estimated", "cost_final"])

    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            # The list's order; with the columns its scope condition reads (unit, classification,
            # reporter), so that a deep page's ids come from an index-only scan (views.py).
            models.Index(
                fields=["group", "-occurred_at", "-id", "unit", "classification", "reported_by"],
                name="incident_list_order",
            ),
            models.Index(fields=["group", "category", "occurred_at"]),
            models.Index(fields=["group", "status", "occurred_at"]),
            models.Index(fields=["unit", "occurred_at"]),
            # The incidents not closed (a few per cent): the list's "not closed" filter counts
            # them from this index alone. Trigram indexes for the search: migration 0004.
            models.Index(
                fields=["group", "unit", "classification", "reported_by"],
                condition=~Q(status="closed"),
                name="incident_open",
            ),
        ]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")

    def __str__(self):
        return (
            f"{self.get_category_display()} {timezone.localtime(self.occurred_at):%Y-%m-%d} – {self.place or self.unit}"
        )

    def get_absolute_url(self):
        return reverse("incidents:incident", args=[self.pk])

    @property
    def is_fire(self) -> bool:
        return self.category == Category.FIRE

    @property
    def costs_known(self) -> bool:
        return self.no_damage_cost or self.cost > 0

    @property
    def retained(self):
        """What the municipality carried itself: the damage cost less what the insurer paid."""
        return max(self.cost - self.insurer_paid, 0)

    def clean(self):
        from django.core.exceptions import ValidationError

        super().clean()
        if self.occurred_at and self.occurred_at > timezone.now() + datetime.timedelta(minutes=5):
            raise ValidationError({"occurred_at": _("An incident cannot have happened in the future.")})
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError({"latitude": _("Give both latitude and longitude, or neither.")})


def persons_visible(user, incident) -> bool:
    """Persons involved are shown to roles cleared for classified records on the incident's
    unit or above (the profile's `classified: true`), never to the reporter as such."""
    return get_access(user).can_see_classified(incident.unit)


class ChildQuerySet(models.QuerySet):
    """Rows that belong to an incident are visible and changeable where the incident is."""

    def restrict(self, user, action: str = "view"):
        return self.filter(incident__in=Incident.objects.restrict(user, action).values("pk"))


class InvolvedPerson(models.Model):
    class Role(models.TextChoices):
        VICTIM = "victim", _("Victim")
        PERPETRATOR = "perpetrator", _("Perpetrator")
        WITNESS = "witness", _("Witness")
        STAFF = "staff", _("Staff involved")
        OTHER = "other", _("Other")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="persons")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    name = models.CharField(_("name"), max_length=200)
    details = models.TextField(_("details"), blank=True, help_text=_("Only what the investigation needs."))
    added_at = models.DateTimeField(default=timezone.now, editable=False)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    history = HistoricalRecords()

    objects = ChildQuerySet.as_manager()

    class Meta:
        ordering = ["role", "name", "pk"]
        verbose_name = _("person involved")
        verbose_name_plural = _("persons involved")

    def __str__(self):
        return f"{self.get_role_display()}: {self.name}"


class CostItem(VersionedModel):
    class Kind(models.TextChoices):
        REPAIR = "repair", _("Repair")
        REPLACEMENT = "replacement", _("Replacement")
        STAFF_TIME = "staff_time", _("Staff time")
        LOSS_OF_SERVICE = "loss_of_service", _("Loss of service")
        CLEAN_UP = "clean_up", _("Sanitation and clean-up")
        OTHER = "other", _("Other")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="cost_items")
    kind = models.CharField(_("kind of cost"), max_length=20, choices=Kind.choices)
    description = models.CharField(_("description"), max_length=300, blank=True)
    estimated = models.DecimalField(_("estimated (SEK)"), max_digits=12, decimal_places=0, null=True, blank=True)
    final = models.DecimalField(_("final (SEK)"), max_digits=12, decimal_places=0, null=True, blank=True)
    history = HistoricalRecords()

    objects = ChildQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("cost item")
        verbose_name_plural = _("cost items")

    def __str__(self):
        return f"{self.get_kind_display()} {self.description}".strip()

    def get_absolute_url(self):
        return self.incident.get_absolute_url()

    @property
    def amount(self):
        return self.final if self.final is not None else (self.estimated or 0)


class Photo(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to="incidents/%Y/")
    content_type = models.CharField(max_length=50)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ChildQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self):
        return f"{self.incident_id}/{self.pk}"


class ThinningLog(models.Model):
    """Append-only record of each thinning of personal data: when, under which decision, which
    category and cut-off, and how much was thinned (the archive law wants thinning documented)."""

    group = models.ForeignKey(MunicipalGroup, on_delete=models.CASCADE, related_name="+")
    run_at = models.DateTimeField(default=timezone.now)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    cutoff = models.DateField(_("incidents before"))
    decision = models.CharField(_("decision"), max_length=300, blank=True)
    incidents = models.PositiveIntegerField(_("incidents thinned"))
    persons = models.PositiveIntegerField(_("persons removed"))
    photos = models.PositiveIntegerField(_("photos removed"))

    class Meta:
        ordering = ["-run_at"]
        verbose_name = _("thinning log entry")
        verbose_name_plural = _("thinning log")

    def __str__(self):
        return f"{self.run_at:%Y-%m-%d} {self.category} < {self.cutoff}: {self.incidents}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("The thinning log is append-only.")
        super().save(*args, **kwargs)


class PublicReportQuota(models.Model):
    """How many public reports came from one address on one day, for the rate limit of the
    public form. The address itself is never stored: `key` is a keyed hash of it and the day,
    useless for finding the address, and the rows are deleted the day after (jobs.py)."""

    key = models.CharField(max_length=64)
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "day"], name="one_quota_per_key_and_day")]

    def __str__(self):
        return f"{self.day} {self.count}"


# The damage figures added up ahead (statistics, risk financing, the list's total).
from .summary import IncidentSummary  # noqa: E402, F401
