from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Action(models.TextChoices):
    GRANT = "grant", _("Granted")
    WITHDRAW = "withdraw", _("Withdrawn")
    REFUSE = "refuse", _("Refused")


class Method(models.TextChoices):
    WEB_FORM = "web_form", _("Web form")
    PAPER = "paper", _("Paper form")
    BUSINESS_CARD = "business_card", _("Business card")
    IMPORT = "import", _("Import")
    API = "api", _("API")
    STAFF = "staff", _("Recorded by staff")
    UNSUBSCRIBE = "unsubscribe", _("Unsubscribe link")


class Basis(models.TextChoices):
    """Why marketing mail may be sent (特定電子メール法): consent, or one of its exemptions."""

    CONSENT = "consent", _("Opt-in consent")
    BUSINESS_CARD = "business_card", _("Exemption: address given on a business card")
    CUSTOMER = "customer", _("Exemption: existing business relationship")
    PUBLISHED = "published", _("Exemption: address published for business")
    NONE = "none", _("No basis")


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    POST = "post", _("Post")


class AppendOnly(Exception):
    """Consent evidence is never changed or deleted in place (LEG-JP-1, LEG-JP-4)."""


class ConsentEvent(models.Model):
    """One grant, withdrawal or refusal of consent, with its evidence; append-only (LEG-JP-1)."""

    lead = models.ForeignKey(
        "leads.Lead",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="consent_events",
        db_index=False,  # the (lead, channel, occurred_at) index serves lead lookups
    )
    # The normalized address at the time, and a keyed hash of it that survives erasure.
    address = models.CharField(
        pgettext_lazy("e-mail address", "address"), max_length=254, blank=True
    )
    address_hash = models.CharField(max_length=64, blank=True)
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.EMAIL
    )
    purpose = models.CharField(_("purpose"), max_length=50, default="marketing")
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    method = models.CharField(_("method"), max_length=20, choices=Method.choices)
    basis = models.CharField(_("basis"), max_length=20, choices=Basis.choices)
    text = models.TextField(_("text shown"), blank=True)
    text_version = models.CharField(_("text version"), max_length=50, blank=True)
    source = models.CharField(
        pgettext_lazy("where consent was given", "source"), max_length=500, blank=True
    )
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=500, blank=True)
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("consent event")
        verbose_name_plural = _("consent events")
        indexes = [
            models.Index(fields=["lead", "channel", "occurred_at"], name="consent_lead_idx"),
            # Equality lookups only: a Meta index, so PostgreSQL gets no second LIKE index.
            models.Index(fields=["address_hash"], name="consent_address_hash_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=Action.values), name="consent_action_valid"
            ),
            models.CheckConstraint(condition=Q(basis__in=Basis.values), name="consent_basis_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.channel} ({self.basis}) @ {self.occurred_at:%Y-%m-%d}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Merges and erasure move or anonymize rows with queryset updates; nothing edits one.
        if self.pk is not None:
            raise AppendOnly("consent events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnly("consent events are never deleted")
