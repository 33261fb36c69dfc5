from __future__ import annotations

from datetime import datetime, timedelta

from django.db import connection

from .models import Heartbeat

WORKER = "worker"
STALE_AFTER = timedelta(minutes=3)


def beat(*, name: str = WORKER, now: datetime) -> None:
    Heartbeat.objects.update_or_create(name=name, defaults={"seen_at": now})


def database_status() -> str:
    """'ok' when the database answers a query, else the error class name."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "not answering"
        return f"error: {type(exc).__name__}"
    return "ok"


def worker_status(*, now: datetime, immediate: bool) -> str:
    if immediate:
        return "immediate"
    seen = Heartbeat.objects.filter(name=WORKER).values_list("seen_at", flat=True).first()
    if seen is None:
        return "never seen"
    return "ok" if now - seen <= STALE_AFTER else "stale"
