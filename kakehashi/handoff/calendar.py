"""Business hours for SLAs: working days, hours, Japanese public holidays and 12/29–1/3. Pure.

"Due within 4 business hours" from Friday 17:00 with 9:00–18:00 days is Monday 12:00; a lead
arriving on a holiday waits for the next working morning. Public holidays come from the
``holidays`` package (substitute and citizens' holidays included).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

MAX_DAYS = 3660  # no SLA looks further than ten years ahead
TOKYO = ZoneInfo("Asia/Tokyo")


@lru_cache(maxsize=64)
def japanese_holidays(year: int, year_end: bool) -> frozenset[date]:
    # Imported on first use: the package loads every country's calendar, which no process
    # that never computes an SLA should pay for at start-up.
    import holidays as holidays_lib

    days = set(holidays_lib.country_holidays("JP", years=year))
    if year_end:
        days |= {date(year, 1, d) for d in (1, 2, 3)} | {date(year, 12, d) for d in (29, 30, 31)}
    return frozenset(days)


@dataclass(frozen=True)
class BusinessCalendar:
    start: time = time(9, 0)
    end: time = time(18, 0)
    weekdays: frozenset[int] = frozenset({1, 2, 3, 4, 5})  # ISO: Monday is 1
    tz: ZoneInfo = TOKYO
    year_end: bool = True
    extra: frozenset[date] = field(default_factory=frozenset)

    def is_working_day(self, day: date) -> bool:
        return (
            day.isoweekday() in self.weekdays
            and day not in japanese_holidays(day.year, self.year_end)
            and day not in self.extra
        )

    def _window(self, day: date) -> tuple[datetime, datetime]:
        return (
            datetime.combine(day, self.start, tzinfo=self.tz),
            datetime.combine(day, self.end, tzinfo=self.tz),
        )

    def add(self, at: datetime, hours: float) -> datetime:
        """The moment ``hours`` business hours after ``at``."""
        remaining = timedelta(hours=hours)
        local = at.astimezone(self.tz)
        day = local.date()
        for _ in range(MAX_DAYS):
            if self.is_working_day(day):
                opens, closes = self._window(day)
                begin = max(local, opens)
                if begin < closes:
                    if begin + remaining <= closes:
                        return begin + remaining
                    remaining -= closes - begin
            day += timedelta(days=1)
        raise ValueError("no working day within ten years")

    def seconds_between(self, a: datetime, b: datetime) -> float:
        """Business seconds from ``a`` to ``b`` (negative when ``b`` is earlier)."""
        if b < a:
            return -self.seconds_between(b, a)
        a, b = a.astimezone(self.tz), b.astimezone(self.tz)
        total = 0.0
        day = a.date()
        while day <= b.date():
            if self.is_working_day(day):
                opens, closes = self._window(day)
                lo, hi = max(a, opens), min(b, closes)
                if hi > lo:
                    total += (hi - lo).total_seconds()
            day += timedelta(days=1)
        return total


def calendar_for(
    *,
    start: time,
    end: time,
    work_days: str,
    year_end: bool,
    extra: Iterable[str],
    tz: str,
) -> BusinessCalendar:
    dates = set()
    for text in extra:
        try:
            dates.add(date.fromisoformat(str(text)))
        except ValueError:
            continue
    return BusinessCalendar(
        start=start,
        end=end,
        weekdays=frozenset(int(c) for c in work_days if c.isdigit()),
        tz=ZoneInfo(tz),
        year_end=year_end,
        extra=frozenset(dates),
    )
