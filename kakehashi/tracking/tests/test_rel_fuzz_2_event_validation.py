"""REL-FUZZ-2: whatever JSON arrives, the endpoints answer 200 or 400 (never a 5xx), and every
event they accept is stored."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from kakehashi.tracking import actions, sources
from kakehashi.tracking.models import Event

from .base import TrackingTestCase

text = st.text(max_size=30)  # includes NUL, surrogates are not valid JSON text anyway
scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | text
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=8,
)
events = st.fixed_dictionaries(
    {},
    optional={
        "type": st.sampled_from(["track", "identify", "page", "screen", "group", "alias", "x"]) | json_values,
        "event": text | json_values,
        "name": text,
        "userId": text | st.integers() | json_values,
        "anonymousId": text | st.integers(),
        "messageId": text | json_values,
        "previousId": text,
        "groupId": text | json_values,
        "timestamp": text | st.datetimes().map(lambda d: d.isoformat()) | json_values,
        "properties": json_values,
        "traits": st.dictionaries(text, json_values, max_size=3) | json_values,
        "context": st.dictionaries(st.sampled_from(["ip", "userAgent", "page", "campaign"]), json_values | text, max_size=3) | json_values,
    },
)  # fmt: skip


class FuzzTests(TrackingTestCase, TestCase):
    @settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(batch=st.lists(events | json_values, max_size=5), sent_at=json_values)
    def test_rel_fuzz_2_any_batch_gets_a_200_or_a_400_and_accepted_events_are_stored(
        self, batch, sent_at
    ):
        sources.forget()
        before = Event.objects.count()
        response = self.send("/v1/batch", {"batch": batch, "sentAt": sent_at})
        self.assertIn(response.status_code, (200, 400))
        body = response.json()
        accepted = len(batch) if response.status_code == 200 else body.get("accepted", 0)
        self.assertLessEqual(Event.objects.count() - before, accepted)
        if response.status_code == 200:
            self.assertTrue(body["success"])
        actions.process_pending(now=self.now())
        self.assertFalse(Event.objects.filter(drop_reason="error").exists(), "processing failed")

    def now(self):
        from django.utils import timezone

        return timezone.now()


@settings(max_examples=300, deadline=None)
@given(batch=st.lists(events | json_values, max_size=5), sent_at=json_values)
def test_rel_fuzz_2_the_front_door_check_gives_the_processors_verdict(batch, sent_at):
    """The front door validates without building the events; the processor builds them from
    the journal. Both must accept and refuse exactly the same events, or a 2xx would lie."""
    from datetime import UTC, datetime

    from kakehashi.tracking import spec

    data = {"batch": batch, "sentAt": sent_at}
    received = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
    checked = spec.parse(data, path_type=None, body_size=100, received_at=received, build=False)
    built = spec.parse(data, path_type=None, body_size=100, received_at=received)
    assert checked.events == []
    assert checked.accepted == built.accepted == len(built.events)
    assert checked.rejected == built.rejected
