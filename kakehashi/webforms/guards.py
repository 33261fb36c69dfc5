"""Public endpoint hygiene: redirect allowlist (SEC-REDIR-1), per-IP rate limit, size limits.

The honeypot and the time-to-submit check live with the public form (`public_form.py`) and the
form token (`tokens.py`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache

if TYPE_CHECKING:
    from .models import Form

# The whole request body; a long survey with every free-text box full stays well below.
MAX_BODY_BYTES = 64 * 1024
RATE_WINDOW_SECONDS = 600
# A visible-to-nobody input: people leave it empty, form-filling bots do not.
HONEYPOT = "website"


def redirect_hosts(form: Form) -> set[str]:
    """Hosts a form may send visitors to: this server, the allowlist and the form's own site."""
    hosts = {urlsplit(settings.BASE_URL).hostname or ""}
    hosts.update(h.strip().lower() for h in settings.WEBFORMS_REDIRECT_HOSTS if h.strip())
    if form.tracking_source_id and form.tracking_source is not None:
        hosts.update(urlsplit(o).hostname or "" for o in form.tracking_source.origins)
    hosts.discard("")
    return hosts


def is_allowed_redirect(url: str, hosts: set[str]) -> bool:
    """An absolute http(s) URL on one of ``hosts`` (SEC-REDIR-1); nothing else."""
    if not url or any(c in url for c in "\\\r\n\t\x00") or url != url.strip():
        return False
    try:
        parts = urlsplit(url)
        port = parts.port  # noqa: F841 - raises on a malformed port
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or parts.username or parts.password:
        return False
    return (parts.hostname or "").lower() in hosts


def within_rate(ip: str | None) -> bool:
    """Count one attempt from ``ip``; False once it made more than the limit in the window.

    Django's cache: per process with the default local-memory cache, shared between every web
    process once KAKEHASHI_REDIS_URL is set.
    """
    key = f"webforms:rate:{ip or 'unknown'}"
    cache.add(key, 0, RATE_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, RATE_WINDOW_SECONDS)
        count = 1
    return count <= settings.WEBFORMS_RATE_LIMIT
