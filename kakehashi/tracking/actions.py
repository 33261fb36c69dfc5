"""Sources, storing events (the front door) and processing them (identity stitching).

The front door only stores: `store_request` commits the validated request to the intake
journal before the endpoint answers (REL-ING-1). Everything else happens behind it, in
`process_pending`: expanding the journal into events deduplicated by (source, messageId) with
INSERT … ON CONFLICT DO NOTHING (REL-ING-2), the pipeline's steps, visitors, identify, and the
timeline activities of identified leads.
"""

from __future__ import annotations

import logging
import re
import time
from collections import Counter
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.utils import timezone

from kakehashi.leads import actions as lead_actions
from kakehashi.leads.models import Company, Lead, LeadSource
from kakehashi.lib import normalize
from kakehashi.timeline.actions import record
from kakehashi.timeline.models import Department

from . import pipeline, storage
from .models import DailyCount, Event, EventType, KnownUser, Source, Status, Visitor
from .models import generate_write_key as _new_key

if TYPE_CHECKING:
    from kakehashi.accounts.models import User

log = logging.getLogger(__name__)

# Free-mail domains say nothing about the company a lead works for.
FREE_MAIL = frozenset(
    {
        "gmail.com", "googlemail.com", "yahoo.co.jp", "yahoo.com", "ymail.ne.jp",
        "hotmail.com", "hotmail.co.jp", "outlook.com", "outlook.jp", "live.jp", "live.com",
        "msn.com", "icloud.com", "me.com", "mac.com", "aol.com", "proton.me", "protonmail.com",
        "docomo.ne.jp", "ezweb.ne.jp", "au.com", "softbank.ne.jp", "i.softbank.jp",
        "nifty.com", "biglobe.ne.jp", "ocn.ne.jp", "so-net.ne.jp", "example.com",
    }
)  # fmt: skip
SCHEDULE_EVERY = 1.0  # seconds, per web process
_next_schedule = 0.0


class SourceNameRequired(ValueError):
    """A source needs a name."""


# --- sources ---------------------------------------------------------------------------------


@transaction.atomic
def create_source(
    *,
    name: str,
    actor: User | None,
    now: datetime,
    allowed_origins: str = "",
    blocked_ips: str = "",
) -> Source:
    name = normalize.clean(name)[:100]
    if not name:
        raise SourceNameRequired()
    source = Source.objects.create(
        name=name,
        write_key=_new_key(),
        allowed_origins=allowed_origins,
        blocked_ips=blocked_ips,
        created_by=actor,
        created_at=now,
    )
    forget_source(source.write_key)
    record(
        kind="source.created",
        actor=actor,
        occurred_at=now,
        data={"source_id": source.pk, "name": source.name},
    )
    return source


@transaction.atomic
def update_source(
    *, source: Source, actor: User | None, changes: Mapping[str, Any], now: datetime
) -> Source:
    diff = {
        field: [getattr(source, field), value]
        for field, value in changes.items()
        if getattr(source, field) != value
    }
    if not diff:
        return source
    for field, (_old, value) in diff.items():
        setattr(source, field, value)
    source.save()
    forget_source(source.write_key)
    record(
        kind="source.updated",
        actor=actor,
        occurred_at=now,
        data={"source_id": source.pk, "name": source.name, "changes": diff},
    )
    return source


@transaction.atomic
def rotate_write_key(*, source: Source, actor: User | None, now: datetime) -> Source:
    """A new write key; the old one stops working (on every web process within seconds)."""
    old = source.write_key
    source.write_key = _new_key()
    source.key_rotated_at = now
    source.save(update_fields=["write_key", "key_rotated_at"])
    forget_source(old)
    record(
        kind="source.key_rotated",
        actor=actor,
        occurred_at=now,
        data={"source_id": source.pk, "name": source.name},
    )
    return source


def forget_source(write_key: str) -> None:
    from . import sources

    sources.forget(write_key)


# --- the front door --------------------------------------------------------------------------


def store_request(
    *,
    source_id: int,
    body: bytes,
    kind: str | None,
    received_at: datetime,
    ip: str | None = None,
    user_agent: str = "",
) -> None:
    """Commit a validated request to the intake journal (REL-ING-1); processing (expansion
    into deduplicated events, then the pipeline) is scheduled for after the commit.

    Not wrapped in a transaction of its own: the journal write is one statement (atomic by
    itself, committed when it returns in autocommit mode), which saves the BEGIN and COMMIT
    round trips on the hot path. Inside a caller's transaction it commits with it.
    """
    storage.journal(
        source_id=source_id,
        body=body,
        kind=kind,
        received_at=received_at,
        ip=ip,
        user_agent=user_agent,
    )
    transaction.on_commit(schedule_processing)


