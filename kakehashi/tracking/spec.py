"""The Segment HTTP Tracking API spec: reading request bodies and validating events.

Pure functions, no ORM, so the rules are tested in milliseconds. Limits as the spec: 32 KB
per event, 500 KB per batch request; a body that cannot be read at all is a `BadRequest`,
and each event that breaks a rule is rejected with its own reason while the others go on.
"""

from __future__ import annotations

import ipaddress
import json
import socket
import uuid
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

MAX_EVENT_BYTES = 32 * 1024
MAX_BATCH_BYTES = 500 * 1024
MAX_ID_LENGTH = 100
TYPES = ("track", "identify", "page", "screen", "group", "alias")
# Fields kept in the event's own columns; everything else is kept in the payload.
_ID_NAMESPACE = uuid.UUID("5d0f6a43-7c1e-4a8e-9b57-6b616b656861")
_COLUMNS = ("type", "messageId", "userId", "anonymousId", "timestamp", "sentAt", "writeKey")


class BadRequest(ValueError):
    """The request as a whole cannot be read (too large, not gzip, not JSON, not an object)."""


@dataclass
class Incoming:
    """One valid event, ready to store."""

    message_id: str
    type: str
    occurred_at: datetime
    anonymous_id: str
    user_id: str
    name: str
    ip: str | None
    user_agent: str
    payload: dict[str, Any]


@dataclass
class Rejected:
    index: int
    message_id: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"index": self.index, "messageId": self.message_id, "reason": self.reason}


@dataclass
class Parsed:
    events: list[Incoming] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    write_key: str = ""
    accepted: int = 0  # events that passed every check (kept in ``events`` unless check-only)


