"""Event ingestion through the real server: `kakehashi serve` (gunicorn) in a subprocess.

C client processes send N events to /v1/batch in batches of 1–100, 10% of them retries of
messageIds the same client already sent. Figures: events/s, request latency p50/p95/p99,
lost (acknowledged but not stored) and duplicates stored. Baselines from the same run:
`floor_minimal_endpoint` is the same server and the same bodies on /v1/_floor (parse the JSON,
answer 200, store nothing: what Django and gunicorn cost), `direct_bulk_insert` is the same
rows inserted straight into the event table by one process, one transaction per batch.

The endpoint and its floor are timed in balanced rounds, each with N fresh events: floor,
ingest, ingest, floor (and so on), so drift in a shared machine's speed weighs on both sides
alike; each side's best round is the figure and the ratio, and every round is listed. An
untimed warm-up (N/20 events to each endpoint) comes first.
`journal_expansion` is the step behind the door that turns the acknowledged journal into
deduplicated events (what a worker does); lost and duplicates are counted after it.
"""

from __future__ import annotations

import base64
import http.client
import json
import multiprocessing
import os
import random
import signal
import socket
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

BATCH_MAX = 100
FLOOR, INGEST = "/v1/_floor", "/v1/batch"
RETRY_SHARE = 0.10
PAGES = ["/", "/pricing", "/case-studies/acme", "/docs/getting-started", "/contact", "/blog/ma-crm"]
EVENTS = ["Viewed Product", "Downloaded Brochure", "Started Trial", "Clicked CTA"]
UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"


def _event(rng: random.Random, client: int, n: int) -> dict[str, Any]:
    url = "https://www.example.co.jp" + rng.choice(PAGES)
    base: dict[str, Any] = {
        "messageId": str(uuid.UUID(int=rng.getrandbits(128))),
        "anonymousId": f"anon-{client}-{n % 5000}",
        "timestamp": datetime.now(UTC).isoformat(),
        "context": {"userAgent": UA, "ip": f"198.51.100.{n % 250 + 1}", "locale": "ja-JP"},
    }
    if rng.random() < 0.6:
        return {**base, "type": "page", "name": "Page", "properties": {"url": url, "title": "製品"}}
    props = {"url": url, "price": rng.randint(1000, 90000), "currency": "JPY"}
    return {**base, "type": "track", "event": rng.choice(EVENTS), "properties": props}


def make_plan(events: int, clients: int, seed: int = 7) -> list[list[tuple[bytes, list[str]]]]:
    """Per client, its request bodies in order, each with the messageIds it carries."""
    rng = random.Random(seed)
    plans: list[list[tuple[bytes, list[str]]]] = [[] for _ in range(clients)]
    sent: list[list[dict[str, Any]]] = [[] for _ in range(clients)]
    remaining, n = events, 0
    while remaining > 0:
        client = n % clients
        size = min(remaining, rng.randint(1, BATCH_MAX))
        batch, new = [], []
        for _ in range(size):
            if sent[client] and rng.random() < RETRY_SHARE:
                batch.append(rng.choice(sent[client]))  # a retry: same messageId, same body
            else:
                new.append(_event(rng, client, n))
                batch.append(new[-1])
                n += 1
        sent[client].extend(new)
        body = json.dumps({"batch": batch, "sentAt": datetime.now(UTC).isoformat()}).encode()
        plans[client].append((body, [e["messageId"] for e in batch]))
        remaining -= size
    return plans


def _client(args: tuple[int, str, str, list[tuple[bytes, list[str]]]]) -> dict[str, Any]:
    port, path, write_key, requests = args
    auth = "Basic " + base64.b64encode(f"{write_key}:".encode()).decode()
    latencies, acked, failed = [], [], 0
    for body, ids in requests:
        started = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            conn.request(
                "POST", path, body, {"Content-Type": "application/json", "Authorization": auth}
            )
            response = conn.getresponse()
            response.read()
            status = response.status
        except OSError:
            status = 0
        finally:
            conn.close()
        latencies.append((time.perf_counter() - started) * 1000)
        if status == 200:
            acked.extend(ids)
        else:
            failed += 1
    return {"latencies": latencies, "acked": acked, "failed": failed}