def schedule_processing() -> None:
    """Ask a worker to process pending events, at most once a second per web process.

    A clock check in this process, not a cache entry: the hot path makes no round trip for it
    (with Redis as the cache it would be one per request)."""
    global _next_schedule
    from huey.contrib.djhuey import HUEY

    from . import tasks

    try:
        if HUEY.immediate:
            tasks.process_events()
            return
        clock = time.monotonic()
        if clock < _next_schedule:
            return
        _next_schedule = clock + SCHEDULE_EVERY
        # The delay lets the requests of the next second land first: one task for many.
        tasks.process_events.schedule(delay=1)
    except Exception:  # the events are committed; the periodic sweep will process them
        log.exception("could not schedule event processing")


# --- processing ------------------------------------------------------------------------------


def process_pending(*, now: datetime, limit: int = 500) -> int:
    """Expand journal rows into events, then process up to ``limit`` pending events, oldest
    first; returns how much was done (0: nothing left)."""
    expanded = storage.expand(limit=50)
    with transaction.atomic():
        claimed = Event.objects.pending().order_by("id").select_for_update(skip_locked=True)
        events = list(claimed.select_related("source")[:limit])
        counts: Counter[tuple[int, Any, str]] = Counter()
        for event in events:
            outcome = _process(event, now)
            counts[(event.source_id, timezone.localdate(event.received_at), outcome)] += 1
        _add_counts(counts)
    return expanded + len(events)


def _process(event: Event, now: datetime) -> str:
    try:
        with transaction.atomic():
            return _process_one(event, now)
    except Exception:  # one bad event must not stop the queue behind it
        log.exception("tracking event %s failed", event.pk)
        Event.objects.filter(pk=event.pk).update(
            status=Status.DROPPED, drop_reason="error", processed_at=now
        )
        return "dropped:error"


def _message(event: Event) -> pipeline.Message:
    return pipeline.Message(
        type=event.type,
        name=event.name,
        payload=event.payload if isinstance(event.payload, dict) else {},
        user_id=event.user_id,
        ip=event.ip,
        user_agent=event.user_agent,
    )


def _rules(source: Source) -> pipeline.SourceRules:
    return pipeline.SourceRules(
        enabled=source.is_enabled, blocked_networks=tuple(source.blocked_networks)
    )


def _process_one(event: Event, now: datetime) -> str:
    message = _message(event)
    reason = pipeline.run(message, _rules(event.source))
    event.processed_at = now
    if reason:
        event.status, event.drop_reason = Status.DROPPED, reason
        event.save(update_fields=["status", "drop_reason", "processed_at"])
        return f"dropped:{reason}"
    visitor = _see_visitor(event, message) if event.anonymous_id else None
    lead = _lead_for(event, message, visitor, now)
    if lead is not None:
        _record_activity(event, message, lead)
        event.lead, event.status = lead, Status.ATTRIBUTED
    else:
        event.status = Status.ANONYMOUS
    event.save(update_fields=["status", "lead", "processed_at"])
    return str(event.status)


def _see_visitor(event: Event, message: pipeline.Message) -> Visitor:
    visitor, created = Visitor.objects.get_or_create(
        source_id=event.source_id,
        anonymous_id=event.anonymous_id,
        defaults={
            "first_seen_at": event.occurred_at,
            "last_seen_at": event.occurred_at,
            "utm_source": message.campaign.get("source", ""),
            "utm_medium": message.campaign.get("medium", ""),
            "utm_campaign": message.campaign.get("campaign", ""),
            "referrer_domain": message.referrer_domain,
            "landing_url": message.url[:500],
        },
    )
    if not created and event.occurred_at > visitor.last_seen_at:
        Visitor.objects.filter(pk=visitor.pk).update(last_seen_at=event.occurred_at)
        visitor.last_seen_at = event.occurred_at
    return visitor


def _lead_for(
    event: Event, message: pipeline.Message, visitor: Visitor | None, now: datetime
) -> Lead | None:
    """The lead this event belongs to; identify and alias link ids to leads on the way."""
    known = _known_user_lead(event.source_id, event.user_id)
    if event.type == EventType.IDENTIFY:
        lead = known or _lead_by_traits(event, message, visitor, now)
        if lead is not None:
            _remember_user(event.source_id, event.user_id, lead, now)
            if visitor is not None:
                link_visitor(visitor=visitor, lead=lead, now=now)
        return lead
    if event.type == EventType.ALIAS:
        previous = str(event.payload.get("previousId") or "")[:100]
        lead = known or _known_user_lead(event.source_id, previous)
        old_visitor = Visitor.objects.filter(
            source_id=event.source_id, anonymous_id=previous
        ).first()
        if lead is None and old_visitor is not None:
            lead = old_visitor.lead
        if lead is not None:
            _remember_user(event.source_id, event.user_id, lead, now)
            if old_visitor is not None:
                link_visitor(visitor=old_visitor, lead=lead, now=now)
        return lead
    if known is not None:
        return known
    return visitor.lead if visitor is not None and visitor.lead_id else None


