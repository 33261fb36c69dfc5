"""Who may change scoring: marketing owns the rules; managers and admins may too."""

from __future__ import annotations

from typing import Any

from kakehashi.accounts import permissions
from kakehashi.accounts.models import Function


def can_edit(user: Any) -> bool:
    if not permissions.can_read(user):
        return False
    return bool(user.is_manager_or_admin or user.function == Function.MARKETING)
