"""Who may change journeys: marketing, managers and admins; who may move a lead by hand."""

from __future__ import annotations

from typing import Any

from kakehashi.accounts import permissions
from kakehashi.accounts.models import Function


def can_edit(user: Any) -> bool:
    if not permissions.can_read(user):
        return False
    return bool(user.is_manager_or_admin or user.function == Function.MARKETING)


def can_move(user: Any, lead: Any) -> bool:
    return can_edit(user) or permissions.can_edit_lead(user, lead)
