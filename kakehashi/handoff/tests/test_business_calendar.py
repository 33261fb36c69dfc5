"""SLAs count business hours: weekends, Japanese public holidays and 12/29–1/3 do not count."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.test import SimpleTestCase

from kakehashi.handoff.calendar import BusinessCalendar, calendar_for
from kakehashi.journey.tests.factories import TOKYO


def at(y, m, d, hh=0, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=TOKYO)


class BusinessCalendarTests(SimpleTestCase):
    cal = BusinessCalendar()

    def test_friday_evening_plus_two_hours_is_monday_morning(self):
        self.assertEqual(self.cal.add(at(2026, 11, 27, 17, 0), 2), at(2026, 11, 30, 10, 0))

    def test_a_lead_arriving_at_night_waits_for_the_morning(self):
        self.assertEqual(self.cal.add(at(2026, 12, 1, 22, 30), 1), at(2026, 12, 2, 10, 0))

    def test_golden_week_holidays_are_skipped(self):
        # 2026/4/29 (Wed) 昭和の日; 5/3–5/6 憲法記念日, みどりの日, こどもの日, 振替休日.
        self.assertEqual(self.cal.add(at(2026, 4, 28, 17, 0), 2), at(2026, 4, 30, 10, 0))
        self.assertEqual(self.cal.add(at(2026, 5, 1, 17, 0), 2), at(2026, 5, 7, 10, 0))

    def test_year_end_holidays_run_from_12_29_to_1_3(self):
        self.assertEqual(self.cal.add(at(2026, 12, 28, 17, 0), 2), at(2027, 1, 4, 10, 0))

    def test_year_end_holidays_can_be_switched_off(self):
        cal = BusinessCalendar(year_end=False)
        self.assertEqual(cal.add(at(2026, 12, 28, 17, 0), 2), at(2026, 12, 29, 10, 0))

    def test_company_holidays_and_working_saturdays(self):
        cal = calendar_for(
            start=time(10), end=time(19), work_days="123456", year_end=True,
            extra=["2026-12-01", "not a date"], tz="Asia/Tokyo",
        )  # fmt: skip
        self.assertFalse(cal.is_working_day(date(2026, 12, 1)))
        self.assertTrue(cal.is_working_day(date(2026, 12, 5)))  # a Saturday
        self.assertEqual(cal.add(at(2026, 11, 30, 18, 0), 2), at(2026, 12, 2, 11, 0))

    def test_business_seconds_between_skip_nights_and_weekends(self):
        friday, monday = at(2026, 11, 27, 17, 0), at(2026, 11, 30, 10, 0)
        self.assertEqual(self.cal.seconds_between(friday, monday), 2 * 3600)
        self.assertEqual(self.cal.seconds_between(monday, friday), -2 * 3600)

    def test_adding_then_measuring_gives_back_the_hours(self):
        start = at(2026, 12, 24, 16, 20)
        for hours in (0.5, 4, 9, 23.25):
            end = self.cal.add(start, hours)
            self.assertAlmostEqual(self.cal.seconds_between(start, end), hours * 3600)
            self.assertGreaterEqual(end - start, timedelta(hours=hours))
