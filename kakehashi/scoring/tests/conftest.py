from __future__ import annotations

from collections.abc import Iterator

import pytest

from kakehashi.scoring import engine


@pytest.fixture(autouse=True)
def _fresh_rules_cache() -> Iterator[None]:
    """Each test's scores are its own: no rules cached from a rolled-back test survive it."""
    engine.invalidate()
    yield
    engine.invalidate()
