import datetime

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Concat, Length, Substr
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from varna.core.i18n import tr
from varna.core.models import ClassifiedModel, VersionedModel
from varna.core.permissions import RestrictedQuerySet

from .profiles import Profile, load_profile


class MunicipalGroup(models.Model):
    """A municipality and its companies: the tenant. One deployment may host several."""

    name = models.CharField(_("name"), max_length=200)
    municipality_name = models.CharField(_("municipality"), max_length=200)
    profile_key = models.CharField(_("policy profile"), max_length=64)
    # When every first step of a new municipality was found done (core.areas.FirstStep): the
    # start page's checklist is then not shown, nor computed, again.
    first_steps_done_on = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("municipal group")
        verbose_name_plural = _("municipal groups")

    def __str__(self):
        return self.name

    @property
    def profile(self) -> Profile:
        return load_profile(self.profile_key)

    @cached_property
    def root(self) -> "OrgUnit | None":
        return self.units.filter(parent__isnull=True).first()


def valid_on(day: datetime.date | None = None) -> Q:
    """Records valid on a day (today by default): started, and not yet ended."""
    day = day or timezone.localdate()
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=day)) & (Q(valid_to__isnull=True) | Q(valid_to__gte=day))


class Body(VersionedModel):
    """A political body: the council, the executive board, a committee, a company board."""

    group = models.ForeignKey(MunicipalGroup, on_delete=models.CASCADE, related_name="bodies")
    kind = models.CharField(_("kind"), max_length=64)
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("appointed by")
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("body")
        verbose_name_plural = _("bodies")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("organisation:body", args=[self.pk])

    @property
    def kind_name(self) -> str:
        return self.group.profile.body_kind_name(self.kind)


class OrgUnitQuerySet(RestrictedQuerySet):
    unit_path_field = "path"

    def subtree(self, unit: "OrgUnit"):
        return self.filter(path__startswith=unit.path)

    def active(self):
        return self.filter(valid_on())


class OrgUnit(VersionedModel):
    """A node of the municipal group. `path` is a materialised path of ids ("000001.000007.")
    so that "this unit and everything under it" is one indexed prefix query."""

    group = models.ForeignKey(MunicipalGroup, on_delete=models.CASCADE, related_name="units")
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent unit")
    )
    kind = models.CharField(_("level"), max_length=64)
    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("code"), max_length=64)
    responsible_body = models.ForeignKey(
        Body, on_delete=models.PROTECT, null=True, blank=True, related_name="units", verbose_name=_("responsible body")
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    history = HistoricalRecords(excluded_fields=["path", "depth"])

    objects = OrgUnitQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        constraints = [models.UniqueConstraint(fields=["group", "code"], name="orgunit_unique_code")]
        verbose_name = _("org unit")
        verbose_name_plural = _("org units")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("organisation:unit", args=[self.pk])

    @property
    def kind_name(self) -> str:
        return self.group.profile.level_name(self.kind)

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip(".").split(".")[:-1] if part]

    def ancestors(self):
        return OrgUnit.objects.filter(pk__in=self.ancestor_ids).order_by("depth")

    def save(self, *args, **kwargs):
        parent_path = self.parent.path if self.parent_id else ""
        with transaction.atomic():
            super().save(*args, **kwargs)
            new_path = f"{parent_path}{self.pk:06d}."
            if new_path != self.path:
                old_path = self.path
                depth = new_path.count(".") - 1
                OrgUnit.objects.filter(pk=self.pk).update(path=new_path, depth=depth)
                if old_path:
                    # Moving a unit moves its subtree: rewrite the prefix of every descendant.
                    OrgUnit.objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
                        path=Concat(models.Value(new_path), Substr("path", len(old_path) + 1)),
                        depth=models.F("depth") + (depth - self.depth),
                    )
                self.path, self.depth = new_path, depth


class PersonQuerySet(RestrictedQuerySet):
    unit_path_field = "unit__path"


class Person(VersionedModel):
    """Anyone who can be responsible, trained, hold a key or be involved. Need not be a user."""

    group = models.ForeignKey(MunicipalGroup, on_delete=models.CASCADE, related_name="people")
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    title = models.CharField(_("title"), max_length=200, blank=True)
    employee_number = models.CharField(_("employee number"), max_length=64, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="people", verbose_name=_("unit"))
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="person"
    )
    employment_start = models.DateField(_("employment start"), null=True, blank=True)
    employment_end = models.DateField(_("employment end"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["user"])

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [
            models.Index(fields=["group", "last_name", "first_name"]),
            # Lets the people count of a unit subtree be answered from the index (bench/RESULTS.md).
            models.Index(fields=["unit", "group"], name="person_unit_group_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "employee_number"],
                condition=~Q(employee_number=""),
                name="person_unique_employee_number",
            )
        ]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self):
        return f"{self.first_name} {self.last_name}"

    @property
    def full_name(self) -> str:
        return str(self)

    def get_absolute_url(self):
        return reverse("organisation:person", args=[self.pk])


