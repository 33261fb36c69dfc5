"""Who may see and manage tracking sources (the shared rules live in accounts.permissions)."""

from __future__ import annotations

from typing import Any

from kakehashi.accounts import permissions
from kakehashi.accounts.models import Function


def can_view_sources(user: Any) -> bool:
    """Every internal user sees sources, their debugger and visitors: sharing is the point."""
    return permissions.can_read(user)


def can_manage_sources(user: Any) -> bool:
    """Marketing runs the website tags; admins run everything."""
    if not permissions.can_read(user):
        return False
    return bool(user.is_admin or user.function == Function.MARKETING)
