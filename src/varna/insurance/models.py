"""Insurance policies and the yearly review of the municipality's insurance needs.

A policy is held by a unit (usually the one that manages the municipality's insurance) and
insures units and objects under covers, each with its sum insured and deductible. Claims are
incidents with a policy and a claim number (incidents.Incident.insurance_policy): what the
insurer paid and the deductible are kept on the incident, where the damage cost is.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from varna.core.models import VersionedModel
from varna.core.permissions import RestrictedQuerySet
from varna.organisation.models import Body, MunicipalGroup, OrgUnit


class CoverKind(models.TextChoices):
    FIRE = "fire", _("Fire")
    BURGLARY = "burglary", _("Burglary and theft")
    WATER = "water", _("Water damage")
    ALL_RISK = "all_risk", _("All-risk")
    LIABILITY = "liability", _("Liability")
    VEHICLE = "vehicle", _("Vehicles")
    INTERRUPTION = "interruption", _("Business interruption")
    CRIME = "crime", _("Crime (fraud, embezzlement)")
    ACCIDENT = "accident", _("Accident (pupils, participants)")
    CYBER = "cyber", _("Cyber")
    OTHER = "other", _("Other")


class PolicyQuerySet(RestrictedQuerySet):
    unit_path_field = "unit__path"

    def in_force(self, day: datetime.date | None = None):
        day = day or timezone.localdate()
        return self.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day), valid_from__lte=day)

    def overlapping(self, first: datetime.date, last: datetime.date):
        return self.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=first), valid_from__lte=last)


class InsurancePolicy(VersionedModel):
    group = models.ForeignKey(MunicipalGroup, on_delete=models.CASCADE, related_name="insurance_policies")
    unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="insurance_policies",
        verbose_name=_("managing unit"),
        help_text=_("The unit that manages the policy; it sees and changes it."),
    )
    name = models.CharField(_("name"), max_length=200, help_text=_("E.g. Kommunförsäkring egendom och ansvar."))
    insurer = models.CharField(_("insurer"), max_length=200)
    municipally_owned_insurer = models.BooleanField(
        _("municipally owned insurer"), default=False, help_text=_("E.g. a captive owned by the municipalities.")
    )
    policy_number = models.CharField(_("policy number"), max_length=100, blank=True)
    insured_units = models.ManyToManyField(
        OrgUnit, blank=True, related_name="insured_by", verbose_name=_("insured units")
    )
    insured_objects = models.TextField(
        _("insured objects"), blank=True, help_text=_("Buildings, vehicles, activities: one a line.")
    )
    premium = models.DecimalField(_("yearly premium (SEK)"), max_digits=12, decimal_places=0, default=0)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords(m2m_fields=[insured_units])

    objects = PolicyQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["group", "valid_from", "valid_to"])]
        verbose_name = _("insurance policy")
        verbose_name_plural = _("insurance policies")

    def __str__(self):
        return f"{self.name} ({self.insurer})"

    def get_absolute_url(self):
        return reverse("insurance:policy", args=[self.pk])

    @property
    def in_force(self) -> bool:
        today = timezone.localdate()
        return self.valid_from <= today and (self.valid_to is None or self.valid_to >= today)

    def premium_in(self, year: int):
        """The part of the yearly premium that falls in `year`, by the days the policy was valid."""
        first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        start, end = max(first, self.valid_from), min(last, self.valid_to or last)
        if end < start:
            return 0
        days_in_year = (last - first).days + 1
        return round(self.premium * ((end - start).days + 1) / days_in_year)

    def clean(self):
        from django.core.exceptions import ValidationError

        super().clean()
        if self.valid_to and self.valid_from and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("The policy cannot end before it starts.")})
        if self.premium is not None and self.premium < 0:
            raise ValidationError({"premium": _("An amount cannot be negative.")})


class Cover(models.Model):
    policy = models.ForeignKey(InsurancePolicy, on_delete=models.CASCADE, related_name="covers")
    kind = models.CharField(_("cover"), max_length=20, choices=CoverKind.choices)
    sum_insured = models.DecimalField(_("sum insured (SEK)"), max_digits=14, decimal_places=0, null=True, blank=True)
    deductible = models.DecimalField(_("deductible (SEK)"), max_digits=12, decimal_places=0, default=0)
    conditions = models.CharField(_("conditions"), max_length=300, blank=True)

    class Meta:
        ordering = ["kind", "pk"]
        verbose_name = _("cover")
        verbose_name_plural = _("covers")

    def __str__(self):
        return self.get_kind_display()


class InsuranceReview(VersionedModel):
    """The yearly review of whether the insurance needs are met (HJ-7), by the body the profile
    names, with the figures it was based on kept as they were. It belongs to the unit the body
    is responsible for (the technical administration for the technical committee): that unit's
    head gets the task, and those who may change its records complete it."""

    class State(models.TextChoices):
        OPEN = "open", _("To be done")
        DONE = "done", _("Done")

    group = models.ForeignKey(MunicipalGroup, on_delete=models.CASCADE, related_name="insurance_reviews")
    year = models.PositiveSmallIntegerField(_("year reviewed"))
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    body = models.ForeignKey(
        Body, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("reviewed by")
    )
    status = models.CharField(_("status"), max_length=8, choices=State.choices, default=State.OPEN)
    due_date = models.DateField(_("due date"))
    reviewed_on = models.DateField(_("reviewed on"), null=True, blank=True)
    record_number = models.CharField(_("record number"), max_length=50, blank=True)
    conclusion = models.TextField(
        _("conclusion"), blank=True, help_text=_("Are the insurance needs met? What changes, and why.")
    )
    figures = models.JSONField(default=dict, editable=False)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    history = HistoricalRecords()

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["group", "year"], name="one_insurance_review_a_year")]
        verbose_name = _("insurance review")
        verbose_name_plural = _("insurance reviews")

    def __str__(self):
        return _("Insurance needs %(year)s") % {"year": self.year}

    def get_absolute_url(self):
        return reverse("insurance:review", args=[self.pk])

    @property
    def is_overdue(self) -> bool:
        return self.status == self.State.OPEN and self.due_date < timezone.localdate()
