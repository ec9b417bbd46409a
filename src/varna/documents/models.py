"""Governing documents: policy, guidelines, routines, instructions, standards and their
supplements; versions, decisions, reviews, notification duties and acknowledgements.

The kinds, who decides each and how often it is reviewed come from the policy profile
(`document_kinds`). Content and the next review date change only through a new version that is
decided, or through a review.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from varna.core.models import ClassifiedModel, VersionedModel
from varna.core.permissions import RestrictedQuerySet
from varna.organisation.models import Body, ExternalParty, MunicipalGroup, OrgUnit, Person


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    CONSULTATION = "consultation", _("In consultation")
    DECIDED = "decided", _("Decided")
    IN_FORCE = "in_force", _("In force")
    UNDER_REVIEW = "under_review", _("Under review")
    REPLACED = "replaced", _("Replaced")
    REPEALED = "repealed", _("Repealed")


# The states in which a document applies.
APPLYING = (Status.IN_FORCE, Status.UNDER_REVIEW)


class DocumentQuerySet(RestrictedQuerySet):
    unit_path_field = "unit__path"

    def applying(self):
        return self.filter(status__in=APPLYING)


class Document(VersionedModel, ClassifiedModel):
    group = models.ForeignKey(MunicipalGroup, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=64)
    title = models.CharField(_("title"), max_length=300)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("under")
    )
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="documents", verbose_name=_("owner unit"))
    owner = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="owned_documents", verbose_name=_("owner")
    )
    topics = models.JSONField(
        _("areas covered"), default=list, blank=True, help_text=_("The areas of the policy the document covers.")
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    record_number = models.CharField(_("record number"), max_length=64, blank=True)
    in_force_from = models.DateField(_("in force from"), null=True, blank=True, editable=False)
    next_review = models.DateField(_("next review"), null=True, blank=True, editable=False)
    replaced_by = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replaces", editable=False
    )
    # Title, record number and the text of the newest version, kept for searching (full-text
    # with Swedish stemming on PostgreSQL, a plain substring match on SQLite).
    search_text = models.TextField(default="", editable=False)
    history = HistoricalRecords(excluded_fields=["search_text"])

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        indexes = [
            models.Index(fields=["group", "kind", "status"]),
            models.Index(fields=["group", "next_review"]),
            models.Index(fields=["unit", "status"]),
        ]
        verbose_name = _("governing document")
        verbose_name_plural = _("governing documents")

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.search_text = self.build_search_text()
        super().save(*args, **kwargs)

    def build_search_text(self) -> str:
        text = ""
        if self.pk:
            text = self.versions.order_by("-number").values_list("text", flat=True).first() or ""
        return "\n".join(part for part in (self.title, self.record_number, text) if part)

    def get_absolute_url(self):
        return reverse("documents:document", args=[self.pk])

    @property
    def kind_spec(self) -> dict:
        return self.group.profile.document_kinds.get(self.kind) or {}

    @property
    def kind_name(self) -> str:
        from varna.core.i18n import tr

        return tr(self.kind_spec.get("name")) or self.kind

    @property
    def is_applying(self) -> bool:
        return self.status in APPLYING

    @property
    def review_overdue(self) -> bool:
        return self.is_applying and self.next_review is not None and self.next_review < timezone.localdate()

    @property
    def current_version(self) -> "DocumentVersion | None":
        return self.versions.order_by("-number").first()

    @property
    def decided_version(self) -> "DocumentVersion | None":
        decision = self.decisions.select_related("version").order_by("-date", "-pk").first()
        return decision.version if decision else None


class DocumentVersion(models.Model):
    """An immutable version of a document's content: text written in Värna (Markdown) or a file."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("text"), blank=True, help_text=_("Markdown. Headings with #, lists with -."))
    file = models.FileField(_("file"), upload_to="documents/%Y/", blank=True)
    file_name = models.CharField(max_length=255, blank=True)
    file_type = models.CharField(max_length=100, blank=True)
    file_size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="documentversion_unique_number")]
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")

    def __str__(self):
        return f"{self.document} v{self.number}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("A document version is never changed; add a new version instead.")
        super().save(*args, **kwargs)
        Document.objects.filter(pk=self.document_id).update(search_text=self.document.build_search_text())