class RoleAssignmentQuerySet(RestrictedQuerySet):
    unit_path_field = "unit__path"

    def current(self, day: datetime.date | None = None):
        return self.filter(valid_on(day))

    def covering(self, unit: OrgUnit):
        """Assignments on the unit itself or any unit above it: a role applies to the subtree."""
        return self.annotate(_len=Length("unit__path")).filter(
            unit__path=Substr(models.Value(unit.path), 1, models.F("_len"))
        )


class RoleAssignment(VersionedModel):
    """Person × role type (from the profile) × org unit (and its subtree) × validity."""

    class Source(models.TextChoices):
        MANUAL = "manual", _("Entered in Värna")
        SSO = "sso", _("Single sign-on group")
        IMPORT = "import", _("Imported")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="roles", verbose_name=_("person"))
    role = models.CharField(_("role"), max_length=64)
    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="role_assignments", verbose_name=_("unit"))
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.MANUAL, editable=False)
    history = HistoricalRecords()

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["role", "valid_from"]
        indexes = [models.Index(fields=["unit", "role"]), models.Index(fields=["person", "role"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="roleassignment_valid_range",
            )
        ]
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")

    def __str__(self):
        return f"{self.person} – {self.role_name} ({self.unit})"

    def get_absolute_url(self):
        # An assignment has no page of its own: it is shown, and ended, on its unit's page.
        return self.unit.get_absolute_url()

    @property
    def role_name(self) -> str:
        """The role's name; a head's is the title the unit's level gives its head ("VD")."""
        profile = self.unit.group.profile
        if (profile.role_types.get(self.role) or {}).get("responsibility") == "head":
            title = tr((profile.unit_levels.get(self.unit.kind) or {}).get("head_title"))
            if title:
                return title
        return profile.role_name(self.role)

    @property
    def is_current(self) -> bool:
        today = timezone.localdate()
        return (self.valid_from is None or self.valid_from <= today) and (
            self.valid_to is None or self.valid_to >= today
        )


class ExternalPartyQuerySet(RestrictedQuerySet):
    unit_path_field = "unit__path"


class ExternalParty(VersionedModel, ClassifiedModel):
    class Kind(models.TextChoices):
        CONTRACTOR = "contractor", _("Contractor")
        HIRED_STAFF = "hired_staff", _("Hired staff")
        CONSULTANT = "consultant", _("Consultant")
        SUPPLIER = "supplier", _("Supplier")
        OTHER = "other", _("Other assignee")

    group = models.ForeignKey(MunicipalGroup, on_delete=models.CASCADE, related_name="external_parties")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="external_parties",
        verbose_name=_("responsible unit"),
        help_text=_("The unit that manages the relationship and sees to it that the party follows the rules."),
    )
    org_number = models.CharField(_("organisation number"), max_length=20, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=50, blank=True)
    history = HistoricalRecords()

    objects = ExternalPartyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["group", "name", "id"], name="party_group_name_idx")]
        verbose_name = _("external party")
        verbose_name_plural = _("external parties")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("organisation:party", args=[self.pk])


class Contract(VersionedModel):
    party = models.ForeignKey(ExternalParty, on_delete=models.CASCADE, related_name="contracts")
    title = models.CharField(_("title"), max_length=200)
    reference = models.CharField(_("reference (record number)"), max_length=100, blank=True)
    units = models.ManyToManyField(OrgUnit, related_name="contracts", verbose_name=_("units served"))
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    history = HistoricalRecords(m2m_fields=[units])

    class Meta:
        ordering = ["-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="contract_valid_range",
            )
        ]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")

    def __str__(self):
        return self.title

    @property
    def is_current(self) -> bool:
        today = timezone.localdate()
        return self.valid_from <= today and (self.valid_to is None or self.valid_to >= today)


class RoleSetting(models.Model):
    """An administrator's settings for a role type, on top of the profile's defaults."""

    group = models.ForeignKey(MunicipalGroup, on_delete=models.CASCADE, related_name="role_settings")
    role = models.CharField(_("role"), max_length=64)
    require_otp = models.BooleanField(_("require a second factor (TOTP)"), default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["group", "role"], name="rolesetting_unique")]
        verbose_name = _("role setting")
        verbose_name_plural = _("role settings")

    def __str__(self):
        return f"{self.group}: {self.role}"


class IdentityProviderGroupMapping(models.Model):
    """Maps a group claim from single sign-on to a role on a unit. A user arriving by single
    sign-on gets the roles of their mapped groups and nothing else."""

    group = models.ForeignKey(MunicipalGroup, on_delete=models.CASCADE, related_name="idp_mappings")
    idp_group = models.CharField(_("identity provider group"), max_length=200)
    role = models.CharField(_("role"), max_length=64)
    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+", verbose_name=_("unit"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["idp_group", "role", "unit"], name="idpmapping_unique"),
        ]
        verbose_name = _("identity provider group mapping")
        verbose_name_plural = _("identity provider group mappings")

    def __str__(self):
        return f"{self.idp_group} → {self.role} ({self.unit})"
