from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, on_startup

from . import actions


@db_periodic_task(crontab(minute="*"))
def heartbeat() -> None:
    actions.beat(now=timezone.now())


@on_startup()
def heartbeat_on_start() -> None:
    # A fresh worker reports at once rather than at the next minute boundary.
    from django.db import close_old_connections

    actions.beat(now=timezone.now())
    close_old_connections()
