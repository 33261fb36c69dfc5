"""`kakehashi bench`: benchmarks that print each figure next to a baseline from the same run.

Every scenario runs in a child process against its own database (a temporary SQLite data dir,
or `<name>_bench_<scenario>` on PostgreSQL), so a benchmark never touches real data, and one
scenario's data (the scoring scenario keeps 100k leads between runs) never skews another's.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50_ms": round(statistics.median(ordered), 2), "p95_ms": round(p95, 2)}


def time_calls(fn: Callable[[], Any], *, repeat: int, warmup: int = 2) -> list[float]:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def bench_database_env(data_dir: str | None, scenario: str) -> dict[str, str]:
    """Environment for the child: an isolated database of the same kind as configured."""
    env = dict(os.environ)
    url = os.environ.get("KAKEHASHI_DATABASE_URL", "")
    if url:
        env["KAKEHASHI_DATABASE_URL"] = _bench_postgres_url(url, scenario)
    env["KAKEHASHI_DATA_DIR"] = data_dir or tempfile.mkdtemp(prefix="kakehashi-bench-")
    return env


def _bench_postgres_url(url: str, scenario: str) -> str:
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    name = f"{config['NAME']}_bench_{scenario.replace('-', '_')}"
    admin = psycopg.connect(
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        dbname="postgres",
        autocommit=True,
    )
    with admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = url.rpartition("/")
    return f"{base}/{name}"


def run_child(argv: list[str], data_dir: str | None) -> int:
    env = bench_database_env(data_dir, scenario=argv[0])
    print(
        f"bench database: {env.get('KAKEHASHI_DATABASE_URL') or env['KAKEHASHI_DATA_DIR']}",
        file=sys.stderr,
    )
    return subprocess.call(
        [sys.executable, "-m", "kakehashi.cli", "bench", *argv, "--inner"], env=env
    )
