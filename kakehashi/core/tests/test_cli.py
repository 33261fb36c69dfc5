"""The `kakehashi` command, run as a user runs it: in a subprocess, with its own data dir."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

PYTHON = sys.executable


def clean_environment():
    """The user's environment: no kakehashi settings and no test-only Django switches."""
    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("KAKEHASHI_")
        and k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE")
    }


def run(args, data_dir, **env):
    environment = clean_environment()
    environment.update({"KAKEHASHI_DATA_DIR": str(data_dir), **env})
    return subprocess.run(
        [PYTHON, "-m", "kakehashi.cli", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_sec_deploy_1_check_passes_with_production_settings(tmp_path):
    result = run(["check"], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_sec_deploy_1_check_fails_when_debug_would_leak(tmp_path):
    result = run(["django", "check", "--deploy", "--fail-level", "WARNING"], tmp_path)
    assert result.returncode != 0, "plain HTTP settings must not pass the deployment checks"


def test_bad_settings_fail_loudly_naming_the_variable(tmp_path):
    result = run(["migrate"], tmp_path, KAKEHASHI_DEBUG="maybe")
    assert result.returncode == 2
    assert "KAKEHASHI_DEBUG" in result.stderr
    short = run(["migrate"], tmp_path, KAKEHASHI_SECRET_KEY="short")
    assert short.returncode == 2
    assert "KAKEHASHI_SECRET_KEY" in short.stderr


def test_secret_key_is_generated_once_and_kept_private(tmp_path):
    run(["migrate"], tmp_path)
    key_file = tmp_path / "secret_key"
    first = key_file.read_text()
    run(["migrate"], tmp_path)
    assert key_file.read_text() == first
    assert key_file.stat().st_mode & 0o077 == 0


def test_createadmin_and_token_create_json(tmp_path):
    run(["migrate"], tmp_path)
    admin = run(["createadmin", "--email", "Boss@Example.jp"], tmp_path)
    assert admin.returncode == 0, admin.stderr
    assert "password (shown once):" in admin.stdout
    token = run(["token", "create", "--email", "boss@example.jp", "--json"], tmp_path)
    payload = json.loads(token.stdout)
    assert payload["token"].startswith("kk_")
    missing = run(["token", "create", "--email", "nobody@example.jp"], tmp_path)
    assert missing.returncode != 0
    assert "no active user" in missing.stderr


@pytest.mark.timeout_sensitive
def test_up_serves_web_and_worker_and_stops_cleanly_on_ctrl_c(tmp_path: Path):
    port = free_port()
    environment = clean_environment()
    environment["KAKEHASHI_DATA_DIR"] = str(tmp_path)
    args = [PYTHON, "-m", "kakehashi.cli", "up", "--no-browser", "--port", str(port),
            "--admin-email", "admin@example.jp", "--admin-password", "an-admin-password-2026",
            "--demo", "--demo-leads", "40"]  # fmt: skip

    started_processes = []

    def start():
        # Its own session, so a failed run can be cleaned up with its web and worker children.
        proc = subprocess.Popen(
            args, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            start_new_session=True,
        )  # fmt: skip
        started_processes.append(proc)
        return proc

    def wait_healthy(proc):
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    health = json.loads(r.read())
                    if health["worker"] == "ok":
                        return health
            except OSError:
                pass
            time.sleep(0.5)
        raise AssertionError("kakehashi up did not become healthy with a live worker")

    def stop(proc):
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
        return proc.returncode, out

    try:
        _check_up_runs_twice(start, wait_healthy, stop, port, tmp_path)
    finally:
        for proc in started_processes:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def _check_up_runs_twice(start, wait_healthy, stop, port, tmp_path):
    first = start()
    started = time.monotonic()
    health = wait_healthy(first)
    assert health == {"status": "ok", "database": "ok", "worker": "ok"}
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=5) as r:
        assert "kakehashi" in r.read().decode()
    code, out = stop(first)
    assert code == 0, out
    assert "admin created: admin@example.jp" in out
    assert "stopped" in out
    assert (tmp_path / "kakehashi.sqlite3").exists()
    journal = subprocess.run(
        [PYTHON, "-c", f"import sqlite3;print(sqlite3.connect({str(tmp_path / 'kakehashi.sqlite3')!r}).execute('pragma journal_mode').fetchone()[0])"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert journal.stdout.strip() == "wal"
    first_run = time.monotonic() - started

    second = start()
    started = time.monotonic()
    wait_healthy(second)
    second_run = time.monotonic() - started
    code, out = stop(second)
    assert code == 0, out
    assert "admin created" not in out, "a second run reuses the data dir"
    assert "loading demo data" not in out
    assert second_run < 60, f"second start took {second_run:.0f}s (first {first_run:.0f}s)"


def test_serve_runs_two_workers_per_core_plus_one_unless_configured(monkeypatch):
    from kakehashi.core.management.commands.serve import default_workers

    monkeypatch.delenv("KAKEHASHI_WEB_WORKERS", raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2})
    assert default_workers() == 7
    monkeypatch.setenv("KAKEHASHI_WEB_WORKERS", "3")
    assert default_workers() == 3
