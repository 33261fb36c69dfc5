"""Write key → source, cached per process for a few seconds.

Every ingestion request needs its source; a short-lived cache saves a query per request.
After a rotation or a settings change every process sees the new state within TTL seconds.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from .models import Source

TTL = 5.0


@dataclass(frozen=True)
class SourceInfo:
    id: int
    enabled: bool
    origins: frozenset[str]


_lock = threading.Lock()
_by_key: dict[str, tuple[float, SourceInfo | None]] = {}
_origins: tuple[float, frozenset[str]] | None = None


def by_write_key(write_key: str) -> SourceInfo | None:
    if not write_key:
        return None
    now = time.monotonic()
    cached = _by_key.get(write_key)
    if cached is not None and cached[0] > now:
        return cached[1]
    source = Source.objects.filter(write_key=write_key).first()
    info = SourceInfo(source.pk, source.is_enabled, frozenset(source.origins)) if source else None
    with _lock:
        if len(_by_key) > 10_000:  # unknown keys must not grow the cache without bound
            _by_key.clear()
        _by_key[write_key] = (now + TTL, info)
    return info


def any_allows(origin: str) -> bool:
    """Whether some source accepts browsers from ``origin`` (CORS preflights carry no key)."""
    global _origins
    now = time.monotonic()
    if _origins is None or _origins[0] <= now:
        allowed: set[str] = set()
        for text in Source.objects.values_list("allowed_origins", flat=True):
            allowed.update(line.strip().rstrip("/") for line in text.splitlines() if line.strip())
        _origins = (now + TTL, frozenset(allowed))
    return origin in _origins[1]


def forget(write_key: str = "") -> None:
    global _origins
    with _lock:
        if write_key:
            _by_key.pop(write_key, None)
        else:
            _by_key.clear()
        _origins = None
