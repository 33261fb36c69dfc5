"""Thin huey tasks: notification e-mails, the SLA clock, and assigning leads that waited."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_task()
def send_notification_email(notification_id: int) -> None:
    from . import notifications

    notifications.send_email(notification_id)


@db_periodic_task(crontab(minute="*"))
def sla_clock() -> None:
    """Every minute: escalate or reassign overdue first touches; assign leads that waited."""
    from . import actions

    now = timezone.now()
    actions.check_sla(now=now)
    actions.assign_waiting(now=now)
