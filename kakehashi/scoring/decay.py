"""Forward exponential decay (Cormode et al., "Forward Decay", ICDE 2009); pure, no ORM.

A score keeps, per lead, ``g = Σ points·2^((t_i − t0)/h)`` for a fixed epoch ``t0`` and half-life
``h`` (seconds). Adding an activity adds one term: O(1). The score at ``now`` is
``g·2^(−(now − t0)/h)``, and "score ≥ T now" is ``g ≥ T·2^((now − t0)/h)``: a comparison on the
stored column that an index serves.

Numeric range: a float64 holds up to 2^1023. Terms are refused past ``MAX_EXPONENT`` half-lives
after the epoch, and scores move their epoch forward (a recompute) once ``RENORMALIZE_AFTER``
half-lives have passed, which with the shortest half-life (1 day) is every 512 days. Terms long
before the epoch underflow to 0.0, which is also their decayed value.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

DEFAULT_EPOCH = datetime(2025, 1, 1, tzinfo=UTC)
# 2^960 ≈ 1e289: terms, their sums over many activities and thresholds all stay finite.
MAX_EXPONENT = 960.0
RENORMALIZE_AFTER = 512.0
DAY = 86400.0


class BeyondHorizon(ValueError):
    """The activity lies too far after the score's epoch to be represented exactly."""


def exponent(at: float, epoch: float, half_life: float) -> float:
    return (at - epoch) / half_life


def in_horizon(at: float, epoch: float, half_life: float) -> bool:
    return exponent(at, epoch, half_life) <= MAX_EXPONENT


def weight(at: float, epoch: float, half_life: float) -> float:
    """2^((at − epoch)/h): the factor a point recorded at ``at`` carries in ``g``."""
    x = exponent(at, epoch, half_life)
    if x > MAX_EXPONENT:
        raise BeyondHorizon(at)
    return 2.0**x


def contribution(points: float, at: float, epoch: float, half_life: float) -> float:
    return points * weight(at, epoch, half_life)


def current(g: float, now: float, epoch: float, half_life: float) -> float:
    """The decayed score at ``now`` from the stored state ``g``."""
    return g * 2.0 ** (-exponent(now, epoch, half_life))


def g_threshold(threshold: float, now: float, epoch: float, half_life: float) -> float:
    """The ``g`` that equals ``threshold`` at ``now``: "score ≥ T now" is ``g ≥ g_threshold``."""
    return threshold * 2.0 ** exponent(now, epoch, half_life)


def decayed(points: float, at: float, now: float, half_life: float) -> float:
    """What ``points`` earned at ``at`` are worth at ``now`` (the explanation's column)."""
    return points * 2.0 ** (-(now - at) / half_life)


def needs_new_epoch(now: float, epoch: float, half_life: float) -> bool:
    return exponent(now, epoch, half_life) > RENORMALIZE_AFTER


def fresh_epoch(now: datetime) -> datetime:
    """A recent, round epoch (midnight UTC, 30 days back) for a score being recomputed."""
    day = (now - timedelta(days=30)).astimezone(UTC)
    return day.replace(hour=0, minute=0, second=0, microsecond=0)


def horizon(epoch: datetime, half_life: float) -> datetime:
    """The last instant a term can be added for this epoch (clamped to what datetime holds)."""
    try:
        return epoch + timedelta(seconds=MAX_EXPONENT * half_life)
    except OverflowError:
        return datetime.max.replace(tzinfo=UTC)
