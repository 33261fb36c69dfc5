from __future__ import annotations

import os
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand


def default_workers() -> int:
    """KAKEHASHI_WEB_WORKERS, else gunicorn's advice: two per core plus one, so that while
    some workers wait on the database or a slow client the cores still have work."""
    if configured := os.environ.get("KAKEHASHI_WEB_WORKERS"):
        return int(configured)
    return 2 * len(os.sched_getaffinity(0)) + 1


class Command(BaseCommand):
    help = "Serve kakehashi over WSGI with gunicorn."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=os.environ.get("KAKEHASHI_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("KAKEHASHI_PORT", 8000)))
        parser.add_argument("--workers", type=int, default=default_workers())

    def handle(self, *args: Any, **options: Any) -> None:
        argv = [
            sys.executable, "-m", "gunicorn", "kakehashi.wsgi:application",
            "--bind", f"{options['host']}:{options['port']}",
            "--workers", str(options["workers"]),
            "--timeout", "120",
            "--graceful-timeout", "10",
            "--preload",
            "--error-logfile", "-",
        ]  # fmt: skip
        if settings.DEBUG:
            # Without an access log gunicorn skips formatting a line per request altogether
            # (writing it to /dev/null still cost the formatting).
            argv += ["--access-logfile", "-"]
        sys.stdout.flush()
        # Replace this process: gunicorn gets the signals (Ctrl-C, SIGTERM) directly.
        os.execv(sys.executable, argv)
