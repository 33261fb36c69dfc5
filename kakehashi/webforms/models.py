"""Forms and surveys, their fields and questions, the purpose-of-use text, and submissions.

A survey is a form whose fields are questions (choices, ratings, NPS, matrix, free text).
`Answer` keeps one row per chosen value so result counts and cross-tabs are GROUP BY queries
on an index, not a scan of JSON.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

KEY_RE = re.compile(r"^[^\s.]+$")


def validate_key(value: str) -> None:
    # Scoring reads answers as `answers.<key>`: no dots, no spaces.
    if not KEY_RE.match(value):
        raise ValidationError(_("Use a name without spaces or dots, such as 導入時期 or budget."))


class Kind(models.TextChoices):
    FORM = "form", _("Form")
    SURVEY = "survey", _("Survey")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CLOSED = "closed", _("Closed")


class FieldKind(models.TextChoices):
    TEXT = "text", _("Text")
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    SELECT = "select", _("Drop-down")
    MULTI_SELECT = "multi_select", _("Multi-select list")
    CHECKBOX = "checkbox", _("Checkbox")
    DATE = "date", _("Date")
    PREFECTURE = "prefecture", _("Prefecture")
    CONSENT = "consent", _("Consent checkbox")
    HIDDEN = "hidden", _("Hidden (UTM or other URL parameter)")
    SINGLE_CHOICE = "single_choice", _("Single choice")
    MULTIPLE_CHOICE = "multiple_choice", _("Multiple choice")
    RATING = "rating", _("Rating 1–5")
    NPS = "nps", _("Net Promoter Score 0–10")
    MATRIX = "matrix", _("Matrix")
    FREE_TEXT = "free_text", _("Free text")


CHOICE_KINDS = frozenset(
    {FieldKind.SELECT, FieldKind.MULTI_SELECT, FieldKind.SINGLE_CHOICE, FieldKind.MULTIPLE_CHOICE}
)
MULTI_KINDS = frozenset({FieldKind.MULTI_SELECT, FieldKind.MULTIPLE_CHOICE})
# Questions whose answers are counted and charted on the results page.
COUNTED_KINDS = CHOICE_KINDS | {
    FieldKind.RATING, FieldKind.NPS, FieldKind.MATRIX, FieldKind.CHECKBOX, FieldKind.PREFECTURE,
}  # fmt: skip
TEXT_KINDS = frozenset({FieldKind.TEXT, FieldKind.FREE_TEXT})
# Characters accepted per answer (SEC: size limits on a public endpoint).
DEFAULT_MAX_LENGTH = {FieldKind.FREE_TEXT: 2000}
TEXT_MAX_LENGTH = 200


class FormQuerySet(models.QuerySet["Form"]):
    def published(self) -> FormQuerySet:
        return self.filter(status=Status.PUBLISHED)


class Form(models.Model):
    """A form or survey that marketing builds and publishes (hosted page, embed, QR code)."""

    name = models.CharField(
        _("name"),
        max_length=100,
        help_text=_("Internal name, used by scoring rules and workflows: 資料請求, セミナー申込."),
    )
    slug = models.SlugField(
        pgettext_lazy("web address", "address"),
        max_length=60,
        unique=True,
        help_text=_("The end of the public address: letters, digits and hyphens."),
    )
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.FORM)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    title_ja = models.CharField(_("title (Japanese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    intro_ja = models.TextField(_("introduction (Japanese)"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    thank_you_ja = models.TextField(_("thank-you message (Japanese)"), blank=True)
    thank_you_en = models.TextField(_("thank-you message (English)"), blank=True)
    redirect_url = models.URLField(
        _("redirect after sending"),
        blank=True,
        help_text=_(
            "Instead of the thank-you message, send the visitor to this page. Only this "
            "server, your tracking source's sites and the allowed hosts are accepted."
        ),
    )
    download = models.FileField(
        _("file offered after sending"),
        upload_to="webforms/downloads/%Y/",
        blank=True,
        help_text=_("A brochure or white paper for document requests (資料請求)."),
    )
    campaign = models.CharField(
        _("campaign"),
        max_length=100,
        blank=True,
        help_text=_("The campaign this form belongs to; recorded with every submission."),
    )
    tracking_source = models.ForeignKey(
        "tracking.Source",
        verbose_name=_("tracking source"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "The website whose tracking snippet runs where this form is linked or embedded: "
            "the visitor's earlier page views join the new lead."
        ),
    )
    double_opt_in = models.BooleanField(
        _("double opt-in"),
        default=False,
        help_text=_("E-mail consent counts only after the visitor confirms by e-mail."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    objects = FormQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("form")
        verbose_name_plural = _("forms")
        indexes = [models.Index(fields=["kind", "-created_at"], name="webform_kind_idx")]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="webform_name_required"),
            models.CheckConstraint(condition=~Q(slug=""), name="webform_slug_required"),
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="webform_kind_valid"),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="webform_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def title(self, language: str) -> str:
        return (self.title_en if language == "en" else "") or self.title_ja

    def intro(self, language: str) -> str:
        return (self.intro_en if language == "en" else "") or self.intro_ja

    def thank_you(self, language: str) -> str:
        return (self.thank_you_en if language == "en" else "") or self.thank_you_ja

    @property
    def is_open(self) -> bool:
        return self.status == Status.PUBLISHED

    @property
    def has_consent_field(self) -> bool:
        return any(f.kind == FieldKind.CONSENT for f in self.fields.all())


class Field(models.Model):
    """One field of a form or one question of a survey, in order, with its validation."""

    form = models.ForeignKey(Form, on_delete=models.CASCADE, related_name="fields")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    page = models.PositiveSmallIntegerField(
        _("page"), default=1, help_text=_("Surveys can span pages: 1, 2, 3…")
    )
    key = models.CharField(
        _("key"),
        max_length=50,
        validators=[validate_key],
        help_text=_("How the answer is named on the timeline and in scoring rules."),
    )
    kind = models.CharField(_("type"), max_length=20, choices=FieldKind.choices)
    label_ja = models.CharField(_("label (Japanese)"), max_length=300)
    label_en = models.CharField(_("label (English)"), max_length=300, blank=True)
    help_ja = models.CharField(_("help (Japanese)"), max_length=500, blank=True)
    help_en = models.CharField(_("help (English)"), max_length=500, blank=True)
    required = models.BooleanField(_("required"), default=False)
    # [{"value": "3か月以内", "ja": "3か月以内", "en": "Within 3 months"}, …]
    options = models.JSONField(_("options"), default=list, blank=True)
    rows = models.JSONField(_("matrix rows"), default=list, blank=True)
    maps_to = models.CharField(_("saves to"), max_length=80, blank=True)
    max_length = models.PositiveIntegerField(_("maximum characters"), null=True, blank=True)
    param = models.CharField(
        _("URL parameter"),
        max_length=50,
        blank=True,
        help_text=_(
            "For hidden fields: the parameter of the page address to keep, such as utm_source."
        ),
    )
    show_if_key = models.CharField(_("show only if question"), max_length=50, blank=True)
    show_if_value = models.CharField(_("has the answer"), max_length=200, blank=True)

    class Meta:
        ordering = ["form", "page", "position", "id"]
        verbose_name = _("field")
        verbose_name_plural = _("fields")
        constraints = [
            models.UniqueConstraint(fields=["form", "key"], name="webform_field_key_unique",
                                    violation_error_message=_("Another field already uses this key.")),
            models.CheckConstraint(condition=Q(kind__in=FieldKind.values), name="webform_field_kind_valid"),
            models.CheckConstraint(condition=Q(page__gte=1), name="webform_field_page_positive"),
            models.CheckConstraint(condition=~Q(key=""), name="webform_field_key_required"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.form_id}:{self.key}"

    def label(self, language: str) -> str:
        return (self.label_en if language == "en" else "") or self.label_ja

    def help(self, language: str) -> str:
        return (self.help_en if language == "en" else "") or self.help_ja

    @property
    def limit(self) -> int:
        return self.max_length or DEFAULT_MAX_LENGTH.get(self.kind, TEXT_MAX_LENGTH)  # type: ignore[call-overload]

    def option_values(self) -> list[str]:
        return [str(o["value"]) for o in self.options]

    def row_values(self) -> list[str]:
        return [str(r["value"]) for r in self.rows]

    def scale(self) -> list[str]:
        """The values a rating or NPS question offers, as text."""
        if self.kind == FieldKind.RATING:
            return [str(i) for i in range(1, 6)]
        if self.kind == FieldKind.NPS:
            return [str(i) for i in range(11)]
        return []

    @staticmethod
    def choice_label(choice: dict[str, Any], language: str) -> str:
        return str(
            (choice.get("en") if language == "en" else "") or choice.get("ja") or choice["value"]
        )


class PurposeTextInUse(Exception):
    """A purpose-of-use text that consents reference is evidence: publish a new version."""


class PurposeText(models.Model):
    """The purpose-of-use text (利用目的) shown above consent checkboxes, versioned (LEG-APPI-1).

    Each consent recorded from a form references the version the visitor saw; a version that
    any submission references can no longer be changed or deleted.
    """

    version = models.PositiveIntegerField(_("version"), unique=True)
    text_ja = models.TextField(_("text (Japanese)"))
    text_en = models.TextField(_("text (English)"), blank=True)
    created_at = models.DateTimeField(_("published at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-version"]
        verbose_name = _("purpose-of-use text")
        verbose_name_plural = _("purpose-of-use texts")
        constraints = [
            models.CheckConstraint(condition=~Q(text_ja=""), name="webform_purpose_text_required"),
        ]

    def __str__(self) -> str:
        return f"v{self.version}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.is_used:
            raise PurposeTextInUse(self.label)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if self.is_used:
            raise PurposeTextInUse(self.label)
        return super().delete(*args, **kwargs)

    @property
    def label(self) -> str:
        return f"purpose-v{self.version}"

    def text(self, language: str) -> str:
        return (self.text_en if language == "en" else "") or self.text_ja

    @property
    def is_used(self) -> bool:
        return self.pk is not None and Submission.objects.filter(purpose=self).exists()


class SubmissionStatus(models.TextChoices):
    ACCEPTED = "accepted", _("Received")
    PENDING = "pending", _("Waiting for e-mail confirmation")
    CONFIRMED = "confirmed", _("Confirmed by e-mail")


class Submission(models.Model):
    """One accepted submission: who (if known), what they answered, and the consent shown."""

    form = models.ForeignKey(Form, on_delete=models.PROTECT, related_name="submissions")
    lead = models.ForeignKey(
        "leads.Lead",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="form_submissions",
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=SubmissionStatus.choices,
        default=SubmissionStatus.ACCEPTED,
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=5, default="ja")
    # What the timeline shows: {key: text}; the counted values are in Answer rows.
    answers = models.JSONField(_("answers"), default=dict)
    hidden = models.JSONField(_("hidden fields"), default=dict, blank=True)
    utm = models.JSONField(_("UTM parameters"), default=dict, blank=True)
    page_url = models.CharField(_("page"), max_length=500, blank=True)
    anonymous_id = models.CharField(_("anonymous id"), max_length=100, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=500, blank=True)
    # The consent checkbox as shown: its state, the exact text and the purpose text version.
    consent_given = models.BooleanField(_("consent given"), null=True, blank=True)
    consent_text = models.TextField(_("consent text shown"), blank=True)
    purpose = models.ForeignKey(
        PurposeText,
        verbose_name=_("purpose-of-use text"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="submissions",
    )

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        indexes = [
            models.Index(fields=["form", "-submitted_at"], name="webform_submission_form_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=SubmissionStatus.values), name="webform_submission_status"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.form_id}#{self.pk}"


class Answer(models.Model):
    """One counted value of one submission: a chosen option, a rating, a matrix cell, a text."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="answer_rows")
    field = models.ForeignKey(Field, on_delete=models.PROTECT, related_name="answer_rows")
    row = models.CharField(_("matrix row"), max_length=200, blank=True)
    value = models.CharField(_("value"), max_length=200, blank=True)
    text = models.TextField(_("text"), blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        indexes = [
            models.Index(fields=["field", "row", "value"], name="webform_answer_count_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.field_id}={self.value}"