def _drive(port: int, path: str, write_key: str, plans: list[Any]) -> dict[str, Any]:
    events = sum(len(ids) for plan in plans for _body, ids in plan)
    context = multiprocessing.get_context("fork")
    started = time.perf_counter()
    with context.Pool(len(plans)) as pool:
        results = pool.map(_client, [(port, path, write_key, plan) for plan in plans])
    seconds = time.perf_counter() - started
    latencies = sorted(x for r in results for x in r["latencies"])
    figures = {
        "events_per_s": round(events / seconds),
        "requests": len(latencies),
        "failed_requests": sum(r["failed"] for r in results),
        "seconds": round(seconds, 2),
        **latency_percentiles(latencies),
    }
    return {"figures": figures, "acked": [i for r in results for i in r["acked"]]}


def latency_percentiles(ordered: list[float]) -> dict[str, float]:
    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))], 2)

    return {"p50_ms": at(0.50), "p95_ms": at(0.95), "p99_ms": at(0.99)}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start_server(port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "KAKEHASHI_TRACKING_BENCH_ENDPOINT": "true", "KAKEHASHI_DEBUG": "false"}
    # A file, not a pipe: nobody reads the log while the benchmark runs, and a full pipe
    # would block the server.
    log = open(os.path.join(os.environ["KAKEHASHI_DATA_DIR"], "bench-ingest-server.log"), "wb")  # noqa: SIM115
    server = subprocess.Popen(
        [sys.executable, "-m", "kakehashi.cli", "serve", "--port", str(port),
         "--workers", str(workers)],
        env=env, stdout=subprocess.DEVNULL, stderr=log,
    )  # fmt: skip
    log.close()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
        if server.poll() is not None:
            raise RuntimeError(f"the server exited; see {log.name}")
    server.terminate()
    raise RuntimeError("the server did not answer /healthz within 60 s")


def _stop_server(server: subprocess.Popen[bytes]) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def _reset_tables() -> None:
    # The bench database is the benchmark's own: start each run from empty tables.
    from kakehashi.tracking.models import DailyCount, Event, Intake, KnownUser, Source, Visitor

    tables = [m._meta.db_table for m in (Intake, Event, Visitor, KnownUser, DailyCount)]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("TRUNCATE " + ", ".join(tables))
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")
        # Raw, so models of other apps that point at sources play no part in the reset.
        cursor.execute(f"DELETE FROM {Source._meta.db_table} WHERE name LIKE 'bench %%'")


