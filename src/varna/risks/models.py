"""Risk and vulnerability analysis: analyses, risks, their dated assessments, and measures.

A risk keeps its newest current and residual assessment in columns of its own (likelihood,
consequence, zone, ...) so that lists, filters and the matrix count on indexed columns at any
scale; the assessments themselves are an append-only history from which the trend is drawn.
Scales and zones come from the profile (`risk_matrix`, see scoring.py).
"""

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from varna.core.models import ClassifiedModel, VersionedModel
from varna.core.permissions import RestrictedQuerySet
from varna.organisation.models import MunicipalGroup, OrgUnit, Person

from .scoring import RiskMatrix


def matrix_for(group) -> RiskMatrix:
    # A profile is loaded once per process (load_profile is cached); its matrix is kept with it.
    profile = group.profile
    matrix = getattr(profile, "_risk_matrix", None)
    if matrix is None:
        matrix = profile._risk_matrix = RiskMatrix(profile.data.get("risk_matrix"))
    return matrix


class AnalysisQuerySet(RestrictedQuerySet):
    unit_path_field = "unit__path"


class Analysis(VersionedModel, ClassifiedModel):
    """A risk and vulnerability analysis (RSA) of the whole group for a mandate period, or a
    unit's own risk analysis made at any time."""

    class Kind(models.TextChoices):
        RVA = "rva", _("Risk and vulnerability analysis (RSA)")
        UNIT = "unit", _("Risk analysis")

    class State(models.TextChoices):
        ONGOING = "ongoing", _("Ongoing")
        COMPLETED = "completed", _("Completed")
        REPORTED = "reported", _("Reported to the county board")

    group = models.ForeignKey(MunicipalGroup, on_delete=models.CASCADE, related_name="analyses")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.UNIT)
    title = models.CharField(_("title"), max_length=300)
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="analyses", verbose_name=_("unit"))
    election_year = models.PositiveSmallIntegerField(
        _("mandate period"), null=True, blank=True, help_text=_("For an RSA: the mandate period it is made for.")
    )
    status = models.CharField(_("status"), max_length=16, choices=State.choices, default=State.ONGOING)
    started_on = models.DateField(_("started"), default=timezone.localdate)
    completed_on = models.DateField(_("completed"), null=True, blank=True)
    reported_on = models.DateField(_("reported"), null=True, blank=True)
    scope = models.TextField(_("scope"), blank=True)
    method = models.TextField(_("method"), blank=True)
    participants = models.TextField(
        _("participants"), blank=True, help_text=_("Units and external actors that took part, one a line.")
    )
    sources = models.TextField(_("sources"), blank=True)
    scoping = models.TextField(_("scoping decisions"), blank=True, help_text=_("What is left out, and why."))
    history = HistoricalRecords()

    objects = AnalysisQuerySet.as_manager()

    class Meta:
        ordering = ["-started_on", "title"]
        indexes = [models.Index(fields=["group", "kind", "election_year"])]
        verbose_name = _("risk analysis")
        verbose_name_plural = _("risk analyses")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("risks:analysis", args=[self.pk])

    @property
    def mandate_period(self):
        from varna.organisation.mandate import MandatePeriod

        return MandatePeriod(self.election_year) if self.election_year else None


class RiskQuerySet(RestrictedQuerySet):
    unit_path_field = "unit__path"

    def active(self):
        return self.exclude(status=Risk.State.CLOSED)

    def priority_order(self):
        """Personal safety first (AL-1): flagged risks, then life-and-health consequence, then
        zone and level."""
        return self.order_by("-flagged", "-life_health", "-zone_rank", "-level", "title", "pk")

    @staticmethod
    def has_measure() -> Exists:
        """The one definition of a risk *with a measure*, for filters, counts and annotations:
        a planned, ongoing or completed measure treats it, a cancelled one does not. The RSA
        report ("serious risks without a measure") and the checks (HJ-2, KK-7, AL-1) all use it.
        Any measure counts, whoever may read it: that a risk is treated is a fact about the
        risk, and the measure itself stays out of reports its reader may not see."""
        return Exists(Measure.objects.filter(risks=OuterRef("pk")).exclude(status=Measure.State.CANCELLED))

    def with_measure_flag(self):
        """Each risk with `has_measure` (see `has_measure`), in the same query."""
        return self.annotate(has_measure=self.has_measure())

    def without_measure(self):
        return self.filter(~self.has_measure())