def _known_user_lead(source_id: int, user_id: str) -> Lead | None:
    if not user_id:
        return None
    link = KnownUser.objects.filter(source_id=source_id, user_id=user_id).select_related("lead")
    found = link.first()
    return found.lead if found is not None else None


def _remember_user(source_id: int, user_id: str, lead: Lead, now: datetime) -> None:
    # The first lead a userId was identified as stays: a site's user id is stable.
    if user_id:
        KnownUser.objects.get_or_create(
            source_id=source_id, user_id=user_id, defaults={"lead": lead, "created_at": now}
        )


def _lead_by_traits(
    event: Event, message: pipeline.Message, visitor: Visitor | None, now: datetime
) -> Lead | None:
    """The lead with this e-mail address, created when new. A known lead always wins: the
    public's traits fill blanks on a new lead, never overwrite what staff know."""
    if not message.email:
        return None
    lead = Lead.objects.filter(email=message.email).select_related("company").first()
    if lead is None:
        try:
            lead = lead_actions.create_lead(
                actor=None, fields=_new_lead_fields(event, message, visitor), now=now
            )
        except lead_actions.LeadEmailTaken:  # identified at the same moment elsewhere
            lead = Lead.objects.get(email=message.email)
    if lead.company_id is None:
        company = _company_for_domain(message.email)
        if company is not None:
            lead = lead_actions.update_lead(
                lead=lead, actor=None, changes={"company": company}, now=now
            )
    return lead


def _company_for_domain(email: str) -> Company | None:
    domain = normalize.domain_of(email)
    if not domain or domain in FREE_MAIL:
        return None
    return Company.objects.filter(domain=domain).order_by("pk").first()


def _new_lead_fields(
    event: Event, message: pipeline.Message, visitor: Visitor | None
) -> dict[str, Any]:
    traits = message.traits
    fields: dict[str, Any] = {"email": message.email, "source": LeadSource.WEB}
    last, first = _trait(traits, "lastName", "last_name"), _trait(traits, "firstName", "first_name")
    if not (last or first):
        last, first = _split_name(_trait(traits, "name"))
    fields.update({"last_name": last[:100], "first_name": first[:100]})
    phone = _trait(traits, "phone")
    if phone:
        fields["phone"] = phone[:40]
    title = _trait(traits, "title")
    if title:
        fields["title"] = title[:100]
    company = traits.get("company")
    company_name = (
        _trait(company, "name") if isinstance(company, dict) else _trait(traits, "company")
    )
    if _company_for_domain(message.email) is None and company_name:
        fields["company_name"] = company_name[:200]
    touch = visitor or Visitor(
        utm_source=message.campaign.get("source", ""), referrer_domain=message.referrer_domain
    )
    first_touch = (
        " / ".join(v for v in (touch.utm_source, touch.utm_campaign) if v)
        or touch.referrer_domain
        or touch.landing_url
    )
    if first_touch:
        fields["first_touch"] = first_touch[:200]
        fields["first_touch_at"] = touch.first_seen_at or event.occurred_at
    return fields


def _trait(traits: Any, *names: str) -> str:
    if not isinstance(traits, dict):
        return ""
    for name in names:
        value = traits.get(name)
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
            return normalize.clean(value)
    return ""


def _split_name(name: str) -> tuple[str, str]:
    """(last, first): '山田 太郎' is family-first, 'Jane Doe' given-first."""
    if " " not in name:
        return name, ""
    head, tail = name.split(" ", 1)
    return (head, tail) if normalize.has_cjk(name) else (tail, head)


@transaction.atomic
def link_anonymous_id(*, source: Source, anonymous_id: str, lead: Lead, now: datetime) -> Visitor:
    """For other apps (form submissions, e-mail clicks): this browser is ``lead``."""
    visitor, _created = Visitor.objects.get_or_create(
        source=source,
        anonymous_id=anonymous_id[:100],
        defaults={"first_seen_at": now, "last_seen_at": now},
    )
    link_visitor(visitor=visitor, lead=lead, now=now)
    return visitor


