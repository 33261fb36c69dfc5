"""Who may change hand-off settings (managers and admins) and act on a hand-off."""

from __future__ import annotations

from typing import Any

from kakehashi.accounts import permissions


def can_configure(user: Any) -> bool:
    return bool(permissions.can_read(user) and user.is_manager_or_admin)
