"""Sources, the raw event log, and the visitors (anonymous ids) stitched to leads.

Volume: `Event` is the high-volume table. It is narrow (ids, two timestamps, a few short
strings and the payload as sent), carries only the indexes its readers need, and anonymous
rows are purged after the retention period; only events of identified leads become timeline
activities. `DailyCount` keeps per-day outcome totals so counts never scan events.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class EventType(models.TextChoices):
    TRACK = "track", _("Track")
    IDENTIFY = "identify", _("Identify")
    PAGE = "page", _("Page")
    SCREEN = "screen", _("Screen")
    GROUP = "group", _("Group")
    ALIAS = "alias", _("Alias")


class Status(models.TextChoices):
    PENDING = "pending", _("Waiting")
    ANONYMOUS = "anonymous", _("Kept for an anonymous visitor")
    ATTRIBUTED = "attributed", _("On a lead's timeline")
    DROPPED = "dropped", pgettext_lazy("event status", "Dropped")


class DropReason(models.TextChoices):
    DISABLED_SOURCE = "disabled_source", _("Source disabled")
    BOT = "bot", _("Bot or crawler")
    BLOCKED_IP = "blocked_ip", _("Blocked IP address")
    INVALID_URL = "invalid_url", _("Invalid page URL")
    ERROR = "error", _("Processing error")


def generate_write_key() -> str:
    # Public by design (it ships in every page's HTML), but unguessable so nobody can
    # write into a source whose key they have not seen.
    return secrets.token_urlsafe(24)


class PayloadField(models.JSONField):
    """JSON kept as it was sent. On PostgreSQL a `json` column (validated text) rather than
    `jsonb`: cheaper to write on the ingestion hot path, and nothing queries inside it."""

    def db_type(self, connection: Any) -> str | None:
        if connection.vendor == "postgresql":
            return "json"
        return super().db_type(connection)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        # psycopg already decodes `json` columns; Django's jsonb path hands over text.
        if not isinstance(value, str):
            return value
        return super().from_db_value(value, expression, connection)

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if connection.vendor == "postgresql" and value is not None:
            return json.dumps(value, ensure_ascii=False, cls=self.encoder)
        return super().get_db_prep_value(value, connection, prepared)


class Source(models.Model):
    """A website or app that sends events, known by its public write key."""

    name = models.CharField(_("name"), max_length=100)
    write_key = models.CharField(_("write key"), max_length=64, unique=True)
    is_enabled = models.BooleanField(
        _("enabled"), default=True, help_text=_("Events of a disabled source are dropped.")
    )
    allowed_origins = models.TextField(
        _("allowed origins"),
        blank=True,
        help_text=_(
            "One per line, such as https://www.example.co.jp. Browsers may send events only "
            "from these sites."
        ),
    )
    blocked_ips = models.TextField(
        _("blocked IP addresses"),
        blank=True,
        help_text=_("One address or network per line, such as 203.0.113.0/24 (your office)."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    key_rotated_at = models.DateTimeField(_("key rotated at"), null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = pgettext_lazy("tracking source", "source")
        verbose_name_plural = _("sources")
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="tracking_source_name_required"),
            models.CheckConstraint(condition=~Q(write_key=""), name="tracking_source_key_required"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def origins(self) -> list[str]:
        return [
            line.strip().rstrip("/") for line in self.allowed_origins.splitlines() if line.strip()
        ]

    @property
    def blocked_networks(self) -> list[str]:
        return [line.strip() for line in self.blocked_ips.splitlines() if line.strip()]


class Intake(models.Model):
    """One accepted request, committed before the answer: the journal behind the front door.

    It keeps the body as received (after gunzip) with what the request itself said (time, IP,
    user agent, path); the processor validates it again, expands it into `Event` rows
    (deduplicated there by source and messageId) and deletes it. One narrow row per request,
    indexed by its key alone, keeps the hot path one small insert whatever the batch size.
    """

    id = models.BigAutoField(primary_key=True)
    # No index: the journal is read by id only, and every index costs the hot path. No
    # database constraint either: its check locks the source row on every request, and
    # concurrent requests share that lock (a multixact each time). Expansion drops the entries
    # of a source deleted meanwhile (storage.expand).
    source = models.ForeignKey(
        Source, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    received_at = models.DateTimeField()
    # The single-event path's type (track, page …); blank for /v1/batch.
    kind = models.CharField(max_length=10, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    body = models.BinaryField()

    class Meta:
        verbose_name = _("intake")
        verbose_name_plural = _("intake")

    def __str__(self) -> str:
        return f"intake {self.pk}"


class EventQuerySet(models.QuerySet["Event"]):
    def pending(self) -> EventQuerySet:
        return self.filter(status=Status.PENDING)

    def newest_first(self) -> EventQuerySet:
        return self.order_by("-id")


class Event(models.Model):
    """One event as a source sent it, with what processing made of it."""

    id = models.BigAutoField(primary_key=True)
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="events")
    message_id = models.CharField(_("message id"), max_length=100)
    type = models.CharField(_("type"), max_length=10, choices=EventType.choices)
    received_at = models.DateTimeField(_("received at"))
    # The client's timestamp corrected for its clock skew with sentAt (the Segment spec).
    occurred_at = models.DateTimeField(_("occurred at"))
    anonymous_id = models.CharField(_("anonymous id"), max_length=100, blank=True)
    user_id = models.CharField(_("user id"), max_length=100, blank=True)
    # The track event's name, or the page/screen name.
    name = models.CharField(_("name"), max_length=200, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    # properties, traits, context … as sent (each event is at most 32 KB).
    payload = PayloadField(default=dict, blank=True)
    status = models.CharField(
        _("outcome"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    drop_reason = models.CharField(
        _("drop reason"), max_length=20, choices=DropReason.choices, blank=True
    )
    lead = models.ForeignKey(
        "leads.Lead", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    processed_at = models.DateTimeField(null=True, blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            # REL-ING-2: a retried message is stored once (INSERT … ON CONFLICT DO NOTHING).
            models.UniqueConstraint(
                fields=["source", "message_id"], name="tracking_event_message_unique"
            ),
            models.CheckConstraint(
                condition=Q(type__in=EventType.values), name="tracking_event_type_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="tracking_event_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="dropped", drop_reason__gt="")
                | (~Q(status="dropped") & Q(drop_reason="")),
                name="tracking_event_dropped_has_reason",
            ),
        ]
        indexes = [
            # The debugger: a source's latest events.
            models.Index(fields=["source", "-id"], name="tracking_event_source_idx"),
            # Stitching: a visitor's earlier events when they identify.
            models.Index(fields=["source", "anonymous_id"], name="tracking_event_visitor_idx"),
            # The processor's queue stays small however large the table grows.
            models.Index(
                fields=["id"], condition=Q(status="pending"), name="tracking_event_pending_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.message_id}"


class Visitor(models.Model):
    """A browser or device (anonymous id) seen by a source, and the lead it identified as."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="visitors")
    anonymous_id = models.CharField(_("anonymous id"), max_length=100)
    lead = models.ForeignKey(
        "leads.Lead",
        verbose_name=_("lead"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="visitors",
    )
    first_seen_at = models.DateTimeField(_("first seen"))
    last_seen_at = models.DateTimeField(_("last seen"))
    identified_at = models.DateTimeField(_("identified at"), null=True, blank=True)
    # First touch, for showing anonymous traffic by where it came from (no IP database).
    utm_source = models.CharField(_("UTM source"), max_length=100, blank=True)
    utm_medium = models.CharField(_("UTM medium"), max_length=100, blank=True)
    utm_campaign = models.CharField(_("UTM campaign"), max_length=100, blank=True)
    referrer_domain = models.CharField(_("referrer"), max_length=200, blank=True)
    landing_url = models.CharField(_("landing page"), max_length=500, blank=True)

    class Meta:
        ordering = ["-last_seen_at", "-id"]
        verbose_name = _("visitor")
        verbose_name_plural = _("visitors")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "anonymous_id"], name="tracking_visitor_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["source", "-last_seen_at"], name="tracking_visitor_seen_idx"),
        ]

    def __str__(self) -> str:
        return self.anonymous_id

    @property
    def traffic_source(self) -> str:
        return self.utm_source or self.referrer_domain


class KnownUser(models.Model):
    """A userId a source sent (its own id for a person) and the lead it stands for."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="+")
    user_id = models.CharField(_("user id"), max_length=100)
    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("known user")
        verbose_name_plural = _("known users")
        constraints = [
            models.UniqueConstraint(fields=["source", "user_id"], name="tracking_knownuser_unique"),
        ]

    def __str__(self) -> str:
        return self.user_id


class DailyCount(models.Model):
    """How many of a source's events ended in one outcome on one day (drops by reason)."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="daily_counts")
    day = models.DateField()
    # 'attributed', 'anonymous' or 'dropped:<reason>'.
    outcome = models.CharField(max_length=40)
    count = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["-day", "outcome"]
        verbose_name = _("daily count")
        verbose_name_plural = _("daily counts")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "day", "outcome"], name="tracking_dailycount_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.outcome} {self.count}"
