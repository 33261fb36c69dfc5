from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(autouse=True, scope="session")
def _huey_immediate() -> Iterator[None]:
    """Tasks run inline in tests (huey's immediate mode, in-memory storage)."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    yield


@pytest.fixture(autouse=True)
def _no_outside_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests reach localhost only; anything else is a bug in the test or the code."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: Any) -> Any:
        host = address[0] if isinstance(address, tuple) else address
        if (
            isinstance(host, str)
            and host not in ("127.0.0.1", "::1", "localhost")
            and not host.startswith("/")
        ):
            raise RuntimeError(f"tests may not connect to {host}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    """Each test's scores, journeys and hand-off policies are its own: the per-process caches
    of their definitions must not carry one from a rolled-back test into the next."""
    from kakehashi.handoff import engine as handoff_engine
    from kakehashi.journey import engine as journey_engine
    from kakehashi.scoring import engine as scoring_engine

    caches = (scoring_engine, journey_engine, handoff_engine)
    for cache in caches:
        cache.invalidate()
    yield
    for cache in caches:
        cache.invalidate()
