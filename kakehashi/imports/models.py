from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SavedMapping(models.Model):
    """A named column mapping to reuse for files with the same layout."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    columns = models.JSONField(_("columns"), help_text=_("Header → field."))
    consent_basis = models.CharField(
        _("consent basis for the whole file"), max_length=20, blank=True
    )
    source = models.CharField(_("lead source"), max_length=20, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("saved mapping")
        verbose_name_plural = _("saved mappings")

    def __str__(self) -> str:
        return self.name


class ImportRun(models.Model):
    """One import of one file: who, when, how it went, and each refused row with its reason."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Choosing columns")
        PENDING = "pending", _("Waiting for the worker")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    filename = models.CharField(_("file"), max_length=255)
    file = models.FileField(upload_to="imports/%Y/%m/", blank=True)
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    delimiter = models.CharField(_("delimiter"), max_length=2, blank=True)
    mapping = models.JSONField(_("mapping"), default=dict)
    consent_basis = models.CharField(
        _("consent basis for the whole file"), max_length=20, blank=True
    )
    source = models.CharField(_("lead source"), max_length=20, blank=True)
    dry_run = models.BooleanField(_("dry run"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    on_match = models.CharField(
        _("when a lead already exists"),
        max_length=10,
        choices=[
            ("update", _("Update it with the file's values")),
            ("skip", _("Leave it as it is")),
        ],
        default="update",
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("processed"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    merged = models.PositiveIntegerField(_("merged"), default=0)
    skipped = models.PositiveIntegerField(_("skipped"), default=0)
    duplicates_flagged = models.PositiveIntegerField(_("possible duplicates"), default=0)
    errors = models.JSONField(_("refused rows"), default=list)
    failure = models.TextField(_("failure"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("started"), default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        constraints = [
            models.CheckConstraint(
                condition=Q(processed_rows__lte=models.F("total_rows")) | Q(total_rows=0),
                name="import_progress_within_total",
            )
        ]

    def __str__(self) -> str:
        return f"{self.filename} ({self.status})"

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, round(100 * self.processed_rows / self.total_rows))

    def summary(self) -> dict[str, object]:
        """The figures `kakehashi import --json` prints."""
        return {
            "created": self.created,
            "updated": self.updated,
            "merged": self.merged,
            "skipped": self.skipped,
            "errors": [{"line": e["line"], "reason": e["reason"]} for e in self.errors],
        }

    def read_file(self) -> bytes:
        """The uploaded bytes, read from the start every time."""
        with self.file.open("rb") as handle:
            return handle.read()

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