class Risk(VersionedModel, ClassifiedModel):
    class Kind(models.TextChoices):
        HAZARD = "hazard", _("Hazard")
        THREAT = "threat", _("Antagonistic threat")
        DEPENDENCY = "dependency", _("Failing dependency")

    class State(models.TextChoices):
        ACTIVE = "active", _("Active")
        ACCEPTED = "accepted", _("Accepted")
        CLOSED = "closed", _("Closed")

    group = models.ForeignKey(MunicipalGroup, on_delete=models.CASCADE, related_name="risks")
    analysis = models.ForeignKey(
        Analysis, on_delete=models.PROTECT, null=True, blank=True, related_name="risks", verbose_name=_("analysis")
    )
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="risks", verbose_name=_("responsible unit")
    )
    owner = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_risks",
        verbose_name=_("risk owner"),
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.HAZARD)
    category = models.CharField(_("category"), max_length=100, blank=True)
    cause = models.TextField(_("cause"), blank=True)
    affected_units = models.ManyToManyField(
        OrgUnit, blank=True, related_name="affecting_risks", verbose_name=_("affected units")
    )
    vital_functions = models.ManyToManyField(
        "VitalFunction", blank=True, related_name="risks", verbose_name=_("vital functions affected")
    )
    status = models.CharField(_("status"), max_length=16, choices=State.choices, default=State.ACTIVE)

    # The newest current assessment, copied from it (never edited by hand).
    assessed_on = models.DateField(_("assessed"), null=True, blank=True, editable=False)
    likelihood = models.PositiveSmallIntegerField(_("likelihood"), null=True, blank=True, editable=False)
    consequence = models.PositiveSmallIntegerField(_("consequence"), null=True, blank=True, editable=False)
    consequences = models.JSONField(default=dict, editable=False)
    life_health = models.PositiveSmallIntegerField(default=0, editable=False)
    level = models.PositiveSmallIntegerField(_("risk level"), null=True, blank=True, editable=False)
    zone = models.CharField(_("zone"), max_length=32, blank=True, editable=False)
    zone_rank = models.SmallIntegerField(default=-1, editable=False)
    flagged = models.BooleanField(_("life and health flagged"), default=False, editable=False)
    next_review = models.DateField(_("next review"), null=True, blank=True, editable=False)
    # The newest residual assessment: the risk once its planned measures are in place.
    residual_likelihood = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    residual_consequence = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    residual_zone = models.CharField(max_length=32, blank=True, editable=False)

    history = HistoricalRecords(m2m_fields=[affected_units])

    objects = RiskQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        indexes = [
            models.Index(fields=["group", "status", "zone_rank"]),
            models.Index(fields=["group", "likelihood", "consequence"]),
            models.Index(fields=["analysis", "likelihood", "consequence"]),
            models.Index(fields=["group", "next_review"]),
            models.Index(
                fields=["group", "-flagged", "-life_health", "-zone_rank", "-level", "title", "id"],
                name="risk_priority_order",
            ),
            # The same order within one analysis (its top risks, its list).
            models.Index(
                fields=["analysis", "-flagged", "-life_health", "-zone_rank", "-level", "title", "id"],
                name="risk_analysis_priority_order",
            ),
        ]
        verbose_name = _("risk")
        verbose_name_plural = _("risks")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("risks:risk", args=[self.pk])

    @cached_property
    def matrix(self) -> RiskMatrix:
        return matrix_for(self.group)

    @property
    def zone_info(self):
        return self.matrix.zones.get(self.zone)

    @property
    def residual_zone_info(self):
        return self.matrix.zones.get(self.residual_zone)

    @property
    def review_overdue(self) -> bool:
        return (
            self.status != self.State.CLOSED
            and self.next_review is not None
            and self.next_review < timezone.localdate()
        )


