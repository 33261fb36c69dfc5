"""The keyed address hash kept on consent events (pure: settings, no models).

Separate from the actions so the import's helper process can hash addresses while it
normalizes rows, without loading the ledger's models.
"""

from __future__ import annotations

import functools
import hashlib
import hmac

from django.conf import settings

from kakehashi.lib import normalize


def address_hash(address: str) -> str:
    """A keyed hash of a normalized address: comparable forever, unreadable without the key."""
    return clean_address_hash(hash_key_bytes(), normalize.normalize_email(address))


def hash_key_bytes() -> bytes:
    return settings.ADDRESS_HASH_KEY.encode()


def clean_address_hash(key: bytes, address: str) -> str:
    """`address_hash` of an address already normalized, with the key as bytes (bulk use)."""
    keyed = _keyed(key).copy()  # the key's pads hashed once, not once per address
    keyed.update(address.encode())
    return keyed.hexdigest()


@functools.lru_cache(maxsize=4)
def _keyed(key: bytes) -> hmac.HMAC:
    return hmac.new(key, digestmod=hashlib.sha256)
