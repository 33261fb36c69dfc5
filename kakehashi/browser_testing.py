"""Shared scaffolding for the browser tests: the Debian Chromium driven through Playwright
(never a downloaded browser), and optionally a second local origin playing the customer's
own web site."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("KAKEHASHI_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
OUTPUT = Path(os.environ.get("KAKEHASHI_TEST_OUTPUT", "test-output")) / "browser"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


class BrowserTestMixin:
    """Put before a LiveServerTestCase: starts Chromium once per class. With
    ``serve_site = True`` it also serves ``cls.site_dir`` at ``cls.site_url``."""

    serve_site = False
    browser: Any
    playwright: Any
    site_dir: Path
    site_url: str
    site: http.server.ThreadingHTTPServer
    _async_unsafe: str | None
    live_server_url: str

    @classmethod
    def setUpClass(cls) -> None:
        if not os.path.exists(CHROMIUM):
            if os.environ.get("CI"):
                raise RuntimeError(f"CI needs Chromium at {CHROMIUM}")
            raise pytest.skip.Exception(f"no Chromium at {CHROMIUM}")
        # Playwright's sync API runs an event loop; the ORM calls here are all synchronous.
        cls._async_unsafe = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        super().setUpClass()  # type: ignore[misc]
        if cls.serve_site:
            cls.site_dir = Path(tempfile.mkdtemp(prefix="kakehashi-site-"))
            handler = functools.partial(QuietHandler, directory=str(cls.site_dir))
            cls.site = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
            cls.site_url = f"http://127.0.0.1:{cls.site.server_address[1]}"
            threading.Thread(target=cls.site.serve_forever, daemon=True).start()
        from playwright.sync_api import sync_playwright

        cls.playwright = sync_playwright().start()
        cls.browser = cls.playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        OUTPUT.mkdir(parents=True, exist_ok=True)

    @classmethod
    def tearDownClass(cls) -> None:
        cls.browser.close()
        cls.playwright.stop()
        if cls.serve_site:
            cls.site.shutdown()
            cls.site.server_close()
            shutil.rmtree(cls.site_dir, ignore_errors=True)
        super().tearDownClass()  # type: ignore[misc]
        if cls._async_unsafe is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = cls._async_unsafe

    def log_in(self, page: Any, email: str, password: str) -> None:
        page.goto(f"{self.live_server_url}/accounts/login/")
        page.fill("input[name=username]", email)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_url(f"{self.live_server_url}/")