class Assessment(models.Model):
    """A dated assessment of a risk: likelihood and consequence per dimension. Kept for ever:
    a new assessment is added, none is changed."""

    class Kind(models.TextChoices):
        CURRENT = "current", _("Current risk")
        RESIDUAL = "residual", _("Residual risk after planned measures")

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="assessments")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.CURRENT)
    assessed_on = models.DateField(_("assessed on"), default=timezone.localdate)
    likelihood = models.PositiveSmallIntegerField(_("likelihood"))
    consequences = models.JSONField(_("consequence per dimension"), default=dict)
    consequence = models.PositiveSmallIntegerField(_("consequence"))
    level = models.PositiveSmallIntegerField(_("risk level"))
    zone = models.CharField(_("zone"), max_length=32)
    reasoning = models.TextField(_("reasoning"), blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-assessed_on", "-pk"]
        indexes = [models.Index(fields=["risk", "kind", "-assessed_on"])]
        verbose_name = _("risk assessment")
        verbose_name_plural = _("risk assessments")

    def __str__(self):
        return f"{self.risk} {self.assessed_on}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("An assessment is never changed; add a new one.")
        super().save(*args, **kwargs)


class RiskAcceptance(models.Model):
    """A sign-off that a risk is accepted at its level: by a holder of the role the profile
    names (`risk_matrix.acceptance_role`) on the risk's unit or above, with a reason, until an
    expiry date. When it expires the risk is active again and its owner is asked to assess it."""

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="acceptances")
    accepted_by = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="risk_acceptances", verbose_name=_("accepted by")
    )
    role = models.CharField(_("role"), max_length=64)
    accepted_on = models.DateField(_("accepted on"), default=timezone.localdate)
    expires_on = models.DateField(_("valid until"))
    reason = models.TextField(_("reason"))
    level = models.PositiveSmallIntegerField(_("risk level"))
    zone = models.CharField(_("zone"), max_length=32)
    ended_on = models.DateField(_("ended"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-accepted_on", "-pk"]
        indexes = [models.Index(fields=["ended_on", "expires_on"])]
        verbose_name = _("risk acceptance")
        verbose_name_plural = _("risk acceptances")

    def __str__(self):
        return f"{self.risk} {self.accepted_on}–{self.expires_on}"


class MeasureQuerySet(RestrictedQuerySet):
    unit_path_field = "unit__path"

    def open(self):
        return self.filter(status__in=(Measure.State.PLANNED, Measure.State.IN_PROGRESS))

    def overdue(self, day=None):
        return self.open().filter(due_date__lt=day or timezone.localdate())


class Measure(VersionedModel, ClassifiedModel):
    """A measure of the security programme (HJ-2): owned, dated and followed up. It treats
    risks, implements a governing document (HJ-5) and records its effect on the openness of
    municipal services (AL-2). Incidents, exercises and follow-ups will lead to measures too."""

    class State(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    class Source(models.TextChoices):
        RISK = "risk", _("Risk analysis")
        INCIDENT = "incident", _("Incident")
        EXERCISE = "exercise", _("Exercise")
        FOLLOWUP = "followup", _("Follow-up")
        OTHER = "other", _("Other")

    class Openness(models.TextChoices):
        NOT_ASSESSED = "", _("Not assessed")
        IMPROVES = "improves", _("Improves access and openness")
        NEUTRAL = "neutral", _("No effect on access and openness")
        RESTRICTS = "restricts", _("Restricts access or openness")

    group = models.ForeignKey(MunicipalGroup, on_delete=models.CASCADE, related_name="measures")
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="measures", verbose_name=_("owner unit"))
    owner = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="owned_measures", verbose_name=_("owner")
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    cost_estimate = models.DecimalField(
        _("cost estimate (SEK)"), max_digits=12, decimal_places=0, null=True, blank=True
    )
    status = models.CharField(_("status"), max_length=16, choices=State.choices, default=State.PLANNED)
    completed_on = models.DateField(_("completed"), null=True, blank=True, editable=False)
    # When the owner was last reminded that the measure is overdue (the daily job reminds weekly).
    overdue_reminded_on = models.DateField(null=True, blank=True, editable=False)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.RISK)
    risks = models.ManyToManyField(Risk, blank=True, related_name="measures", verbose_name=_("risks treated"))
    document = models.ForeignKey(
        "documents.Document",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="measures",
        verbose_name=_("governing document implemented"),
    )
    openness = models.CharField(
        _("effect on openness"), max_length=16, choices=Openness.choices, default=Openness.NOT_ASSESSED, blank=True
    )
    openness_note = models.TextField(
        _("how access and openness are kept"),
        blank=True,
        help_text=_("Required when the measure restricts access to or the openness of municipal services."),
    )
    history = HistoricalRecords(m2m_fields=[risks])

    objects = MeasureQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "title"]
        indexes = [
            models.Index(fields=["group", "status", "due_date"]),
            models.Index(fields=["unit", "status"]),
            # The list's order (due date, title), so a page is read in order instead of sorted.
            models.Index(fields=["group", "due_date", "title", "id"], name="measure_list_order"),
        ]
        verbose_name = _("measure")
        verbose_name_plural = _("measures")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("risks:measure", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in (self.State.PLANNED, self.State.IN_PROGRESS)

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_date is not None and self.due_date < timezone.localdate()

    def clean(self):
        from django.core.exceptions import ValidationError

        super().clean()
        if self.openness == self.Openness.RESTRICTS and not self.openness_note.strip():
            raise ValidationError(
                {"openness_note": _("Say how access to the service is kept when a measure restricts it.")}
            )


class VitalFunctionQuerySet(RestrictedQuerySet):
    unit_path_field = "unit__path"


class VitalFunction(VersionedModel, ClassifiedModel):
    """A vital societal function (samhällsviktig verksamhet) the municipality answers for: its
    acceptable service level, how long it may be out at most, and what it depends on."""

    group = models.ForeignKey(MunicipalGroup, on_delete=models.CASCADE, related_name="vital_functions")
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="vital_functions", verbose_name=_("responsible unit")
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    acceptable_level = models.TextField(
        _("acceptable service level"), blank=True, help_text=_("What must keep working during a disruption.")
    )
    max_outage_hours = models.PositiveIntegerField(_("maximum tolerable outage (hours)"), null=True, blank=True)
    history = HistoricalRecords()

    objects = VitalFunctionQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("vital societal function")
        verbose_name_plural = _("vital societal functions")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("risks:function", args=[self.pk])


class Dependency(models.Model):
    """A critical dependency (kritiskt beroende) of a vital function: a resource, a supplier or
    another vital function, with how long the function tolerates its loss and the reserve."""

    class Kind(models.TextChoices):
        POWER = "power", _("Electricity")
        WATER = "water", _("Water and sewage")
        HEAT = "heat", _("Heating")
        FUEL = "fuel", _("Fuel")
        IT = "it", _("IT system")
        TELECOM = "telecom", _("Telecommunications")
        STAFF = "staff", _("Staff")
        TRANSPORT = "transport", _("Transport")
        SUPPLIER = "supplier", _("Supplier")
        FUNCTION = "function", _("Another vital function")
        OTHER = "other", _("Other")

    function = models.ForeignKey(VitalFunction, on_delete=models.CASCADE, related_name="dependencies")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("what"), max_length=200, blank=True)
    depends_on = models.ForeignKey(
        VitalFunction,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="dependents",
        verbose_name=_("vital function depended on"),
    )
    tolerable_outage_hours = models.PositiveIntegerField(_("tolerable loss (hours)"), null=True, blank=True)
    reserve = models.TextField(_("reserve or backup"), blank=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("critical dependency")
        verbose_name_plural = _("critical dependencies")

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        if self.depends_on_id:
            return str(self.depends_on)
        return self.name or self.get_kind_display()

    @property
    def lacks_reserve(self) -> bool:
        return not self.reserve.strip()


class CapabilityAssessment(models.Model):
    """How well the municipality can keep a vital function going through an event type, on the
    profile's capability scale, with reasons. Kept for ever; the newest counts."""

    function = models.ForeignKey(VitalFunction, on_delete=models.CASCADE, related_name="capability_assessments")
    event_type = models.CharField(_("event type"), max_length=200)
    level = models.PositiveSmallIntegerField(_("capability"))
    reasons = models.TextField(_("reasons"))
    assessed_on = models.DateField(_("assessed on"), default=timezone.localdate)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-assessed_on", "-pk"]
        verbose_name = _("capability assessment")
        verbose_name_plural = _("capability assessments")

    def __str__(self):
        return f"{self.function} – {self.event_type} ({self.assessed_on})"
