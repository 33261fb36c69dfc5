from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.dispatch import Signal

if TYPE_CHECKING:
    from .models import Activity

# Sent inside the transaction that recorded the activity (kwargs: activity). Scoring, journey
# rules and workflows listen here, so they see every activity the moment it lands.
activity_recorded = Signal()


@dataclass
class Companion:
    """One write that travels with the lead's ``last_activity_at`` update: a single INSERT or
    UPDATE statement without RETURNING, its parameters, and what to do with its row count."""

    sql: str
    params: list[Any]
    done: Callable[[int], None]


# Functions of the saved activity, called before ``activity_recorded``, that return writes to
# make in the same round trip as the lead's update (one statement on PostgreSQL, with
# data-modifying CTEs). The hot path of every activity saves a round trip per write this way.
companion_writers: list[Callable[[Activity], list[Companion]]] = []
