"""Thin huey tasks: the inactivity sweep, which also places leads that arrived in bulk."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="7"))
def sweep_journeys() -> None:
    """Hourly: move leads quiet for an inactivity rule's days; place imported leads."""
    from . import actions

    now = timezone.now()
    actions.enroll_all(now=now)
    actions.sweep_inactive(now=now)
