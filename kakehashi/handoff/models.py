"""Hand-off to sales: policies with an SLA, assignment rules, hand-offs, reasons, alerts."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class HandoffPolicy(models.Model):
    """What happens when a lead enters a hand-off stage: who gets it, the SLA, the calendar."""

    class OnBreach(models.TextChoices):
        ESCALATE = "escalate", _("Escalate to the team's manager")
        REASSIGN = "reassign", _("Reassign to the next person, and tell the manager")

    stage = models.OneToOneField(
        "journey.Stage", verbose_name=_("hand-off stage"), on_delete=models.CASCADE,
        related_name="handoff_policy",
    )  # fmt: skip
    team = models.ForeignKey(
        "accounts.Team", verbose_name=_("to team"), on_delete=models.PROTECT, related_name="+"
    )
    accept_stage = models.ForeignKey(
        "journey.Stage", verbose_name=_("accepted leads go to"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    recycle_stage = models.ForeignKey(
        "journey.Stage", verbose_name=_("rejected leads go to"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    account_based = models.BooleanField(
        _("account-based"),
        default=True,
        help_text=_("A lead whose company has an owner goes to that owner first."),
    )
    sla_hours = models.FloatField(
        _("first touch within (business hours)"), default=4,
        help_text=_("Counted in business hours: weekends and Japanese holidays do not count."),
    )  # fmt: skip
    day_start = models.TimeField(_("business day starts"), default=dt.time(9, 0))
    day_end = models.TimeField(_("business day ends"), default=dt.time(18, 0))
    # ISO weekdays that are working days: "12345" is Monday to Friday.
    work_days = models.CharField(_("working days"), max_length=7, default="12345")
    year_end_holidays = models.BooleanField(_("year-end holidays (12/29–1/3)"), default=True)
    extra_holidays = models.JSONField(
        _("company holidays"), default=list, blank=True, help_text=_("Dates such as 2026-08-14.")
    )
    on_breach = models.CharField(
        _("when the SLA runs out"), max_length=10, choices=OnBreach.choices,
        default=OnBreach.ESCALATE,
    )  # fmt: skip
    escalate_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("escalate to"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
        help_text=_("Empty: the managers of the team."),
    )  # fmt: skip
    hot_points = models.PositiveIntegerField(
        _("hot-lead alert at"), default=30,
        help_text=_("Alert the owner when an owned lead gains this many points in 24 hours."),
    )  # fmt: skip
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("hand-off policy")
        verbose_name_plural = _("hand-off policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(sla_hours__gt=0, sla_hours__lte=1000), name="policy_sla_range",
                violation_error_message=_("The SLA must be between 0 and 1,000 business hours."),
            ),
            models.CheckConstraint(
                condition=Q(day_start__lt=models.F("day_end")), name="policy_day_order",
                violation_error_message=_("The business day must end after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(work_days__regex=r"^[1-7]{1,7}$"), name="policy_work_days_valid",
                violation_error_message=_("Working days are digits 1 (Monday) to 7 (Sunday)."),
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return str(self.stage)


class AssignmentRule(models.Model):
    """Who receives hand-offs: the first matching rule's members, round robin or weighted."""

    class Method(models.TextChoices):
        ROUND_ROBIN = "round_robin", _("Round robin")
        WEIGHTED = "weighted", _("Weighted")

    policy = models.ForeignKey(HandoffPolicy, on_delete=models.CASCADE, related_name="rules")
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    method = models.CharField(
        _("method"), max_length=12, choices=Method.choices, default=Method.ROUND_ROBIN
    )
    # Empty lists match every lead; prefectures are JIS codes 1–47 (a territory).
    prefectures = models.JSONField(_("prefectures"), default=list, blank=True)
    industries = models.JSONField(_("industries"), default=list, blank=True)
    employee_bands = models.JSONField(_("company sizes"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["policy", "position", "id"]
        verbose_name = _("assignment rule")
        verbose_name_plural = _("assignment rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(method__in=["round_robin", "weighted"]), name="assignrule_method_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class AssignmentMember(models.Model):
    """A person in an assignment rule: weight, capacity and the round-robin credit."""

    rule = models.ForeignKey(AssignmentRule, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE,
        related_name="+",
    )  # fmt: skip
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    capacity = models.PositiveIntegerField(
        _("at most open hand-offs"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    # Smooth weighted round robin state (see assignment.py), changed under the rule's row lock.
    credit = models.IntegerField(default=0, editable=False)
    assigned_count = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["rule", "id"]
        verbose_name = _("assignment member")
        verbose_name_plural = _("assignment members")
        constraints = [
            models.UniqueConstraint(fields=["rule", "user"], name="assignmember_unique"),
            models.CheckConstraint(condition=Q(weight__gte=1), name="assignmember_weight_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id}:{self.user_id}"


class RejectReason(models.Model):
    """A coded reason sales gives when rejecting a lead; marketing reads them back."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_ja = models.CharField(_("name (Japanese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("rejection reason")
        verbose_name_plural = _("rejection reasons")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if (get_language() or "ja").startswith("en"):
            return self.name_en or self.name_ja
        return self.name_ja or self.name_en


class HandoffQuerySet(models.QuerySet["Handoff"]):
    def open(self) -> HandoffQuerySet:
        return self.filter(status=Handoff.Status.OPEN)

    def owned_by(self, user: object) -> HandoffQuerySet:
        return self.filter(owner=user)

    def untouched(self) -> HandoffQuerySet:
        return self.filter(first_touch_at__isnull=True)


class Handoff(models.Model):
    """One lead handed to sales: who has it, when the first touch is due, how it ended."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        SUPERSEDED = "superseded", _("Moved on without a decision")

    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="handoffs")
    policy = models.ForeignKey(HandoffPolicy, on_delete=models.PROTECT, related_name="handoffs")
    team = models.ForeignKey(
        "accounts.Team", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="handoffs",
    )  # fmt: skip
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    created_at = models.DateTimeField(_("handed off at"), default=timezone.now)
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    due_at = models.DateTimeField(_("first touch due"), null=True, blank=True)
    first_touch_at = models.DateTimeField(_("first touch"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    reason = models.ForeignKey(
        RejectReason, verbose_name=_("reason"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="handoffs",
    )  # fmt: skip
    comment = models.TextField(_("comment"), blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    reassigned_count = models.PositiveSmallIntegerField(default=0)
    # Copied from the lead when handed off, so the feedback page groups without joining leads.
    source = models.CharField(_("source"), max_length=20, blank=True)
    campaign = models.CharField(_("campaign"), max_length=200, blank=True)

    objects = HandoffQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("hand-off")
        verbose_name_plural = _("hand-offs")
        indexes = [
            models.Index(fields=["owner", "status"], name="handoff_queue_idx"),
            # The SLA sweep: open, untouched, not yet escalated, by due time.
            models.Index(
                fields=["due_at"], name="handoff_sla_idx",
                condition=Q(status="open", first_touch_at__isnull=True, escalated_at__isnull=True),
            ),
            # Waiting for someone with room.
            models.Index(
                fields=["created_at"], name="handoff_waiting_idx",
                condition=Q(status="open", owner__isnull=True),
            ),
            models.Index(fields=["created_at"], name="handoff_period_idx"),
            models.Index(fields=["lead", "-created_at"], name="handoff_lead_idx"),
        ]  # fmt: skip
        constraints = [
            models.UniqueConstraint(
                fields=["lead"], condition=Q(status="open"), name="handoff_one_open_per_lead",
                violation_error_message=_("This lead is already with sales."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["open", "accepted", "rejected", "superseded"]),
                name="handoff_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | Q(reason__isnull=False),
                name="handoff_rejection_has_reason",
                violation_error_message=_("A rejection needs a reason."),
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.lead_id} → {self.owner_id} ({self.status})"

    @property
    def within_sla(self) -> bool | None:
        if self.due_at is None:
            return None
        if self.first_touch_at is None:
            return None if timezone.now() < self.due_at else False
        return self.first_touch_at <= self.due_at


class Notification(models.Model):
    """An in-app notice: a lead assigned to you, an SLA escalation, a hot lead."""

    class Kind(models.TextChoices):
        ASSIGNED = "assigned", _("Lead assigned")
        ESCALATED = "escalated", _("SLA escalation")
        REASSIGNED = "reassigned", _("Lead reassigned")
        HOT = "hot", _("Hot lead")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    lead = models.ForeignKey(
        "leads.Lead", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    handoff = models.ForeignKey(
        Handoff, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    message = models.CharField(_("message"), max_length=300)
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # One hot-lead alert per lead, owner and day: a unique key, so racing receivers insert once.
    dedupe_key = models.CharField(max_length=100, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["user", "read_at", "-created_at"], name="notification_inbox_idx")
        ]

    def __str__(self) -> str:
        return self.message