class Decision(models.Model):
    """The decision that adopted a version: by a body (with a record number) or by a role holder."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="decisions")
    version = models.ForeignKey(DocumentVersion, on_delete=models.PROTECT, related_name="decisions")
    body = models.ForeignKey(
        Body,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("decided by (body)"),
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("decided by (person)"),
    )
    date = models.DateField(_("decision date"))
    record_number = models.CharField(_("record number"), max_length=64, blank=True)
    in_force_from = models.DateField(_("in force from"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(body__isnull=False) | Q(person__isnull=False), name="decision_has_a_decider"
            ),
            models.CheckConstraint(
                condition=Q(in_force_from__gte=models.F("date")), name="decision_in_force_after_date"
            ),
        ]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self):
        return f"{self.document} – {self.date}"

    @property
    def decider(self):
        return self.body or self.person


class ConsultationComment(models.Model):
    """A comment in the consultation (remiss) round, from a named unit."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="comments")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("from unit"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("consultation comment")
        verbose_name_plural = _("consultation comments")

    def __str__(self):
        return f"{self.unit}: {self.text[:40]}"


class Review(models.Model):
    """A review of a document in force: due, done, and its outcome."""

    class Outcome(models.TextChoices):
        NO_CHANGE = "no_change", _("Reviewed, no change")
        REVISED = "revised", _("Revised: a new version is to be decided")

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="reviews")
    due_date = models.DateField(_("due date"))
    done_at = models.DateField(_("done"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reminded_on = models.DateField(null=True, blank=True, editable=False)
    overdue_reminded_on = models.DateField(null=True, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_date"]
        indexes = [models.Index(fields=["done_at", "due_date"])]
        constraints = [
            models.UniqueConstraint(
                fields=["document"], condition=Q(done_at__isnull=True), name="review_one_open_per_document"
            )
        ]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")

    def __str__(self):
        return f"{self.document} – {self.due_date}"

    @property
    def is_overdue(self) -> bool:
        return self.done_at is None and self.due_date < timezone.localdate()


class NotificationDuty(models.Model):
    """A decided document that must be communicated (delgivas) to a body, e.g. the executive
    board (HJ-11): pending until its delivery is registered."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="notification_duties")
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="notification_duties")
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="+", verbose_name=_("to be communicated to"))
    created_at = models.DateTimeField(default=timezone.now)
    delivered_on = models.DateField(_("communicated on"), null=True, blank=True)
    reference = models.CharField(_("reference (record number or minutes)"), max_length=100, blank=True)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notification duty")
        verbose_name_plural = _("notification duties")

    def __str__(self):
        return f"{self.document} → {self.body}"

    @property
    def is_pending(self) -> bool:
        return self.delivered_on is None


class Acknowledgement(models.Model):
    """A request to a person or an external party to acknowledge (read) a version."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="acknowledgements")
    version = models.ForeignKey(DocumentVersion, on_delete=models.CASCADE, related_name="acknowledgements")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, null=True, blank=True, related_name="acknowledgements")
    party = models.ForeignKey(
        ExternalParty, on_delete=models.CASCADE, null=True, blank=True, related_name="acknowledgements"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(person__isnull=False) & Q(party__isnull=True))
                | (Q(person__isnull=True) & Q(party__isnull=False)),
                name="acknowledgement_person_or_party",
            ),
            models.UniqueConstraint(fields=["version", "person"], name="ack_unique_person"),
            models.UniqueConstraint(fields=["version", "party"], name="ack_unique_party"),
        ]
        verbose_name = _("acknowledgement")
        verbose_name_plural = _("acknowledgements")

    def __str__(self):
        return f"{self.person or self.party} – {self.version}"


def next_mandate_start(day: datetime.date) -> datetime.date:
    """The start of the next mandate period after `day`: a policy revised "before every mandate
    period" is due then."""
    from varna.organisation import mandate

    return mandate.MandatePeriod(mandate.current(day).election_year + 4).start
