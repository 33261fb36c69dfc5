"""What happens to a stored event before it reaches a visitor or a lead: a named list of steps.

Each step either enriches the message or drops it with a reason (Plausible's ingestion,
in miniature). Pure: the processor hands in plain values and applies the result.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from kakehashi.lib import normalize

from .models import DropReason

BOT_RE = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|headlesschrome|phantomjs|facebookexternalhit|lighthouse"
    r"|pingdom|bingpreview|mediapartners|python-requests|go-http-client|wget",
    re.IGNORECASE,
)
UTM_FIELDS = ("source", "medium", "campaign", "term", "content")


@dataclass(frozen=True)
class SourceRules:
    enabled: bool
    blocked_networks: tuple[str, ...] = ()


@dataclass
class Message:
    type: str
    name: str
    payload: dict[str, Any]
    user_id: str = ""
    ip: str | None = None
    user_agent: str = ""
    # Filled in by the steps.
    url: str = ""
    title: str = ""
    referrer: str = ""
    referrer_domain: str = ""
    campaign: dict[str, str] = field(default_factory=dict)
    email: str = ""
    traits: dict[str, Any] = field(default_factory=dict)

    @property
    def properties(self) -> dict[str, Any]:
        value = self.payload.get("properties")
        return value if isinstance(value, dict) else {}

    @property
    def context(self) -> dict[str, Any]:
        value = self.payload.get("context")
        return value if isinstance(value, dict) else {}


Step = Callable[[Message, SourceRules], str | None]


def disabled_source(message: Message, rules: SourceRules) -> str | None:
    return None if rules.enabled else DropReason.DISABLED_SOURCE


def bot(message: Message, rules: SourceRules) -> str | None:
    return DropReason.BOT if BOT_RE.search(message.user_agent) else None


def blocked_ip(message: Message, rules: SourceRules) -> str | None:
    if not message.ip or not rules.blocked_networks:
        return None
    address = ipaddress.ip_address(message.ip)
    for network in rules.blocked_networks:
        try:
            if address in ipaddress.ip_network(network, strict=False):
                return DropReason.BLOCKED_IP
        except ValueError:  # a typo in the settings blocks nothing rather than everything
            continue
    return None


def page_fields(message: Message, rules: SourceRules) -> str | None:
    """URL, title and referrer from properties (analytics.js) or context.page."""
    page = message.context.get("page")
    page = page if isinstance(page, dict) else {}
    props = message.properties
    message.url = _text(props.get("url") or page.get("url"))
    message.title = _text(props.get("title") or page.get("title") or message.name)
    message.referrer = _text(props.get("referrer") or page.get("referrer"))
    return None


def invalid_url(message: Message, rules: SourceRules) -> str | None:
    for value in (message.url, message.referrer):
        if value and not _is_web_url(value):
            return DropReason.INVALID_URL
    return None


def campaign(message: Message, rules: SourceRules) -> str | None:
    """UTM parameters from context.campaign, else from the page URL's query string."""
    given = message.context.get("campaign")
    if isinstance(given, dict):
        # The spec calls the campaign "name" inside context.campaign (utm_campaign).
        given = {**given, "campaign": given.get("campaign") or given.get("name")}
        message.campaign = {k: _text(given.get(k))[:100] for k in UTM_FIELDS if _text(given.get(k))}
    if not message.campaign and message.url:
        query = parse_qs(urlsplit(message.url).query)
        message.campaign = {
            k: query[f"utm_{k}"][0][:100] for k in UTM_FIELDS if query.get(f"utm_{k}")
        }
    return None


def referrer(message: Message, rules: SourceRules) -> str | None:
    if message.referrer:
        message.referrer_domain = urlsplit(message.referrer).hostname or ""
        message.referrer_domain = message.referrer_domain.removeprefix("www.")[:200]
    return None


def identity(message: Message, rules: SourceRules) -> str | None:
    """Traits (identify's own, or context.traits) and a normalized e-mail address."""
    traits = message.payload.get("traits")
    if not isinstance(traits, dict):
        traits = message.context.get("traits")
    message.traits = traits if isinstance(traits, dict) else {}
    email = normalize.normalize_email(_text(message.traits.get("email")))
    if not email and "@" in message.user_id:
        email = normalize.normalize_email(message.user_id)
    message.email = email if _looks_like_email(email) else ""
    return None


STEPS: list[tuple[str, Step]] = [
    ("disabled_source", disabled_source),
    ("bot", bot),
    ("blocked_ip", blocked_ip),
    ("page_fields", page_fields),
    ("invalid_url", invalid_url),
    ("campaign", campaign),
    ("referrer", referrer),
    ("identity", identity),
]


def run(message: Message, rules: SourceRules) -> str | None:
    """Apply every step in order; the first drop reason wins (None: keep the event)."""
    for _name, step in STEPS:
        reason = step(message, rules)
        if reason:
            return str(reason)
    return None


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _is_web_url(value: str) -> bool:
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _looks_like_email(value: str) -> bool:
    return bool(_EMAIL_RE.match(value)) and len(value) <= 254
