"""The register of camera surveillance (kamerabevakningslag 2018:1200, as it stands from
2025-04-01): no permit from IMY any more; the municipality itself documents an interest-balancing
assessment for each surveillance and keeps a register of them, and keeps that documentation five
years after the surveillance ends (then it is thinned, with a log row that says so).

A surveillance belongs to a site (optionally a building on it) and reads as its site does: the
site's unit is its scope, and it is classified when it is marked so, or its site or building is.
Its cameras and assessments are classified with it. Its latest assessment is the current one,
while it is younger than the review interval.
"""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from varna.core.models import Classification, ClassifiedModel, VersionedModel
from varna.core.permissions import RestrictedQuerySet, get_access, scope_q
from varna.organisation.models import MunicipalGroup, Person

from .sites import Building, Site

REVIEW_MONTHS = 12
KEPT_YEARS = 5
MAX_RETENTION_DAYS = 3650


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` earlier (the month's last day where it is shorter)."""
    month = day.month - 1 - months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise AssertionError(day)


def years_after(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class Conclusion(models.TextChoices):
    ALLOWED = "allowed", _("Allowed")
    CONDITIONS = "conditions", _("Allowed with conditions")
    NOT_ALLOWED = "not_allowed", _("Not allowed")


RETENTION_VALIDATORS = [
    MinValueValidator(0, _("The retention cannot be negative.")),
    MaxValueValidator(MAX_RETENTION_DAYS, _("Give the retention in days, at most ten years.")),
]


def _classified_through(prefix: str) -> Q:
    return (
        Q(**{f"{prefix}classification": Classification.CLASSIFIED})
        | Q(**{f"{prefix}site__classification": Classification.CLASSIFIED})
        | Q(**{f"{prefix}building__classification": Classification.CLASSIFIED})
    )


class CameraSurveillanceQuerySet(RestrictedQuerySet):
    """Scoped by the site's unit; classified when marked so, or its site or building is."""

    unit_path_field = "site__unit__path"

    def restrict(self, user, action: str = "view"):
        condition = scope_q(get_access(user), self.unit_path_field, action, _classified_through(""))
        return self if condition is None else self.filter(condition)

    def current(self, day=None):
        day = day or timezone.localdate()
        return self.filter(Q(started__isnull=True) | Q(started__lte=day)).filter(
            Q(ended__isnull=True) | Q(ended__gte=day)
        )

    def ended_before(self, day):
        return self.filter(ended__isnull=False, ended__lt=day)

    def with_latest_assessment(self):
        """Each row's latest assessment date (`assessed_on`) and conclusion, in the same query."""
        latest = InterestAssessment.objects.filter(surveillance=OuterRef("pk")).order_by("-date", "-pk")
        return self.annotate(
            assessed_on=Subquery(latest.values("date")[:1]), latest_conclusion=Subquery(latest.values("conclusion")[:1])
        )

    def assessed_since(self, since: datetime.date):
        """Those whose latest assessment is from `since` or later."""
        fresh = InterestAssessment.objects.filter(surveillance=OuterRef("pk"), date__gte=since)
        return self.filter(models.Exists(fresh))


class CameraSurveillance(ClassifiedModel, VersionedModel):
    """One surveillance: a purpose, an area covered, cameras, the assessment behind it, signs."""

    group = models.ForeignKey(MunicipalGroup, on_delete=models.CASCADE, related_name="+")
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="camera_surveillances", verbose_name=_("site")
    )
    building = models.ForeignKey(
        Building,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="camera_surveillances",
        verbose_name=_("building"),
        help_text=_("Only if the surveillance covers one building of the site."),
    )
    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("code"), max_length=50, help_text=_("Unique in the municipal group, e.g. KAM-SVEG-1."))
    purpose_crime = models.BooleanField(_("prevent, investigate or detect crime"), default=False)
    purpose_order = models.BooleanField(_("maintain order"), default=False)
    purpose_accidents = models.BooleanField(_("prevent or investigate accidents"), default=False)
    purpose_other = models.BooleanField(_("other purpose"), default=False)
    purpose = models.TextField(_("purpose, described"), blank=True)
    area_covered = models.TextField(
        _("area covered"), help_text=_("What the cameras see, e.g. the entrance and the schoolyard.")
    )
    live_view = models.BooleanField(_("live view"), default=False)
    recording = models.BooleanField(_("recording"), default=True)
    sound_recorded = models.BooleanField(_("sound recorded"), default=False)
    masking = models.BooleanField(_("privacy masking"), default=False)
    reduced_resolution = models.BooleanField(_("reduced resolution"), default=False)
    privacy_other = models.CharField(_("other privacy features"), max_length=300, blank=True)
    retention_days = models.PositiveIntegerField(
        _("retention of footage (days)"), validators=RETENTION_VALIDATORS, default=14
    )
    retention_reason = models.TextField(_("reason for the retention"), blank=True)
    viewer_roles = models.TextField(
        _("who may view footage"),
        blank=True,
        help_text=_("Roles or functions, e.g. the principal and the security coordinator."),
    )
    viewers = models.ManyToManyField(
        Person, blank=True, related_name="+", verbose_name=_("people who may view footage")
    )
    signage_text = models.TextField(_("text of the signs"), blank=True)
    signage_places = models.CharField(_("where the signs are"), max_length=300, blank=True)
    signs_up = models.BooleanField(_("signs are up"), default=False)
    responsible = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible person"),
        help_text=_("Gets the yearly review of the assessment as a task."),
    )
    started = models.DateField(_("started"), null=True, blank=True)
    ended = models.DateField(_("ended"), null=True, blank=True)
    dpia_required = models.BooleanField(
        _("impact assessment (DPIA) required"),
        default=False,
        help_text=_("Large-scale monitoring of public places calls for a data protection impact assessment."),
    )
    dpia_done = models.DateField(_("impact assessment done"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # Not the viewers: the change history names linked people to every reader of the record
    # (core/history.py), and a person outside the reader's scope must stay unnamed.
    history = HistoricalRecords()

    objects = CameraSurveillanceQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["group", "code"], name="camera_surveillance_code_unique")]
        indexes = [
            models.Index(fields=["group", "name"], name="camsurv_group_name_idx"),
            models.Index(fields=["group", "ended"], name="camsurv_group_ended_idx"),
        ]
        verbose_name = _("camera surveillance")
        verbose_name_plural = _("camera surveillances")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("facilities:camera-surveillance", args=[self.pk])

    # It reads as its site does (Access.may_read, the access log, the obligation's evidence).
    @property
    def unit(self):
        return self.site.unit

    @property
    def is_classified(self) -> bool:
        return (
            self.classification == Classification.CLASSIFIED
            or self.site.is_classified
            or (self.building_id is not None and self.building.classification == Classification.CLASSIFIED)
        )

    def purposes(self) -> list[str]:
        chosen = [
            (self.purpose_crime, _("crime prevention")),
            (self.purpose_order, _("order")),
            (self.purpose_accidents, _("accidents")),
            (self.purpose_other, _("other")),
        ]
        return [str(label) for on, label in chosen if on]

    def is_current(self, day=None) -> bool:
        day = day or timezone.localdate()
        return (self.started is None or self.started <= day) and (self.ended is None or self.ended >= day)

    def latest_assessment(self):
        return self.assessments.order_by("-date", "-pk").first()

    def thinning_due(self) -> datetime.date | None:
        return years_after(self.ended, KEPT_YEARS) if self.ended else None

    def clean(self):
        # Not ClassifiedModel.clean: it asks for a legal ground whenever `is_classified`, and a
        # surveillance marked internal on a classified site is classified on the site's ground.
        errors = {}
        if self.classification == Classification.CLASSIFIED and not self.classification_ground.strip():
            errors["classification_ground"] = _("State the legal ground when a record is classified.")
        if self.started and self.ended and self.ended < self.started:
            errors["ended"] = _("The end date cannot be before the start date.")
        if not (self.purpose_crime or self.purpose_order or self.purpose_accidents or self.purpose_other):
            errors["purpose_crime"] = _("Choose at least one purpose.")
        if self.purpose_other and not self.purpose.strip():
            errors["purpose"] = _("Describe the other purpose.")
        if not (self.live_view or self.recording):
            errors["live_view"] = _("A surveillance has live view, recording or both.")
        if self.dpia_done and not self.dpia_required:
            errors["dpia_done"] = _("Mark the impact assessment as required, or leave its date empty.")
        if self.dpia_done and self.dpia_done > timezone.localdate():
            errors["dpia_done"] = _("The date cannot be in the future.")
        if self.building_id and self.site_id and self.building.site_id != self.site_id:
            errors["building"] = _("Choose a building on the surveillance's site.")
        if errors:
            raise ValidationError(errors)


class _ThroughSurveillanceQuerySet(RestrictedQuerySet):
    """A camera or an assessment reads as its surveillance does."""

    unit_path_field = "surveillance__site__unit__path"

    def restrict(self, user, action: str = "view"):
        condition = scope_q(get_access(user), self.unit_path_field, action, _classified_through("surveillance__"))
        return self if condition is None else self.filter(condition)


class _ThroughSurveillance:
    @property
    def unit(self):
        return self.surveillance.site.unit

    @property
    def group_id(self):
        return self.surveillance.group_id

    @property
    def is_classified(self) -> bool:
        return self.surveillance.is_classified


class Camera(_ThroughSurveillance, VersionedModel):
    surveillance = models.ForeignKey(
        CameraSurveillance, on_delete=models.CASCADE, related_name="cameras", verbose_name=_("camera surveillance")
    )
    identifier = models.CharField(_("identifier"), max_length=50, help_text=_("Unique in the surveillance, e.g. K1."))
    placement = models.CharField(_("placement"), max_length=300, help_text=_("Where it sits and what it sees."))
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("building")
    )
    retention_days = models.PositiveIntegerField(
        _("own retention (days)"),
        null=True,
        blank=True,
        validators=RETENTION_VALIDATORS,
        help_text=_("Only if it differs from the surveillance's."),
    )
    retention_reason = models.TextField(_("reason for its retention"), blank=True)
    history = HistoricalRecords()

    objects = _ThroughSurveillanceQuerySet.as_manager()

    class Meta:
        ordering = ["surveillance", "identifier", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["surveillance", "identifier"], name="camera_identifier_unique_in_surveillance"
            )
        ]
        verbose_name = _("camera")
        verbose_name_plural = _("cameras")

    def __str__(self):
        return self.identifier

    @property
    def name(self) -> str:
        return self.identifier

    def get_absolute_url(self):
        return f"{self.surveillance.get_absolute_url()}#kamera-{self.pk}"

    def clean(self):
        super().clean()
        errors = {}
        if self.retention_days is not None and not self.retention_reason.strip():
            errors["retention_reason"] = _("Give the reason for a retention of its own.")
        if self.building_id and self.surveillance_id and self.building.site_id != self.surveillance.site_id:
            errors["building"] = _("Choose a building on the surveillance's site.")
        if errors:
            raise ValidationError(errors)


class InterestAssessment(_ThroughSurveillance, models.Model):
    """The documented interest-balancing assessment: the purpose and need against the intrusion
    on privacy, its conclusion, who decided and when. Recorded, not edited: a new one replaces it."""

    surveillance = models.ForeignKey(
        CameraSurveillance, on_delete=models.CASCADE, related_name="assessments", verbose_name=_("camera surveillance")
    )
    date = models.DateField(_("date of the assessment"))
    need = models.TextField(_("purpose and need"))
    intrusion = models.TextField(_("intrusion on privacy"))
    conclusion = models.CharField(_("conclusion"), max_length=16, choices=Conclusion.choices)
    conditions = models.TextField(_("conditions"), blank=True)
    decided_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    objects = _ThroughSurveillanceQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["surveillance", "date"], name="camassess_surv_date_idx")]
        verbose_name = _("interest-balancing assessment")
        verbose_name_plural = _("interest-balancing assessments")

    def __str__(self):
        return f"{self._meta.verbose_name} {self.date:%Y-%m-%d}"

    def get_absolute_url(self):
        return f"{self.surveillance.get_absolute_url()}#bedomning-{self.pk}"

    def clean(self):
        super().clean()
        errors = {}
        if self.date and self.date > timezone.localdate():
            errors["date"] = _("The date cannot be in the future.")
        if self.conclusion == Conclusion.CONDITIONS and not self.conditions.strip():
            errors["conditions"] = _("State the conditions.")
        if errors:
            raise ValidationError(errors)


class CameraThinning(models.Model):
    """The log of a thinned surveillance: its code and how many records went, never its name
    (a classified surveillance's name is itself secret)."""

    group = models.ForeignKey(MunicipalGroup, on_delete=models.CASCADE, related_name="+")
    # The site's unit's path when it was thinned: the log is read by those who manage that unit.
    unit_path = models.CharField(max_length=255, blank=True)
    date = models.DateField(_("thinned on"))
    code = models.CharField(_("code"), max_length=50)
    ended = models.DateField(_("ended"), null=True)
    records_removed = models.PositiveIntegerField(_("records removed"))

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("thinning of camera surveillance")
        verbose_name_plural = _("thinnings of camera surveillance")

    def __str__(self):
        return f"{self.code} {self.date:%Y-%m-%d}"
