"""Who may do what with deals: sales reps edit their own and their team's; managers all."""

from __future__ import annotations

from typing import Any

from kakehashi.accounts import permissions as base
from kakehashi.accounts.models import SALES_FUNCTIONS, Function

DEAL_FUNCTIONS = SALES_FUNCTIONS | {Function.CUSTOMER_SUCCESS}


def can_create(user: Any) -> bool:
    return base.can_read(user) and (user.is_manager_or_admin or user.function in DEAL_FUNCTIONS)


def can_edit(user: Any, deal: Any) -> bool:
    if not base.can_read(user):
        return False
    if user.is_manager_or_admin or deal.owner_id == user.pk:
        return True
    return (
        user.function in DEAL_FUNCTIONS
        and deal.team_id is not None
        and deal.team_id == user.team_id
    )
