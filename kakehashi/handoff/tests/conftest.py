from __future__ import annotations

from collections.abc import Iterator

import pytest

from kakehashi.handoff import engine as handoff_engine
from kakehashi.journey import engine
from kakehashi.scoring import engine as scoring_engine


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    """Each test's journeys and scores are its own: nothing cached from a rolled-back test."""
    engine.invalidate()
    scoring_engine.invalidate()
    handoff_engine.invalidate()
    yield
    engine.invalidate()
    scoring_engine.invalidate()
    handoff_engine.invalidate()
