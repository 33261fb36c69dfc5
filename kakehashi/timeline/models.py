from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kakehashi.accounts.models import Function


class Department(models.TextChoices):
    """Which side of the house an activity belongs to; the timeline filters on it."""

    MARKETING = Function.MARKETING.value, Function.MARKETING.label
    INSIDE_SALES = Function.INSIDE_SALES.value, Function.INSIDE_SALES.label
    FIELD_SALES = Function.FIELD_SALES.value, Function.FIELD_SALES.label
    CUSTOMER_SUCCESS = Function.CUSTOMER_SUCCESS.value, Function.CUSTOMER_SUCCESS.label
    MANAGEMENT = Function.MANAGEMENT.value, Function.MANAGEMENT.label
    SYSTEM = "system", _("System")


class ActivityQuerySet(models.QuerySet["Activity"]):
    def for_lead(self, lead: object) -> ActivityQuerySet:
        return self.filter(lead=lead)

    def for_company(self, company: object) -> ActivityQuerySet:
        return self.filter(company=company)

    def of_kind(self, kind: str) -> ActivityQuerySet:
        """``kind`` may be exact ('note.added') or a family ('email' matches 'email.*')."""
        if "." in kind:
            return self.filter(kind=kind)
        return self.filter(kind__startswith=kind + ".")

    def in_department(self, department: str) -> ActivityQuerySet:
        return self.filter(department=department)

    def newest_first(self) -> ActivityQuerySet:
        return self.order_by("-occurred_at", "-id")


class Activity(models.Model):
    """One thing that happened to a lead or company; the shared timeline and audit trail."""

    kind = models.CharField(_("kind"), max_length=64)
    department = models.CharField(
        _("department"), max_length=20, choices=Department.choices, default=Department.SYSTEM
    )
    # The busiest table: no single-column indexes where the (lead, occurred_at) and
    # (company, occurred_at) indexes below serve the same lookups; actor is never listed alone.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    lead = models.ForeignKey(
        "leads.Lead",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="activities",
        db_index=False,
    )
    company = models.ForeignKey(
        "leads.Company",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="activities",
        db_index=False,
    )
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    recorded_at = models.DateTimeField(default=timezone.now)
    data = models.JSONField(default=dict, blank=True)
    idempotency_key = models.CharField(max_length=200, null=True, blank=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        indexes = [
            models.Index(fields=["lead", "-occurred_at"], name="activity_lead_idx"),
            models.Index(fields=["company", "-occurred_at"], name="activity_company_idx"),
            models.Index(fields=["kind", "-occurred_at"], name="activity_kind_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(kind=""), name="activity_kind_required"),
            models.CheckConstraint(
                condition=Q(department__in=Department.values), name="activity_department_valid"
            ),
            # Only activities that carry a key are indexed: bulk writes (imports, demo) skip it,
            # and PostgreSQL gets no second LIKE index on the column.
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="activity_idempotency_key_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} @ {self.occurred_at:%Y-%m-%d %H:%M}"


class Note(models.Model):
    """A free-text note by anyone, shown in the timeline with the author's department."""

    lead = models.ForeignKey(
        "leads.Lead", null=True, blank=True, on_delete=models.CASCADE, related_name="notes"
    )
    company = models.ForeignKey(
        "leads.Company", null=True, blank=True, on_delete=models.CASCADE, related_name="notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="notes"
    )
    department = models.CharField(
        _("department"), max_length=20, choices=Department.choices, default=Department.SYSTEM
    )
    body = models.TextField(_("note"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        indexes = [
            models.Index(fields=["lead", "-created_at"], name="note_lead_idx"),
            models.Index(fields=["company", "-created_at"], name="note_company_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(lead__isnull=False) | Q(company__isnull=False),
                name="note_has_subject",
                violation_error_message=_("A note belongs to a lead or a company."),
            ),
            models.CheckConstraint(condition=~Q(body=""), name="note_body_required"),
        ]

    def __str__(self) -> str:
        return self.body[:50]
