from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import actions


# A transient database error (a lock held a moment too long) retries at once rather than
# leaving the journal to the minute's sweep; a retry redoes nothing (entries are claimed).
@db_task(retries=3)
def process_events() -> None:
    """Work through the pending events (more may arrive while this runs)."""
    while actions.process_pending(now=timezone.now()):
        pass


@db_periodic_task(crontab(minute="*"))
def sweep_events() -> None:
    # Anything a lost or failed schedule left behind is processed within a minute.
    while actions.process_pending(now=timezone.now()):
        pass


@db_periodic_task(crontab(minute="17", hour="3"))
def purge_expired_events() -> None:
    actions.purge_expired(now=timezone.now(), retention_days=settings.TRACKING_RETENTION_DAYS)