def _stored(source_id: int) -> tuple[set[str], int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT message_id FROM tracking_event WHERE source_id = %s", [source_id])
        ids = [row[0] for row in cursor.fetchall()]
    return set(ids), len(ids) - len(set(ids))


def _expand_journal(events: int) -> dict[str, Any]:
    """Behind the door: the acknowledged journal becomes deduplicated events (what a worker
    does), so lost and duplicates are counted on the event table itself."""
    from kakehashi.tracking import storage

    started = time.perf_counter()
    while storage.expand(limit=200):
        pass
    seconds = time.perf_counter() - started
    return {"events_per_s": round(events / max(seconds, 1e-6)), "seconds": round(seconds, 2)}


def _direct_insert(source_id: int, plans: list[Any]) -> dict[str, Any]:
    """The database's floor: the same rows (retries left out, as the table would) written
    straight into the event table with lib.bulk (COPY on PostgreSQL), one transaction per
    batch, no HTTP, no journal."""
    from kakehashi.lib.bulk import insert_rows
    from kakehashi.tracking import spec, storage
    from kakehashi.tracking.models import Event, Status

    bodies = [json.loads(body) for plan in plans for body, _ids in plan]
    events = sum(len(b["batch"]) for b in bodies)
    now = timezone.now()
    seen: set[str] = set()
    started = time.perf_counter()
    for body in bodies:
        parsed = spec.parse(body, path_type=None, body_size=0, received_at=now)
        rows = []
        for e in parsed.events:
            if e.message_id not in seen:
                seen.add(e.message_id)
                rows.append(
                    (source_id, e.message_id, e.type, now, e.occurred_at, e.anonymous_id,
                     e.user_id, e.name, e.ip, e.user_agent, e.payload, Status.PENDING, "")
                )  # fmt: skip
        with transaction.atomic():
            insert_rows(Event._meta.db_table, storage.COLUMNS, rows)
    seconds = time.perf_counter() - started
    return {"events_per_s": round(events / seconds), "seconds": round(seconds, 2)}


def _rounds(rounds: int) -> list[tuple[str, int]]:
    """(path, plan) in balanced order: floor, ingest, ingest, floor, floor, ingest …"""
    order: list[tuple[str, int]] = []
    for i in range(rounds):
        pair = [FLOOR, INGEST] if i % 2 == 0 else [INGEST, FLOOR]
        order.extend((path, i) for path in pair)
    return order


def run(*, events: int, concurrency: int, workers: int, rounds: int = 2) -> dict[str, Any]:
    from kakehashi.tracking import actions

    call_command("migrate", interactive=False, verbosity=0)
    _reset_tables()
    now = timezone.now()
    source = actions.create_source(name="bench ingest", actor=None, now=now)
    direct = actions.create_source(name="bench direct", actor=None, now=now)
    plans = [make_plan(events, concurrency, seed=7 + i) for i in range(rounds)]
    warmup = make_plan(max(events // 20, concurrency), concurrency, seed=1000)
    unique = len({i for plan in plans for client in plan for _b, ids in client for i in ids})
    connection.close()  # the forked clients must not share this process's connection

    port = _free_port()
    server = _start_server(port, workers)
    runs: dict[str, list[dict[str, Any]]] = {FLOOR: [], INGEST: []}
    acked: set[str] = set()
    try:
        # Untimed: the workers' first requests (imports, caches, connections) count for neither.
        _drive(port, FLOOR, source.write_key, warmup)
        acked.update(_drive(port, INGEST, source.write_key, warmup)["acked"])
        for path, i in _rounds(rounds):
            driven = _drive(port, path, source.write_key, plans[i])
            runs[path].append(driven["figures"])
            if path == INGEST:
                acked.update(driven["acked"])
    finally:
        _stop_server(server)

    expansion = _expand_journal(len(acked))
    stored, duplicates = _stored(source.pk)
    best = {path: max(figures, key=lambda f: f["events_per_s"]) for path, figures in runs.items()}
    result: dict[str, Any] = {
        "database": connection.vendor,
        "events": events,
        "rounds": rounds,
        "warmup_events": sum(len(ids) for client in warmup for _b, ids in client),
        "unique_message_ids": unique,
        "retries": events * rounds - unique,
        "concurrency": concurrency,
        "web_workers": workers,
        "ingest": best[INGEST],
        "floor_minimal_endpoint": best[FLOOR],
        "ingest_runs_events_per_s": [f["events_per_s"] for f in runs[INGEST]],
        "floor_runs_events_per_s": [f["events_per_s"] for f in runs[FLOOR]],
        "journal_expansion": expansion,
        "direct_bulk_insert": _direct_insert(direct.pk, plans[0]),
        "acked_message_ids": len(acked),
        "stored": len(stored),
        "lost": len(acked - stored),
        "duplicates": duplicates,
    }
    rate = best[INGEST]["events_per_s"]
    result["ingest_vs_floor"] = round(rate / max(best[FLOOR]["events_per_s"], 1), 2)
    result["ingest_vs_direct_insert"] = round(
        rate / max(result["direct_bulk_insert"]["events_per_s"], 1), 2
    )
    return result
