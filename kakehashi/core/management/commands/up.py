from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
import webbrowser
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone

from kakehashi.accounts import actions
from kakehashi.accounts.models import Role, User
from kakehashi.leads.models import Lead

from .serve import default_workers

# Ctrl-C: the web server gets its 10 s graceful timeout, then whatever still runs is killed.
STOP_SECONDS = 12


class Command(BaseCommand):
    help = "Set up on first run (data dir, database, admin, demo data), then serve web + worker."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--demo", action="store_true", help="load demo data on first run")
        parser.add_argument("--demo-leads", type=int, default=2000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--data-dir", help="where data lives (also KAKEHASHI_DATA_DIR)")
        parser.add_argument("--no-browser", action="store_true")
        parser.add_argument("--admin-email", default="admin@kakehashi.localhost")
        parser.add_argument("--admin-password", default="")
        parser.add_argument("--web-workers", type=int, default=default_workers())

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        self.stdout.write(f"kakehashi data directory: {settings.DATA_DIR}")
        call_command("migrate", interactive=False, verbosity=0)
        self._ensure_admin(options)
        if options["demo"] and not Lead.objects.exists():
            self.stdout.write(f"loading demo data ({options['demo_leads']} leads)…")
            call_command("demo", leads=options["demo_leads"], activities_per_lead=10)
        self.stdout.write(f"ready in {time.monotonic() - started:.1f}s; starting web and worker")
        self._run(options)

    def _ensure_admin(self, options: dict[str, Any]) -> None:
        if User.objects.filter(role=Role.ADMIN, is_active=True).exists():
            return
        password = options["admin_password"] or actions.generate_password()
        user = actions.create_user(
            email=options["admin_email"],
            name="Admin",
            role=Role.ADMIN,
            password=password,
            now=timezone.now(),
        )
        self.stdout.write(self.style.SUCCESS(f"admin created: {user.email}"))
        if not options["admin_password"]:
            self.stdout.write(self.style.WARNING(f"admin password (shown once): {password}"))

    def _run(self, options: dict[str, Any]) -> None:
        host, port = options["host"], options["port"]
        base = [sys.executable, "-m", "kakehashi.cli"]
        env = {**os.environ, "KAKEHASHI_DATA_DIR": str(settings.DATA_DIR)}
        web = subprocess.Popen(
            [*base, "serve", "--host", host, "--port", str(port),
             "--workers", str(options["web_workers"])],
            env=env,
        )  # fmt: skip
        worker = subprocess.Popen([*base, "worker"], env=env)
        children = [web, worker]

        def stop(signum: int, frame: Any) -> None:
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, stop)
        # Also when started from a script that ignores SIGINT (a background job inherits that).
        signal.signal(signal.SIGINT, stop)
        url = f"http://{host}:{port}/"
        try:
            if self._wait_until_up(url + "healthz", web):
                self.stdout.write(self.style.SUCCESS(f"kakehashi is running at {url}"))
                self.stdout.write("press Ctrl-C to stop")
                if not options["no_browser"]:
                    webbrowser.open(url)
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
            self.stderr.write("a kakehashi process stopped; shutting down the other")
        except KeyboardInterrupt:
            self.stdout.write("\nstopping…")
        finally:
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)
            # One deadline for both, so Ctrl-C never takes longer than this, however busy.
            deadline = time.monotonic() + STOP_SECONDS
            for child in children:
                try:
                    child.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    child.kill()
                    child.wait()
            self.stdout.write("stopped")

    @staticmethod
    def _wait_until_up(url: str, web: subprocess.Popen[bytes]) -> bool:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and web.poll() is None:
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    return bool(response.status == 200)
            except OSError:
                time.sleep(0.3)
        return False
