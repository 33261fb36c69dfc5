from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import actions


# 08:00 in the configured time zone (Asia/Tokyo by default): the day's tasks, before work.
@db_periodic_task(crontab(hour="8", minute="0"))
def daily_digest() -> None:
    actions.send_daily_digest(now=timezone.now())
