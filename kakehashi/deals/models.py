from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _


class Pipeline(models.Model):
    """An ordered set of deal stages (one per kind of sale)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    is_default = models.BooleanField(_("default"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-is_default", "name"]
        verbose_name = _("pipeline")
        verbose_name_plural = _("pipelines")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_pipeline"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Stage(models.Model):
    """A step of a pipeline with its default probability; won and lost stages close a deal."""

    class Kind(models.TextChoices):
        OPEN = "open", pgettext_lazy("deal status", "Open")
        WON = "won", _("Won")
        LOST = "lost", _("Lost")

    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="stages")
    name_ja = models.CharField(_("name (Japanese)"), max_length=50)
    name_en = models.CharField(_("name (English)"), max_length=50)
    position = models.PositiveSmallIntegerField(_("order"))
    probability = models.PositiveSmallIntegerField(_("probability (%)"))
    kind = models.CharField(_("kind"), max_length=5, choices=Kind.choices, default=Kind.OPEN)

    class Meta:
        ordering = ["pipeline", "position", "id"]
        verbose_name = _("deal stage")
        verbose_name_plural = _("deal stages")
        constraints = [
            models.UniqueConstraint(fields=["pipeline", "position"], name="stage_position_unique"),
            models.CheckConstraint(
                condition=Q(probability__lte=100), name="stage_probability_percent"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return (
            self.name_en
            if (get_language() or "ja").startswith("en") and self.name_en
            else self.name_ja
        )


class CloseReason(models.Model):
    """Why deals are won or lost (an editable list); lost-to-competitor asks for a name."""

    class Outcome(models.TextChoices):
        WON = "won", _("Won")
        LOST = "lost", _("Lost")

    outcome = models.CharField(_("outcome"), max_length=4, choices=Outcome.choices)
    label_ja = models.CharField(_("label (Japanese)"), max_length=100)
    label_en = models.CharField(_("label (English)"), max_length=100)
    needs_competitor = models.BooleanField(_("asks for the competitor"), default=False)
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["outcome", "position", "id"]
        verbose_name = _("close reason")
        verbose_name_plural = _("close reasons")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return (
            self.label_en
            if (get_language() or "ja").startswith("en") and self.label_en
            else self.label_ja
        )


class DealQuerySet(models.QuerySet["Deal"]):
    def open(self) -> DealQuerySet:
        return self.filter(status=Deal.Status.OPEN)

    def stale(self, *, now: object, days: int) -> DealQuerySet:
        """Open deals with no activity for ``days`` days."""
        from datetime import timedelta

        limit = now - timedelta(days=days)  # type: ignore[operator]
        return self.open().filter(
            Q(last_activity_at__lt=limit) | Q(last_activity_at__isnull=True, created_at__lt=limit)
        )


class Deal(models.Model):
    """A sales opportunity (商談): stage, amount, close date, its leads and their company."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("deal status", "Open")
        WON = "won", _("Won")
        LOST = "lost", _("Lost")

    name = models.CharField(_("name"), max_length=200)
    pipeline = models.ForeignKey(Pipeline, on_delete=models.PROTECT, related_name="deals")
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="deals")
    company = models.ForeignKey(
        "leads.Company", verbose_name=_("company"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="deals",
    )  # fmt: skip
    leads = models.ManyToManyField("leads.Lead", through="DealLead", related_name="deals")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="deals",
    )
    team = models.ForeignKey(
        "accounts.Team", verbose_name=_("team"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="deals",
    )  # fmt: skip
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2, default=Decimal(0))
    currency = models.CharField(_("currency"), max_length=3, default="JPY")
    expected_close_date = models.DateField(_("expected close"), null=True, blank=True)
    probability = models.PositiveSmallIntegerField(
        _("probability (%)"), null=True, blank=True, help_text=_("Empty: the stage's probability.")
    )
    committed = models.BooleanField(
        _("committed"), default=False, help_text=_("The owner commits to closing it this month.")
    )
    source = models.CharField(
        _("source"), max_length=200, blank=True, help_text=_("Campaign or hand-off.")
    )
    description = models.TextField(_("products or description"), blank=True)
    status = models.CharField(
        _("status"), max_length=4, choices=Status.choices, default=Status.OPEN
    )
    close_reason = models.ForeignKey(
        CloseReason, verbose_name=_("reason"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="deals",
    )  # fmt: skip
    competitor = models.CharField(_("competitor"), max_length=200, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    last_activity_at = models.DateTimeField(_("last activity"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = DealQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("deal")
        verbose_name_plural = _("deals")
        indexes = [
            models.Index(fields=["pipeline", "status", "stage"], name="deal_board_idx"),
            models.Index(fields=["owner", "status"], name="deal_owner_idx"),
            models.Index(fields=["status", "expected_close_date"], name="deal_close_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="deal_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(probability__isnull=True) | Q(probability__lte=100),
                name="deal_probability_percent",
            ),
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True)
                | (~Q(status="open") & Q(closed_at__isnull=False)),
                name="deal_closed_when_not_open",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="deal_name_required"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def effective_probability(self) -> int:
        if self.status == self.Status.WON:
            return 100
        if self.status == self.Status.LOST:
            return 0
        return self.probability if self.probability is not None else self.stage.probability

    @property
    def weighted_amount(self) -> Decimal:
        return self.amount * self.effective_probability / 100


class DealLead(models.Model):
    """A lead taking part in a deal (decision maker, user, champion…)."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="deal_leads")
    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="deal_links")
    is_primary = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["deal", "lead"], name="deallead_unique")]

    def __str__(self) -> str:
        return f"{self.deal_id}:{self.lead_id}"


class DealActivity(models.Model):
    """Links a timeline activity to a deal, so the deal page has its own timeline."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="deal_activities")
    activity = models.ForeignKey("timeline.Activity", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["deal", "activity"], name="dealactivity_unique")
        ]

    def __str__(self) -> str:
        return f"{self.deal_id}:{self.activity_id}"


class Task(models.Model):
    """Something a person must do by a date: a call, a meeting, a follow-up, an after-follow."""

    class Kind(models.TextChoices):
        CALL = "call", _("Call")
        MEETING = "meeting", _("Meeting")
        VISIT = "visit", _("Visit")
        EMAIL = "email", _("E-mail")
        FOLLOW_UP = "follow_up", _("Follow-up")
        AFTER_FOLLOW = "after_follow", _("After-follow")

    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    due_at = models.DateTimeField(_("due"))
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="tasks",
    )
    lead = models.ForeignKey(
        "leads.Lead", null=True, blank=True, on_delete=models.CASCADE, related_name="tasks"
    )
    company = models.ForeignKey(
        "leads.Company", null=True, blank=True, on_delete=models.CASCADE, related_name="tasks"
    )
    deal = models.ForeignKey(
        Deal, null=True, blank=True, on_delete=models.CASCADE, related_name="tasks"
    )
    notes = models.TextField(_("notes"), blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [models.Index(fields=["owner", "done_at", "due_at"], name="task_mine_idx")]
        constraints = [models.CheckConstraint(condition=~Q(title=""), name="task_title_required")]

    def __str__(self) -> str:
        return self.title


class FollowTemplate(models.Model):
    """After-follow plan started when a deal is won (day 7 onboarding call, day 30 check-in…)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    is_default = models.BooleanField(_("default"), default=False)

    class Meta:
        ordering = ["-is_default", "name"]
        verbose_name = _("after-follow plan")
        verbose_name_plural = _("after-follow plans")

    def __str__(self) -> str:
        return self.name


class FollowStep(models.Model):
    """One task of an after-follow plan, due N days after the win."""

    template = models.ForeignKey(FollowTemplate, on_delete=models.CASCADE, related_name="steps")
    day = models.PositiveSmallIntegerField(_("day"))
    kind = models.CharField(
        _("kind"), max_length=15, choices=Task.Kind.choices, default=Task.Kind.CALL
    )
    title = models.CharField(_("title"), max_length=200)

    class Meta:
        ordering = ["template", "day", "id"]
        verbose_name = _("after-follow step")
        verbose_name_plural = _("after-follow steps")

    def __str__(self) -> str:
        return f"+{self.day}: {self.title}"


class AfterFollow(models.Model):
    """The after-follow of one won deal: where the customer stands."""

    class Status(models.TextChoices):
        ONBOARDING = "onboarding", _("Onboarding")
        ACTIVE = "active", _("Active")
        AT_RISK = "at_risk", _("At risk")
        EXPANDING = "expanding", _("Upsell in progress")
        DONE = "done", _("Completed")

    deal = models.OneToOneField(Deal, on_delete=models.CASCADE, related_name="after_follow")
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.ONBOARDING
    )
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("after-follow")
        verbose_name_plural = _("after-follows")

    def __str__(self) -> str:
        return f"{self.deal_id}: {self.status}"
