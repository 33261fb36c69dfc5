"""Who may see and build forms (the shared rules live in accounts.permissions)."""

from __future__ import annotations

from typing import Any

from kakehashi.accounts import permissions
from kakehashi.accounts.models import Function


def can_view_forms(user: Any) -> bool:
    """Every internal user sees forms, submissions and results: sales reads what leads said."""
    return permissions.can_read(user)


def can_manage_forms(user: Any) -> bool:
    """Marketing builds and publishes forms; managers and admins may too."""
    if not permissions.can_read(user):
        return False
    return bool(user.is_manager_or_admin or user.function == Function.MARKETING)


def can_export_answers(user: Any) -> bool:
    """Answers are personal data: exports are for managers and admins (LEG-APPI-4)."""
    return permissions.can_export(user)
