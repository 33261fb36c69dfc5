"""The keyed address hash kept on consent events (pure: settings, no models).

Separate from the actions so the import's helper process can hash addresses while it
normalizes rows, without loading the ledger's models.
"""

from __future__ import annotations

import hmac

from django.conf import settings

from kakehashi.lib import normalize


def address_hash(address: str) -> str:
    """A keyed hash of a normalized address: comparable forever, unreadable without the key."""
    key = settings.ADDRESS_HASH_KEY.encode()
    return hmac.digest(key, normalize.normalize_email(address).encode(), "sha256").hex()
