from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .obligations import Status


class StaleEditError(Exception):
    """Someone else saved the record after this form was opened."""


class VersionedModel(models.Model):
    """Optimistic locking: every save through `save_versioned` bumps `version`, and a save
    based on an older version is refused instead of overwriting the newer one."""

    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True

    def save_versioned(self, expected_version: int) -> None:
        if self.pk is None:
            self.save()
            return
        from django.db import transaction

        with transaction.atomic():
            # The conditional UPDATE takes the row lock: a concurrent save of the same version
            # finds no row and is refused instead of overwriting.
            model = type(self)
            updated = model._base_manager.filter(pk=self.pk, version=expected_version).update(
                version=expected_version + 1
            )
            if not updated:
                raise StaleEditError
            self.version = expected_version + 1
            self.save()


class Classification(models.TextChoices):
    PUBLIC = "public", _("Public")
    INTERNAL = "internal", _("Internal")
    CLASSIFIED = "classified", _("Classified (secret)")


class ClassifiedModel(models.Model):
    """A record that can be classified under the Public Access and Secrecy Act. Classified
    records are visible only to roles the profile marks `classified`, and every read is logged."""

    classification = models.CharField(
        _("classification"), max_length=16, choices=Classification.choices, default=Classification.INTERNAL
    )
    classification_ground = models.CharField(
        _("legal ground for secrecy"),
        max_length=200,
        blank=True,
        help_text=_("E.g. OSL 18 kap. 8 §. Required when the record is classified."),
    )

    class Meta:
        abstract = True

    @property
    def is_classified(self) -> bool:
        return self.classification == Classification.CLASSIFIED

    def clean(self):
        from django.core.exceptions import ValidationError

        super().clean()
        if self.is_classified and not self.classification_ground.strip():
            raise ValidationError({"classification_ground": _("State the legal ground when a record is classified.")})


class AccessLogEntry(models.Model):
    """Append-only log of reads of classified records."""

    group_id = models.BigIntegerField(db_index=True, null=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=300)
    action = models.CharField(max_length=32, default="view")
    path = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["content_type", "object_id", "-at"])]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")

    def __str__(self):
        # Not object_repr: the name of a classified record is classified too (see core.admin).
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.action} {self.content_type_id}#{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("The access log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("The access log is append-only.")


class Notification(models.Model):
    """An in-app message to a user; e-mailed by the worker when `send_email` is set."""

    group_id = models.BigIntegerField(db_index=True, null=True)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    created_at = models.DateTimeField(default=timezone.now)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(max_length=500, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    send_email = models.BooleanField(default=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"])]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self):
        return self.subject


class Task(models.Model):
    """Something a person must do by a date: a review, a measure, a follow-up. What "my tasks" lists."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    group_id = models.BigIntegerField(db_index=True, null=True)
    owner = models.ForeignKey("organisation.Person", on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("title"), max_length=200)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.OPEN)
    url = models.CharField(max_length=500, blank=True)
    subject_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, null=True, blank=True)
    subject_id = models.CharField(max_length=64, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["owner", "state", "due_date"])]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")

    def __str__(self):
        return self.title

    @property
    def is_overdue(self) -> bool:
        return self.state == self.State.OPEN and self.due_date is not None and self.due_date < timezone.localdate()


class CalendarFeedToken(models.Model):
    """A user's personal calendar subscription (iCalendar feed of review due dates). The token
    in the feed's address is the credential: only its SHA-256 is stored, so a copy of the
    database does not give the feeds away. One per user; making a new one revokes the old."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed_token")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed token")
        verbose_name_plural = _("calendar feed tokens")

    def __str__(self):
        return f"{self.user} {self.created_at:%Y-%m-%d}"


class WorkerHeartbeat(models.Model):
    worker_id = models.CharField(max_length=64, unique=True)
    last_seen = models.DateTimeField()
    hostname = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("worker heartbeat")

    def __str__(self):
        return f"{self.worker_id} {self.last_seen:%Y-%m-%d %H:%M:%S}"


class ScheduledJobRun(models.Model):
    """When a periodic job was last enqueued, so that running the scheduler twice a day
    does not run a daily job twice."""

    name = models.CharField(max_length=100, unique=True)
    last_run_on = models.DateField()
    last_run_at = models.DateTimeField()

    def __str__(self):
        return f"{self.name} {self.last_run_at:%Y-%m-%d %H:%M}"


class ObligationStatus(models.Model):
    """A check's answer for one obligation at one time; kept for trends and the yearly report."""

    group = models.ForeignKey("organisation.MunicipalGroup", on_delete=models.CASCADE, related_name="+")
    obligation_id = models.CharField(max_length=16)
    checked_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=16, choices=Status.choices)
    results = models.JSONField(default=list)

    class Meta:
        ordering = ["-checked_at"]
        indexes = [models.Index(fields=["group", "obligation_id", "-checked_at"])]
        verbose_name = _("obligation status")
        verbose_name_plural = _("obligation statuses")

    def __str__(self):
        return f"{self.obligation_id} {self.status} {self.checked_at:%Y-%m-%d}"


class SecurityEvent(models.Model):
    """Append-only record of a change to how an account signs in (a second-factor device added
    or removed), kept so that the user and an administrator can see when it happened and from
    where; the user is also notified, so a change they did not make does not go unnoticed."""

    class Kind(models.TextChoices):
        OTP_DEVICE_ADDED = "otp_device_added", _("Authenticator added")
        OTP_DEVICE_REMOVED = "otp_device_removed", _("Authenticator removed")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="security_events")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    kind = models.CharField(_("event"), max_length=32, choices=Kind.choices)
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("security event")
        verbose_name_plural = _("security events")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Security events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Security events are append-only.")


class ColumnMapping(models.Model):
    """What a column of a municipality's own files means to one import: remembered when a user
    maps the columns of a file whose names Värna does not know, and applied to every later file
    of that import in the group (core/column_mapping.py). `field` empty: the user chose not to
    import the column."""

    group = models.ForeignKey("organisation.MunicipalGroup", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("import"), max_length=32)
    # As tabular.key() matches it: a header of up to 100 characters, casefolded (ß → ss).
    header = models.CharField(_("column in the file"), max_length=300)
    field = models.CharField(_("field"), max_length=64, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "header"]
        constraints = [models.UniqueConstraint(fields=["group", "kind", "header"], name="column_mapping_unique")]
        verbose_name = _("column mapping")
        verbose_name_plural = _("column mappings")

    def __str__(self):
        return f"{self.kind}: {self.header} → {self.field or '–'}"


class ValueMapping(models.Model):
    """What a word of a municipality's own files means to one import (a category, a status, a
    unit, a kind, a level), remembered when a user says so on a dry run and applied to every
    later file of that import in the group (core/column_mapping.py)."""

    group = models.ForeignKey("organisation.MunicipalGroup", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("import"), max_length=32)
    field = models.CharField(_("field"), max_length=64)
    value = models.CharField(_("word in the file"), max_length=300)  # as tabular.key() matches it
    target = models.CharField(_("means"), max_length=200)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "field", "value"]
        constraints = [models.UniqueConstraint(fields=["group", "kind", "field", "value"], name="value_mapping_unique")]
        verbose_name = _("value mapping")
        verbose_name_plural = _("value mappings")

    def __str__(self):
        return f"{self.kind}.{self.field}: {self.value} → {self.target}"
