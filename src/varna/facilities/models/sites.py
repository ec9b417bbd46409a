"""The register of the municipality's sites (anläggningar) and their buildings.

A site belongs to the unit responsible for it (its owner unit): that unit's scope decides who
sees and changes it, as for every register. Other units that use it are named as using units.
Security details are often classified (OSL 18 kap. 8 §): a classified site is seen only by roles
cleared on its unit, and every read is logged; its buildings are classified with it, whatever
their own marking. Keys, alarms, access control, cameras and fire-protection rounds hang off a
site or a building (later parts of the area), so both carry a stable code unique where they sit.
"""

import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from varna.core.models import Classification, ClassifiedModel, VersionedModel
from varna.core.permissions import RestrictedQuerySet, get_access, scope_q
from varna.organisation.models import MunicipalGroup, OrgUnit, Person

POSTAL_CODE = re.compile(r"^(\d{3}) ?(\d{2})$")


class SiteKind(models.TextChoices):
    SCHOOL = "school", _("School")
    PRESCHOOL = "preschool", _("Preschool")
    CARE_HOME = "care_home", _("Care home")
    OFFICE = "office", _("Office")
    DEPOT = "depot", _("Depot")
    WATER_WORKS = "water_works", _("Water works")
    SEWAGE_WORKS = "sewage_works", _("Sewage works")
    SPORTS = "sports", _("Sports facility")
    CULTURE = "culture", _("Culture")
    OTHER = "other", _("Other")


def validate_postal_code(value: str) -> None:
    if value and not POSTAL_CODE.match(value.strip()):
        raise ValidationError(_("Write the postal code as five digits, e.g. 842 32."), code="postal_code")


def normalise_postal_code(value: str) -> str:
    match = POSTAL_CODE.match((value or "").strip())
    return f"{match[1]} {match[2]}" if match else (value or "").strip()


class SiteQuerySet(RestrictedQuerySet):
    def current(self, day=None):
        day = day or timezone.localdate()
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        )


class Site(ClassifiedModel, VersionedModel):
    """A site: a school, a care home, a depot, a water works... with its address and property."""

    group = models.ForeignKey(MunicipalGroup, on_delete=models.CASCADE, related_name="sites")
    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("code"), max_length=50, help_text=_("Unique in the municipal group, e.g. SV-SKOLA."))
    kind = models.CharField(_("kind of site"), max_length=20, choices=SiteKind.choices, default=SiteKind.OTHER)
    unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owner unit"),
        help_text=_("The unit responsible for the site: its roles see and change it."),
    )
    using_units = models.ManyToManyField(OrgUnit, blank=True, related_name="+", verbose_name=_("using units"))
    address = models.CharField(_("street address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=6, blank=True, validators=[validate_postal_code])
    town = models.CharField(_("town"), max_length=100, blank=True)
    property_designation = models.CharField(
        _("property designation"),
        max_length=200,
        blank=True,
        help_text=_("As in the property register, e.g. Sveg 3:112."),
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=8,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[
            MinValueValidator(Decimal(-90), _("A latitude is between -90 and 90 degrees.")),
            MaxValueValidator(Decimal(90), _("A latitude is between -90 and 90 degrees.")),
        ],
        help_text=_("Decimal degrees (WGS 84), e.g. 62.034500."),
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[
            MinValueValidator(Decimal(-180), _("A longitude is between -180 and 180 degrees.")),
            MaxValueValidator(Decimal(180), _("A longitude is between -180 and 180 degrees.")),
        ],
        help_text=_("Decimal degrees (WGS 84), e.g. 14.358600."),
    )
    contact = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("contact person"),
    )
    notes = models.TextField(_("notes"), blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    history = HistoricalRecords(m2m_fields=[using_units])

    objects = SiteQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["group", "code"], name="site_code_unique_in_group")]
        indexes = [
            models.Index(fields=["group", "name"], name="site_group_name_idx"),
            models.Index(fields=["group", "kind", "name"], name="site_group_kind_idx"),
        ]
        verbose_name = _("site")
        verbose_name_plural = _("sites")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("facilities:site", args=[self.pk])

    @property
    def coordinates(self) -> str:
        if self.latitude is None or self.longitude is None:
            return ""
        return f"{self.latitude:.6f}, {self.longitude:.6f}"

    def clean(self):
        super().clean()
        errors = {}
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            errors["valid_to"] = _("The end date cannot be before the start date.")
        if (self.latitude is None) != (self.longitude is None):
            errors["longitude" if self.longitude is None else "latitude"] = _(
                "Give both latitude and longitude, or neither."
            )
        if errors:
            raise ValidationError(errors)


class BuildingQuerySet(RestrictedQuerySet):
    """Buildings are scoped by their site's unit, and a building is classified when it is marked
    so or its site is."""

    unit_path_field = "site__unit__path"

    def restrict(self, user, action: str = "view"):
        classified = Q(classification=Classification.CLASSIFIED) | Q(site__classification=Classification.CLASSIFIED)
        condition = scope_q(get_access(user), self.unit_path_field, action, classified)
        return self if condition is None else self.filter(condition)


class Building(ClassifiedModel, VersionedModel):
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="buildings", verbose_name=_("site"))
    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("code"), max_length=50, help_text=_("Unique on the site, e.g. A or HUS-1."))
    year_built = models.PositiveSmallIntegerField(
        _("year built"),
        null=True,
        blank=True,
        validators=[
            MinValueValidator(1000, _("Give the year with four digits, e.g. 1962.")),
            MaxValueValidator(2200, _("Give the year with four digits, e.g. 1962.")),
        ],
    )
    floor_area = models.DecimalField(
        _("floor area (m²)"),
        max_digits=9,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0), _("An area cannot be negative."))],
    )
    address = models.CharField(
        _("street address"), max_length=200, blank=True, help_text=_("Only if it is not the site's.")
    )
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords()

    objects = BuildingQuerySet.as_manager()

    class Meta:
        ordering = ["site", "code", "pk"]
        constraints = [models.UniqueConstraint(fields=["site", "code"], name="building_code_unique_on_site")]
        verbose_name = _("building")
        verbose_name_plural = _("buildings")

    def __str__(self):
        return f"{self.name} ({self.site.name})" if self.site_id and "site" in self._state.fields_cache else self.name

    def get_absolute_url(self):
        return reverse("facilities:building", args=[self.pk])

    # A building reads as its site does: the site's unit is its scope (Access.may_read), its
    # group is the site's (the access log), and a classified site classifies it.
    @property
    def unit(self):
        return self.site.unit

    @property
    def group_id(self):
        return self.site.group_id

    @property
    def is_classified(self) -> bool:
        return self.classification == Classification.CLASSIFIED or self.site.is_classified

    def clean(self):
        super().clean()
        if self.year_built and self.year_built > timezone.localdate().year + 5:
            raise ValidationError({"year_built": _("The year built cannot be that far in the future.")})