def decode_body(raw: bytes, *, content_encoding: str, limit: int) -> bytes:
    """The request body, gunzipped when the client says so, never more than ``limit`` bytes."""
    if content_encoding.strip().lower() != "gzip":
        if len(raw) > limit:
            raise BadRequest(_("The request is larger than %(kb)d KB.") % {"kb": limit // 1024})
        return raw
    # A small gzip body can inflate enormously: stop at the limit instead of trusting it.
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        body = inflater.decompress(raw, limit + 1)
    except zlib.error:
        raise BadRequest(_("The body is not valid gzip.")) from None
    if len(body) > limit or inflater.unconsumed_tail:
        raise BadRequest(_("The request is larger than %(kb)d KB.") % {"kb": limit // 1024})
    return body


def load_json(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise BadRequest(_("The body is not valid JSON.")) from None
    if not isinstance(data, dict):
        raise BadRequest(_("The body must be a JSON object."))
    return data


def parse_time(value: Any) -> datetime | None:
    """An ISO-8601 time as aware UTC; None when absent. Raises ValueError when unreadable."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError(value)
    parsed: datetime | None
    try:
        parsed = datetime.fromisoformat(value.strip())  # C, and it reads "Z" since 3.11
    except ValueError:
        parsed = parse_datetime(value.strip().replace(" ", "T", 1))
    if parsed is None:
        raise ValueError(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def corrected_time(
    timestamp: datetime | None, sent_at: datetime | None, received_at: datetime
) -> datetime:
    """timestamp = receivedAt − (sentAt − originalTimestamp): the client's clock skew removed.

    Without sentAt the client's timestamp is taken as is (historical imports); without a
    timestamp, the time it was received. Never later than it was received.
    """
    if timestamp is None:
        return received_at
    if sent_at is not None:
        timestamp = received_at - (sent_at - timestamp)
    return min(timestamp, received_at)


def _id(value: Any) -> str:
    if value is None:
        return ""
    if type(value) is str:  # the common case, first: one type check
        return _text(value)
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise TypeError(value)
    return _text(str(value))


def _text(value: str) -> str:
    # PostgreSQL text cannot hold NUL characters; JSON strings can.
    return value.replace("\x00", "").strip()


def _check(
    event: Any,
    *,
    forced_type: str | None,
    too_large: bool,
    sent_at: datetime | ValueError | None,
    received_at: datetime,
    id_seed: str,
    index: int,
    build: bool = True,
) -> Incoming | str | None:
    """The event as stored, or the reason it is rejected; None when it passes and ``build``
    is off (the front door only needs the verdict: every check comes before the building)."""
    if not isinstance(event, dict):
        return _("An event must be a JSON object.")
    if too_large:
        return _("The event is larger than 32 KB.")
    kind = forced_type or event.get("type")
    if kind not in TYPES:
        return _("The type must be one of: %(types)s.") % {"types": ", ".join(TYPES)}
    try:
        user_id, anonymous_id = _id(event.get("userId")), _id(event.get("anonymousId"))
        message_id = _id(event.get("messageId"))
    except TypeError:
        return _("userId, anonymousId and messageId must be strings or numbers.")
    if not (user_id or anonymous_id):
        return _("A userId or an anonymousId is required.")
    if max(len(user_id), len(anonymous_id), len(message_id)) > MAX_ID_LENGTH:
        return _("Ids must be at most 100 characters long.")
    for key in ("properties", "traits", "context", "integrations"):
        if event.get(key) is not None and not isinstance(event[key], dict):
            return _("%(field)s must be a JSON object.") % {"field": key}
    name = event.get("event") if kind == "track" else event.get("name")
    if kind == "track" and (not isinstance(name, str) or not name.strip()):
        return _("A track call needs an event name.")
    if kind == "alias" and not (user_id and _id_or_blank(event.get("previousId"))):
        return _("An alias call needs a userId and a previousId.")
    if kind == "group" and not _id_or_blank(event.get("groupId")):
        return _("A group call needs a groupId.")
    try:
        timestamp = parse_time(event.get("timestamp"))
        own_sent = event.get("sentAt")
        if own_sent:
            sent = parse_time(own_sent)
        elif isinstance(sent_at, ValueError):
            raise sent_at
        else:
            sent = sent_at
    except ValueError:
        return _("timestamp and sentAt must be ISO-8601 dates.")
    if not build:
        return None
    context = event.get("context") or {}
    payload = {k: v for k, v in event.items() if k not in _COLUMNS and v is not None}
    if kind != "track":
        payload.pop("event", None)
    return Incoming(
        message_id=message_id or server_message_id(id_seed, index),
        type=kind,
        occurred_at=corrected_time(timestamp, sent, received_at),
        anonymous_id=anonymous_id,
        user_id=user_id,
        name=_text(name)[:200] if isinstance(name, str) else "",
        ip=_ip(context.get("ip")),
        user_agent=_text(str(context.get("userAgent") or ""))[:300],
        payload=payload,
    )


def server_message_id(id_seed: str, index: int) -> str:
    if id_seed:
        return str(uuid.uuid5(_ID_NAMESPACE, f"{id_seed}:{index}"))
    return str(uuid.uuid4())


def _id_or_blank(value: Any) -> str:
    try:
        return _id(value)
    except TypeError:
        return ""


def _ip(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            socket.inet_pton(family, value)  # C: the hot path checks many of these
        except OSError:
            continue
        return value if family == socket.AF_INET else str(ipaddress.ip_address(value))
    return None


def oversized(item: Any) -> bool:
    """Whether an event is larger than 32 KB as UTF-8 JSON. Its ASCII form (escapes only
    lengthen it, and it needs no encoding step) settles every event well under the limit."""
    if len(json.dumps(item)) <= MAX_EVENT_BYTES:
        return False
    return len(json.dumps(item, ensure_ascii=False).encode()) > MAX_EVENT_BYTES


def parse(
    data: dict[str, Any],
    *,
    path_type: str | None,
    body_size: int,
    received_at: datetime,
    id_seed: str = "",
    build: bool = True,
) -> Parsed:
    """Validate a decoded body: one event (``path_type`` set) or a batch ({"batch": [...]}).

    With ``build`` off only the verdicts are kept (``accepted`` and ``rejected``): the front
    door stores the body as received and the processor builds the events from it later.

    Events without a messageId get one from the server: random, or derived from ``id_seed``
    and the event's position, so that parsing the same journal entry twice assigns the same.
    """
    key = data.get("writeKey")
    parsed = Parsed(write_key=key if isinstance(key, str) else "")
    if path_type is not None:
        items, shared_context, sent_at = [data], None, data.get("sentAt")
    else:
        batch = data.get("batch")
        if not isinstance(batch, list):
            raise BadRequest(_("A batch request needs a 'batch' list."))
        items = batch
        shared_context = data.get("context") if isinstance(data.get("context"), dict) else None
        sent_at = data.get("sentAt")
    # A body under 32 KB cannot hold an event over 32 KB: measure only when it could.
    measure = body_size > MAX_EVENT_BYTES
    # The request's sentAt, read once for all its events (each may carry its own).
    shared_sent: datetime | ValueError | None
    try:
        shared_sent = parse_time(sent_at)
    except ValueError as exc:
        shared_sent = exc
    for index, item in enumerate(items):
        if shared_context and isinstance(item, dict):
            item = {**item, "context": {**shared_context, **(item.get("context") or {})}}
        result = _check(
            item,
            forced_type=path_type,
            too_large=measure and oversized(item),
            sent_at=shared_sent,
            received_at=received_at,
            id_seed=id_seed,
            index=index,
            build=build,
        )
        if isinstance(result, str):
            message_id = item.get("messageId") if isinstance(item, dict) else None
            parsed.rejected.append(
                Rejected(index, str(message_id)[:100] if message_id else "", result)
            )
        else:
            parsed.accepted += 1
            if result is not None:
                parsed.events.append(result)
    return parsed