@transaction.atomic
def link_visitor(*, visitor: Visitor, lead: Lead, now: datetime) -> None:
    """Identify an anonymous visitor as ``lead``.

    The first time, the visitor's earlier events join the lead's timeline. Identified later
    as someone else (a shared computer), the visitor follows the new lead from now on and the
    first lead keeps what was already theirs: histories never mix.
    """
    if visitor.lead_id == lead.pk:
        return
    first_time = visitor.lead_id is None
    visitor.lead, visitor.identified_at = lead, now
    visitor.save(update_fields=["lead", "identified_at"])
    joined = _attach_earlier_events(visitor, lead) if first_time else 0
    record(
        kind="visitor.identified",
        lead=lead,
        department=Department.MARKETING,
        occurred_at=now,
        data={
            "source": visitor.source.name,
            "anonymous_id": visitor.anonymous_id,
            "earlier_events": joined,
            "traffic_source": visitor.traffic_source,
            "shared_device": not first_time,
        },
    )


def _attach_earlier_events(visitor: Visitor, lead: Lead) -> int:
    earlier = Event.objects.filter(
        source_id=visitor.source_id,
        anonymous_id=visitor.anonymous_id,
        status=Status.ANONYMOUS,
        lead__isnull=True,
    ).select_related("source")
    count = 0
    for event in earlier.order_by("id").iterator(chunk_size=500):
        message = _message(event)
        pipeline.run(message, pipeline.SourceRules(enabled=True))
        _record_activity(event, message, lead)
        count += 1
    earlier.update(lead=lead, status=Status.ATTRIBUTED)
    return count


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")[:40]


def activity_kind(event_type: str, name: str) -> str | None:
    """page.viewed, screen.viewed, track.<event_name_slug>; None for identify/group/alias."""
    if event_type == EventType.PAGE:
        return "page.viewed"
    if event_type == EventType.SCREEN:
        return "screen.viewed"
    if event_type == EventType.TRACK:
        slug = _slug(name)
        return f"track.{slug}" if slug and slug[0].isalpha() else "track.custom"
    return None


def _record_activity(event: Event, message: pipeline.Message, lead: Lead) -> None:
    kind = activity_kind(event.type, event.name)
    if kind is None:
        return
    data: dict[str, Any] = {"source": event.source.name, "message_id": event.message_id}
    if event.type == EventType.TRACK:
        data.update({"event": event.name, "properties": message.properties})
    else:
        data["title"] = message.title or event.name
    data.update(
        {
            k: v
            for k, v in (
                ("url", message.url),
                ("referrer", message.referrer),
                ("utm", message.campaign),
            )
            if v
        }
    )
    record(
        kind=kind,
        lead=lead,
        department=Department.MARKETING,
        occurred_at=event.occurred_at,
        data=data,
        idempotency_key=f"tracking:{event.source_id}:{event.message_id}",
    )


def _add_counts(counts: Counter[tuple[int, Any, str]]) -> None:
    if not counts:
        return
    table = connection.ops.quote_name(DailyCount._meta.db_table)
    # One upsert per outcome; both SQLite and PostgreSQL speak ON CONFLICT … DO UPDATE.
    sql = (
        f"INSERT INTO {table} (source_id, day, outcome, count) VALUES (%s, %s, %s, %s) "
        f"ON CONFLICT (source_id, day, outcome) DO UPDATE SET count = {table}.count + EXCLUDED.count"
    )
    with connection.cursor() as cursor:
        cursor.executemany(
            sql, [(source, day, outcome, n) for (source, day, outcome), n in counts.items()]
        )


def drop_counts(source: Source, *, since: Any) -> list[tuple[str, int]]:
    """Dropped events per reason since a day, most first (reads the daily summary)."""
    rows = DailyCount.objects.filter(source=source, day__gte=since, outcome__startswith="dropped:")
    totals: Counter[str] = Counter()
    for outcome, count in rows.values_list("outcome", "count"):
        totals[outcome.split(":", 1)[1]] += count
    return totals.most_common()


# --- retention -------------------------------------------------------------------------------


def purge_expired(*, now: datetime, retention_days: int, batch: int = 5000) -> int:
    """Delete processed events and never-identified visitors past the retention period.

    What an identified lead did stays on their timeline (the activities); the raw rows are
    only the intake log, and the dedup window is the retention period.
    """
    cutoff = now - timedelta(days=retention_days)
    deleted = 0
    while True:
        ids = list(
            Event.objects.filter(received_at__lt=cutoff)
            .exclude(status=Status.PENDING)
            .values_list("id", flat=True)[:batch]
        )
        if not ids:
            break
        deleted += Event.objects.filter(id__in=ids).delete()[0]
    Visitor.objects.filter(lead__isnull=True, last_seen_at__lt=cutoff).delete()
    return deleted
