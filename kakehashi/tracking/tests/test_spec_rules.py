"""The Segment spec rules as pure functions (no database): clock skew, limits, ids."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta
from unittest import TestCase

from kakehashi.bench.ingest import FLOOR, INGEST, _rounds, make_plan
from kakehashi.tracking import spec

RECEIVED = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)


class ClockSkewTests(TestCase):
    def test_a_fast_client_clock_is_corrected_with_sent_at(self):
        # The device clock runs 5 minutes fast; the event happened 30 s before sending.
        timestamp = RECEIVED + timedelta(minutes=5) - timedelta(seconds=30)
        sent_at = RECEIVED + timedelta(minutes=5)
        self.assertEqual(
            spec.corrected_time(timestamp, sent_at, RECEIVED), RECEIVED - timedelta(seconds=30)
        )

    def test_without_a_timestamp_the_event_happened_when_received(self):
        self.assertEqual(spec.corrected_time(None, RECEIVED, RECEIVED), RECEIVED)

    def test_an_event_is_never_in_the_future(self):
        future = RECEIVED + timedelta(days=3)
        self.assertEqual(spec.corrected_time(future, None, RECEIVED), RECEIVED)

    def test_timestamps_without_a_zone_are_utc(self):
        self.assertEqual(spec.parse_time("2026-11-28T03:00:00"), RECEIVED)
        self.assertEqual(spec.parse_time("2026-11-28T12:00:00+09:00"), RECEIVED)
        with self.assertRaises(ValueError):
            spec.parse_time("28/11/2026")


class BodyTests(TestCase):
    def test_gzip_is_inflated_up_to_the_limit_only(self):
        self.assertEqual(
            spec.decode_body(gzip.compress(b"{}"), content_encoding="gzip", limit=10), b"{}"
        )
        with self.assertRaises(spec.BadRequest):
            spec.decode_body(gzip.compress(b"x" * 11), content_encoding="gzip", limit=10)

    def test_the_write_key_may_come_in_the_body(self):
        parsed = spec.parse(
            {"writeKey": "k", "batch": []}, path_type=None, body_size=0, received_at=RECEIVED
        )
        self.assertEqual(parsed.write_key, "k")


class BenchPlanTests(TestCase):
    def test_the_benchmark_resends_about_a_tenth_of_its_messages(self):
        plans = make_plan(5000, 3)
        ids = [i for plan in plans for _body, batch in plan for i in batch]
        self.assertEqual(len(ids), 5000)
        retries = len(ids) - len(set(ids))
        self.assertTrue(350 < retries < 650, retries)
        self.assertTrue(all(1 <= len(batch) <= 100 for plan in plans for _b, batch in plan))

    def test_the_benchmark_times_the_endpoint_and_its_floor_in_balanced_rounds(self):
        order = _rounds(2)
        self.assertEqual(order, [(FLOOR, 0), (INGEST, 0), (INGEST, 1), (FLOOR, 1)])
        # Each side runs once per round, and on average at the same place in the sequence.
        for rounds in (2, 4):
            order = _rounds(rounds)
            floor = [n for n, (path, _i) in enumerate(order) if path == FLOOR]
            ingest = [n for n, (path, _i) in enumerate(order) if path == INGEST]
            self.assertEqual(len(floor), rounds)
            self.assertEqual(sum(floor), sum(ingest))

    def test_each_round_sends_fresh_messages(self):
        first, second = make_plan(500, 2, seed=7), make_plan(500, 2, seed=8)
        ids = [{i for plan in p for _b, batch in plan for i in batch} for p in (first, second)]
        self.assertFalse(ids[0] & ids[1])


class LimitTests(TestCase):
    def test_an_event_is_measured_as_utf8_not_as_escaped_ascii(self):
        # 10,000 kana: about 30 KB in UTF-8 (under the limit), about 60 KB as \uXXXX escapes.
        under = {"type": "track", "event": "x", "userId": "u", "properties": {"t": "あ" * 10_000}}
        over = {**under, "properties": {"t": "あ" * 11_000}}
        self.assertFalse(spec.oversized(under))
        self.assertTrue(spec.oversized(over))
        parsed = spec.parse(
            {"batch": [under, over]}, path_type=None, body_size=70_000, received_at=RECEIVED
        )
        self.assertEqual(parsed.accepted, 1)
        self.assertEqual([r.index for r in parsed.rejected], [1])

    def test_a_batch_sent_at_applies_to_each_event_unless_it_has_its_own(self):
        event = {"type": "track", "event": "x", "userId": "u", "timestamp": "2026-11-28T03:00:00Z"}
        own = {**event, "sentAt": "2026-11-28T03:00:00Z"}
        body = {"batch": [event, own], "sentAt": "2026-11-28T03:10:00Z"}
        parsed = spec.parse(body, path_type=None, body_size=200, received_at=RECEIVED)
        # The batch's clock is 10 minutes fast; the second event's own clock is right.
        self.assertEqual(parsed.events[0].occurred_at, RECEIVED - timedelta(minutes=10))
        self.assertEqual(parsed.events[1].occurred_at, RECEIVED)
        bad = spec.parse(
            {**body, "sentAt": "yesterday"}, path_type=None, body_size=200, received_at=RECEIVED
        )
        self.assertEqual([r.index for r in bad.rejected], [0])
        self.assertEqual(bad.accepted, 1)
