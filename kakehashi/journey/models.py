"""The buyer's journey: ordered stages owned by teams, entry rules, and where each lead is."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kakehashi.accounts.models import Function

# The teams a stage can belong to; management owns no stage of its own.
OWNER_FUNCTIONS = [
    (Function.MARKETING.value, Function.MARKETING.label),
    (Function.INSIDE_SALES.value, Function.INSIDE_SALES.label),
    (Function.FIELD_SALES.value, Function.FIELD_SALES.label),
    (Function.CUSTOMER_SUCCESS.value, Function.CUSTOMER_SUCCESS.label),
]
LANE_ORDER = [value for value, _label in OWNER_FUNCTIONS]


def _bilingual(ja: str, en: str) -> str:
    if (get_language() or "ja").startswith("en"):
        return en or ja
    return ja or en


class Journey(models.Model):
    """A buyer's (BtoB) or customer's (BtoC) journey: the stages a lead moves through."""

    class Kind(models.TextChoices):
        BTOB = "btob", _("BtoB buyer's journey")
        BTOC = "btoc", _("BtoC customer journey")
        CUSTOM = "custom", _("Custom")

    name_ja = models.CharField(_("name (Japanese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.CUSTOM)
    active = models.BooleanField(
        _("active"), default=True, help_text=_("Active journeys move leads as activities land.")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("journey")
        verbose_name_plural = _("journeys")
        constraints = [
            models.CheckConstraint(
                condition=~Q(name_ja=""), name="journey_name_required",
                violation_error_message=_("A journey needs a name."),
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return _bilingual(self.name_ja, self.name_en)


class Stage(models.Model):
    """One step of a journey, owned by a team; a hand-off stage routes leads to sales."""

    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="stages")
    key = models.SlugField(_("key"), max_length=40, help_text=_("A short code such as mql."))
    name_ja = models.CharField(_("name (Japanese)"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=60, blank=True)
    position = models.PositiveSmallIntegerField(_("position"))
    owner_function = models.CharField(
        _("owning team"), max_length=20, choices=OWNER_FUNCTIONS, default=Function.MARKETING
    )
    is_handoff = models.BooleanField(
        _("hand-off stage"),
        default=False,
        help_text=_("Leads entering this stage are assigned to sales with an SLA."),
    )
    is_nurture = models.BooleanField(
        _("nurturing stage"),
        default=False,
        help_text=_(
            "Rejected and inactive leads are recycled here; new engagement brings them back."
        ),
    )
    description = models.CharField(_("description"), max_length=300, blank=True)

    class Meta:
        ordering = ["journey", "position", "id"]
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        constraints = [
            models.UniqueConstraint(
                fields=["journey", "key"], name="stage_key_unique",
                violation_error_message=_("Another stage of this journey has this key."),
            ),
            models.CheckConstraint(
                condition=~Q(name_ja=""), name="stage_name_required",
                violation_error_message=_("A stage needs a name."),
            ),
            models.CheckConstraint(
                condition=Q(owner_function__in=LANE_ORDER), name="stage_owner_function_valid"
            ),
            models.CheckConstraint(
                condition=~Q(is_handoff=True, is_nurture=True), name="stage_handoff_not_nurture",
                violation_error_message=_("A nurturing stage cannot be a hand-off stage."),
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return _bilingual(self.name_ja, self.name_en)


class EntryRule(models.Model):
    """When a lead enters a stage: a score or grade reached, an activity, or inactivity."""

    class Kind(models.TextChoices):
        SCORE = "score", _("Score reaches a threshold")
        GRADE = "grade", _("Grade reaches a level")
        ACTIVITY = "activity", _("An activity is recorded (form, event, deal won…)")
        INACTIVITY = "inactivity", _("No activity for a number of days")

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="entry_rules")
    kind = models.CharField(_("when"), max_length=12, choices=Kind.choices)
    score = models.ForeignKey(
        "scoring.Score",
        verbose_name=_("score"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Empty: the first active score."),
    )
    threshold = models.FloatField(_("threshold"), null=True, blank=True)
    grade = models.CharField(
        _("grade"), max_length=2, blank=True, help_text=_("At least this grade, such as B2.")
    )
    activity_kind = models.CharField(
        _("activity kind"),
        max_length=64,
        blank=True,
        help_text=_("A kind such as form.submitted or deal.won, or a family such as deal."),
    )
    # [{"key": "form", "op": "equals", "value": "資料請求"}]: all must hold (scoring's syntax).
    conditions = models.JSONField(_("conditions"), default=list, blank=True)
    days = models.PositiveIntegerField(_("days"), null=True, blank=True)
    from_stages = models.ManyToManyField(
        Stage,
        verbose_name=_("only from"),
        blank=True,
        related_name="+",
        help_text=_("Empty: from any earlier stage, or from nurturing."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["stage", "id"]
        verbose_name = _("entry rule")
        verbose_name_plural = _("entry rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["score", "grade", "activity", "inactivity"]),
                name="entryrule_kind_valid",
            ),
            models.CheckConstraint(
                condition=~Q(kind="score") | Q(threshold__isnull=False),
                name="entryrule_score_threshold",
                violation_error_message=_("A score rule needs a threshold."),
            ),
            models.CheckConstraint(
                condition=~Q(kind="grade") | Q(grade__regex=r"^[A-D][1-4]$"),
                name="entryrule_grade_format",
                violation_error_message=_("A grade is a letter A–D and a digit 1–4, such as B2."),
            ),
            models.CheckConstraint(
                condition=~Q(kind="activity") | ~Q(activity_kind=""),
                name="entryrule_activity_kind",
                violation_error_message=_("An activity rule needs an activity kind."),
            ),
            models.CheckConstraint(
                condition=~Q(kind="inactivity") | Q(days__gte=1),
                name="entryrule_inactivity_days",
                violation_error_message=_("An inactivity rule needs a number of days."),
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.stage}: {self.get_kind_display()}"


class LeadStage(models.Model):
    """Where a lead is now in one journey (one row per lead and journey)."""

    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="journey_stages")
    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="lead_stages")
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="lead_stages")
    entered_at = models.DateTimeField(_("entered at"), default=timezone.now)

    class Meta:
        verbose_name = _("lead's stage")
        verbose_name_plural = _("leads' stages")
        indexes = [
            # Live counts per stage on the map; the leads in a stage, newest arrivals first.
            models.Index(fields=["stage", "-entered_at"], name="leadstage_stage_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["lead", "journey"], name="leadstage_one_per_journey"),
        ]

    def __str__(self) -> str:
        return f"{self.lead_id} @ {self.stage_id}"


class StageChange(models.Model):
    """A lead moving from one stage to another: the stage history and the map's flows."""

    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="stage_changes")
    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="changes")
    from_stage = models.ForeignKey(
        Stage, null=True, blank=True, on_delete=models.CASCADE, related_name="exits"
    )
    to_stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="entries")
    changed_at = models.DateTimeField(_("when"), default=timezone.now)
    # How long the lead had been in from_stage: the map's median time in stage.
    seconds_in_from = models.FloatField(null=True, blank=True)
    rule = models.ForeignKey(
        EntryRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    activity_id = models.BigIntegerField(null=True, blank=True)  # what triggered it

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        indexes = [
            models.Index(fields=["journey", "changed_at"], name="stagechange_period_idx"),
            models.Index(fields=["lead", "journey", "-changed_at"], name="stagechange_lead_idx"),
            models.Index(fields=["to_stage", "changed_at"], name="stagechange_to_idx"),
            models.Index(fields=["from_stage", "changed_at"], name="stagechange_from_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(from_stage__isnull=True) | ~Q(from_stage=models.F("to_stage")),
                name="stagechange_moves",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lead_id}: {self.from_stage_id} → {self.to_stage_id}"
