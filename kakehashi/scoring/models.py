from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import decay, rules


class Score(models.Model):
    """A named lead score (one per product line, say): fit rules, engagement rules, a half-life."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("The first active score is shown on lead lists.")
    )
    half_life_days = models.FloatField(
        _("half-life (days)"),
        default=30,
        help_text=_("Engagement points lose half their value after this many days."),
    )
    # Forward decay: g is stored relative to this epoch; a recompute may move it forward.
    epoch = models.DateTimeField(default=decay.DEFAULT_EPOCH, editable=False)
    rules_version = models.PositiveIntegerField(default=1, editable=False)
    fit_a = models.IntegerField(_("fit for grade A"), default=30)
    fit_b = models.IntegerField(_("fit for grade B"), default=15)
    fit_c = models.IntegerField(_("fit for grade C"), default=5)
    engagement_1 = models.FloatField(_("engagement for grade 1"), default=50)
    engagement_2 = models.FloatField(_("engagement for grade 2"), default=25)
    engagement_3 = models.FloatField(_("engagement for grade 3"), default=10)
    mql_threshold = models.FloatField(
        _("MQL threshold"),
        null=True,
        blank=True,
        help_text=_("Engagement from which a lead counts as marketing-qualified."),
    )
    recompute_done = models.PositiveIntegerField(default=0, editable=False)
    recompute_total = models.PositiveIntegerField(default=0, editable=False)
    recomputed_version = models.PositiveIntegerField(default=0, editable=False)
    recomputed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.CheckConstraint(
                condition=Q(half_life_days__gte=1, half_life_days__lte=3650),
                name="score_half_life_range",
                violation_error_message=_("The half-life must be between 1 and 3,650 days."),
            ),
            models.CheckConstraint(
                condition=Q(fit_a__gte=F("fit_b"), fit_b__gte=F("fit_c")),
                name="score_fit_thresholds_descending",
                violation_error_message=_("Fit thresholds must go down from A to C."),
            ),
            models.CheckConstraint(
                condition=Q(engagement_1__gte=F("engagement_2"), engagement_2__gte=F("engagement_3")),
                name="score_engagement_thresholds_descending",
                violation_error_message=_("Engagement thresholds must go down from 1 to 3."),
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.name

    @property
    def half_life_seconds(self) -> float:
        return self.half_life_days * decay.DAY

    @property
    def fit_thresholds(self) -> tuple[int, int, int]:
        return (self.fit_a, self.fit_b, self.fit_c)

    @property
    def engagement_thresholds(self) -> tuple[float, float, float]:
        return (self.engagement_1, self.engagement_2, self.engagement_3)

    @property
    def recomputing(self) -> bool:
        return self.recomputed_version < self.rules_version


class EngagementRule(models.Model):
    """Points for an activity of a kind whose data meets conditions, with optional caps."""

    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="engagement_rules")
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(
        _("activity kind"),
        max_length=64,
        help_text=_("A kind such as page.viewed, or a family such as email for every e-mail."),
    )
    # [{"key": "url", "op": "contains", "value": "/pricing"}, …]: all must hold.
    conditions = models.JSONField(_("conditions"), default=list, blank=True)
    points = models.IntegerField(_("points"))
    cap_per_day = models.PositiveIntegerField(_("at most per day"), null=True, blank=True)
    cap_total = models.PositiveIntegerField(_("at most in total"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        ordering = ["score", "id"]
        verbose_name = _("engagement rule")
        verbose_name_plural = _("engagement rules")
        constraints = [
            models.CheckConstraint(
                condition=~Q(points=0), name="engagement_rule_points_nonzero",
                violation_error_message=_("A rule gives or takes at least one point."),
            ),
            models.CheckConstraint(
                condition=Q(cap_per_day__isnull=True) | Q(cap_per_day__gt=0),
                name="engagement_rule_day_cap_positive",
            ),
            models.CheckConstraint(
                condition=Q(cap_total__isnull=True) | Q(cap_total__gt=0),
                name="engagement_rule_total_cap_positive",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.name

    def spec(self) -> rules.EngagementRuleSpec:
        return rules.EngagementRuleSpec(
            id=self.pk,
            kind=self.kind,
            points=self.points,
            conditions=tuple(rules.Condition(**c) for c in self.conditions),
            cap_per_day=self.cap_per_day,
            cap_total=self.cap_total,
            name=self.name,
        )

    @property
    def conditions_text(self) -> str:
        return "\n".join(f"{c['key']} {c['op']} {c['value']}" for c in self.conditions)


class FitField(models.TextChoices):
    INDUSTRY = "industry", _("Industry (company)")
    EMPLOYEE_BAND = "employee_band", _("Employees (company)")
    PREFECTURE = "prefecture", _("Prefecture")
    TITLE = "title", _("Job title")
    DEPARTMENT = "department", _("Department")
    SOURCE = "source", _("Source")
    CUSTOM = "custom", _("Custom attribute of the lead")
    COMPANY_CUSTOM = "company_custom", _("Custom attribute of the company")


class FitOperator(models.TextChoices):
    EQUALS = "equals", _("is")
    CONTAINS = "contains", _("contains")
    ONE_OF = "one_of", _("is one of (comma-separated)")


class FitRule(models.Model):
    """Points for who the lead is: industry, size, prefecture, title, custom attributes."""

    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="fit_rules")
    name = models.CharField(_("name"), max_length=100)
    field = models.CharField(_("field"), max_length=20, choices=FitField.choices)
    key = models.CharField(
        _("attribute name"), max_length=60, blank=True, help_text=_("For custom attributes.")
    )
    op = models.CharField(
        _("comparison"), max_length=10, choices=FitOperator.choices, default=FitOperator.EQUALS
    )
    value = models.CharField(_("value"), max_length=200)
    points = models.IntegerField(_("points"))
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        ordering = ["score", "id"]
        verbose_name = _("fit rule")
        verbose_name_plural = _("fit rules")
        constraints = [
            models.CheckConstraint(
                condition=~Q(points=0), name="fit_rule_points_nonzero",
                violation_error_message=_("A rule gives or takes at least one point."),
            ),
            models.CheckConstraint(
                condition=Q(field__in=rules.FIT_FIELDS), name="fit_rule_field_valid"
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.name

    def spec(self) -> rules.FitRuleSpec:
        return rules.FitRuleSpec(
            id=self.pk,
            field=self.field,
            op=self.op,
            value=self.value,
            points=self.points,
            key=self.key,
            name=self.name,
        )


class LeadScoreQuerySet(models.QuerySet["LeadScore"]):
    def of_score(self, score: Score) -> LeadScoreQuerySet:
        return self.filter(score=score)

    def at_least(self, score: Score, threshold: float, now: Any) -> LeadScoreQuerySet:
        """Leads whose engagement is ≥ ``threshold`` at ``now``: one indexed range on g."""
        bound = decay.g_threshold(
            threshold, now.timestamp(), score.epoch.timestamp(), score.half_life_seconds
        )
        return self.filter(score=score, g__gte=bound)


class LeadScore(models.Model):
    """One lead's state in one score: forward-decay sum g, fit points and fit letter."""

    # No index of their own: the unique (lead, score) and the (score, g) index begin with them,
    # and every engagement update rewrites each index of the row (g is indexed).
    lead = models.ForeignKey(
        "leads.Lead", on_delete=models.CASCADE, related_name="scores", db_index=False
    )
    score = models.ForeignKey(
        Score, on_delete=models.CASCADE, related_name="lead_scores", db_index=False
    )
    # Σ points·2^((t − epoch)/h); the engagement at any time follows from it (see decay.py).
    g = models.FloatField(default=0.0)
    fit_points = models.IntegerField(_("fit"), default=0)
    fit_grade = models.CharField(max_length=1, default="D")
    rules_version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = LeadScoreQuerySet.as_manager()

    class Meta:
        verbose_name = _("lead score")
        verbose_name_plural = _("lead scores")
        indexes = [
            # "score ≥ T now" and "hottest first" are ranges on g within one score.
            models.Index(fields=["score", "-g"], name="leadscore_score_g_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["lead", "score"], name="leadscore_unique"),
            models.CheckConstraint(
                condition=Q(fit_grade__in=list(rules.LETTERS)), name="leadscore_fit_grade_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lead_id}:{self.score_id}"

    def engagement_at(self, now: Any) -> float:
        return decay.current(
            self.g, now.timestamp(), self.score.epoch.timestamp(), self.score.half_life_seconds
        )

    @property
    def engagement(self) -> float:
        return self.engagement_at(timezone.now())

    @property
    def grade(self) -> str:
        digit = rules.engagement_digit(self.engagement, self.score.engagement_thresholds)
        return f"{self.fit_grade}{digit}"


class ScoreEvent(models.Model):
    """Points one capped rule gave one lead for one activity. Only capped rules' points are
    kept: they depend on what the lead had already received. Uncapped rules' points follow
    from the activity alone and are computed when read (contributions.py reads both).

    Derived data, rebuilt by every recompute: no database foreign keys (deleting a lead still
    removes its events through Django) and no index beyond the two its readers use (their
    first columns serve lookups by lead and by score; deleting a rule, rare and followed by a
    recompute, may scan), so writing millions of them stays cheap.
    """

    lead = models.ForeignKey(
        "leads.Lead",
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    score = models.ForeignKey(
        Score, on_delete=models.CASCADE, related_name="events", db_constraint=False, db_index=False
    )
    rule = models.ForeignKey(
        EngagementRule,
        null=True,
        on_delete=models.SET_NULL,
        related_name="events",
        # A process still holding a deleted rule may write its id for a moment; no FK error.
        db_constraint=False,
        db_index=False,
    )
    # A plain id: the explanation keeps what it needs (kind, time, points) if the activity goes.
    activity_id = models.BigIntegerField()
    kind = models.CharField(max_length=64)
    occurred_at = models.DateTimeField()
    day = models.DateField()  # in the site's time zone, for per-day caps
    at = models.FloatField()  # occurred_at as Unix seconds, for decay arithmetic in SQL
    points = models.IntegerField()

    class Meta:
        verbose_name = _("score event")
        verbose_name_plural = _("score events")
        indexes = [
            # The explanation, cap usage and a lead's velocity read one lead's events.
            models.Index(fields=["lead", "score", "-occurred_at"], name="scoreevent_lead_idx"),
            # "Hot now" reads every lead's events in its window. Only capped rules' points are
            # stored, so this costs little (when every point was stored, it had taken half the
            # time of writing events in a recompute).
            models.Index(fields=["score", "occurred_at"], name="scoreevent_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.points:+d}"


class ModelVersion(models.Model):
    """A trained likelihood-to-close model: its report, and the model itself, signed."""

    version = models.PositiveIntegerField(unique=True)
    trained_at = models.DateTimeField(_("trained at"))
    metrics = models.JSONField(_("report"), default=dict)
    features = models.JSONField(default=list)
    in_use = models.BooleanField(_("in use"), default=False)
    # joblib bytes written by kakehashi.scoring.predict only, loaded only after the HMAC
    # signature (keyed by SECRET_KEY) matches: never from user input.
    payload = models.BinaryField(editable=False)
    signature = models.CharField(max_length=64, editable=False)

    class Meta:
        ordering = ["-version"]
        verbose_name = _("likelihood model")
        verbose_name_plural = _("likelihood models")
        constraints = [
            models.UniqueConstraint(
                fields=["in_use"], condition=Q(in_use=True), name="modelversion_one_in_use"
            )
        ]

    def __str__(self) -> str:
        return f"v{self.version}"
