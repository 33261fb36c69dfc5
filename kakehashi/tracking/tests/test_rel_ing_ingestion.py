"""The Segment-compatible endpoints: what is stored, what is refused, and why (REL-ING-1/2)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from unittest import skipUnless

from django.db import connection
from django.utils import timezone

from kakehashi.tracking import actions
from kakehashi.tracking.models import Event, Intake

from .base import TrackingTestCase


def track(message_id="m-1", **extra):
    return {
        "type": "track",
        "event": "Signed Up",
        "anonymousId": "a-1",
        "messageId": message_id,
        **extra,
    }


class IngestionTests(TrackingTestCase):
    def test_rel_ing_1_a_200_means_the_event_is_committed_to_the_journal(self):
        raw = json.dumps(track()).encode()
        response = self.public.post("/v1/track", raw, content_type="application/json",
                                    HTTP_AUTHORIZATION=self.basic())  # fmt: skip
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"success": True})
        intake = Intake.objects.get()
        self.assertEqual(json.loads(bytes(intake.body))["messageId"], "m-1")
        # Behind the door, the journal becomes deduplicated events.
        actions.process_pending(now=timezone.now())
        self.assertFalse(Intake.objects.exists())
        event = Event.objects.get(source=self.source, message_id="m-1")
        self.assertEqual(
            (event.type, event.name, event.anonymous_id), ("track", "Signed Up", "a-1")
        )

    def test_an_entry_of_a_source_deleted_meanwhile_is_dropped_and_the_rest_expand(self):
        # A request looked its (cached) source up, the source was deleted, then it journaled.
        gone = actions.create_source(name="Old site", actor=self.aiko, now=timezone.now())
        gone_id = gone.pk
        gone.delete()
        now = timezone.now()
        for source_id, message_id in ((gone_id, "m-gone"), (self.source.pk, "m-kept")):
            actions.store_request(source_id=source_id, kind="track", received_at=now,
                                  body=json.dumps(track(message_id)).encode())  # fmt: skip
        actions.process_pending(now=now)
        self.assertFalse(Intake.objects.exists())
        self.assertEqual(list(Event.objects.values_list("message_id", flat=True)), ["m-kept"])

    @skipUnless(connection.vendor == "postgresql", "PostgreSQL compresses large values")
    def test_journal_bodies_are_stored_lz4_compressed_and_read_back_whole(self):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' "
                "AND 'lz4' = ANY(enumvals)"
            )
            if cursor.fetchone() is None:
                self.skipTest("this PostgreSQL was built without LZ4")
        batch = {"batch": [track(f"m-{n}", properties={"url": f"/p/{n}"}) for n in range(200)]}
        response = self.public.post("/v1/batch", json.dumps(batch), content_type="application/json",
                                    HTTP_AUTHORIZATION=self.basic())  # fmt: skip
        self.assertEqual(response.status_code, 200)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_column_compression(body), pg_column_size(body), length(body) "
                "FROM tracking_intake"
            )
            method, stored, length = cursor.fetchone()
        self.assertEqual(method, "lz4")
        self.assertLess(stored, length / 3)
        self.assertEqual(json.loads(bytes(Intake.objects.get().body)), batch)

    def test_every_spec_call_is_accepted_at_its_own_path(self):
        calls = {
            "identify": {"userId": "u1", "traits": {"email": "x@example.jp"}},
            "track": {"userId": "u1", "event": "Clicked"},
            "page": {"userId": "u1", "name": "Home"},
            "screen": {"userId": "u1", "name": "Settings"},
            "group": {"userId": "u1", "groupId": "g1", "traits": {"name": "Acme"}},
            "alias": {"userId": "u1", "previousId": "a-9"},
        }
        for kind, body in calls.items():
            with self.subTest(kind=kind):
                self.assertEqual(self.send(f"/v1/{kind}", body).status_code, 200)
        self.assertEqual(sorted(Event.objects.values_list("type", flat=True)), sorted(calls))

    def test_rel_ing_2_a_retried_message_is_stored_once(self):
        batch = {"batch": [track("m-1"), track("m-2")]}
        self.assertEqual(self.send("/v1/batch", batch).status_code, 200)
        self.assertEqual(self.send("/v1/batch", batch).status_code, 200)
        self.assertEqual(Event.objects.filter(source=self.source).count(), 2)

    def test_rel_ing_2_the_same_message_id_under_two_sources_is_two_events(self):
        other = actions.create_source(name="App", actor=self.aiko, now=timezone.now())
        self.send("/v1/track", track("shared"))
        self.send("/v1/track", track("shared"), key=other.write_key)
        self.assertEqual(Event.objects.filter(message_id="shared").count(), 2)

    def test_rel_ing_2_a_missing_message_id_is_assigned_by_the_server(self):
        body = track()
        del body["messageId"]
        self.send("/v1/track", body)
        self.send("/v1/track", body)
        ids = list(Event.objects.values_list("message_id", flat=True))
        self.assertEqual(len(set(ids)), 2)
        self.assertTrue(all(len(i) == 36 for i in ids))

    def test_write_key_in_the_body_works_like_basic_auth(self):
        self.assertEqual(self.send("/v1/track", track(), basic=False).status_code, 200)
        self.assertTrue(Event.objects.exists())

    def test_an_unknown_write_key_is_a_401_and_stores_nothing(self):
        response = self.send("/v1/track", track(), key="not-a-key")
        self.assertEqual(response.status_code, 401)
        self.assertEqual(response.json()["code"], "invalid_write_key")
        self.assertFalse(Event.objects.exists())

    def test_a_rotated_key_stops_working(self):
        old = self.source.write_key
        actions.rotate_write_key(source=self.source, actor=self.aiko, now=timezone.now())
        self.assertEqual(self.send("/v1/track", track(), key=old).status_code, 401)
        self.assertEqual(self.send("/v1/track", track()).status_code, 200)

    def test_gzip_bodies_are_read(self):
        response = self.send("/v1/batch", {"batch": [track("g-1"), track("g-2")]}, gzipped=True)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(Event.objects.count(), 2)

    def test_sent_at_corrects_the_clients_clock_skew(self):
        # The client's clock is an hour fast: the event happened 10 s before it was sent.
        body = track(timestamp="2030-01-01T10:59:50Z", sentAt="2030-01-01T11:00:00Z")
        before = timezone.now()
        self.send("/v1/track", body)
        event = Event.objects.get()
        skew = (event.received_at - event.occurred_at).total_seconds()
        self.assertAlmostEqual(skew, 10, delta=0.5)
        self.assertGreaterEqual(event.received_at, before)

    def test_a_timestamp_without_sent_at_is_kept_for_historical_imports(self):
        self.send("/v1/track", track(timestamp="2024-04-01T09:00:00+09:00"))
        self.assertEqual(Event.objects.get().occurred_at, datetime(2024, 4, 1, 0, 0, tzinfo=UTC))

    def test_batch_context_is_merged_into_each_event(self):
        body = {
            "batch": [track("c-1", context={"locale": "ja-JP"})],
            "context": {"ip": "198.51.100.7", "locale": "en"},
        }
        self.send("/v1/batch", body)
        event = Event.objects.get()
        self.assertEqual(event.payload["context"]["locale"], "ja-JP")
        self.assertEqual(event.ip, "198.51.100.7")

    def test_the_endpoints_set_no_cookie_and_no_session(self):
        response = self.send("/v1/track", track())
        self.assertEqual(response.cookies, {})
        self.assertFalse(response.has_header("Set-Cookie"))


class BadInputTests(TrackingTestCase):
    def reasons(self, response):
        self.assertEqual(response.status_code, 400)
        return {r["index"]: r["reason"] for r in response.json()["rejected"]}

    def test_each_bad_event_gets_its_reason_and_the_good_ones_are_stored(self):
        batch = {
            "batch": [
                track("ok-1"),
                {"type": "track", "anonymousId": "a", "messageId": "no-name"},
                {"type": "page", "messageId": "no-ids"},
                {"type": "launch", "anonymousId": "a"},
                "not an object",
                track("bad-time", timestamp="yesterday"),
                track("x" * 101),
                {"type": "alias", "userId": "u"},
            ]
        }
        response = self.send("/v1/batch", batch)
        reasons = self.reasons(response)
        self.assertEqual(sorted(reasons), [1, 2, 3, 4, 5, 6, 7])
        self.assertIn("event name", reasons[1])
        self.assertIn("userId or an anonymousId", reasons[2])
        self.assertIn("type must be one of", reasons[3])
        self.assertIn("JSON object", reasons[4])
        self.assertIn("ISO-8601", reasons[5])
        self.assertIn("100 characters", reasons[6])
        self.assertIn("previousId", reasons[7])
        self.assertEqual(response.json()["accepted"], 1)
        self.assertEqual(list(Event.objects.values_list("message_id", flat=True)), ["ok-1"])

    def test_malformed_json_is_a_400(self):
        response = self.send("/v1/batch", b'{"batch": [')
        self.assertEqual(response.status_code, 400)
        self.assertIn("not valid JSON", response.json()["message"])

    def test_a_body_that_is_not_an_object_or_has_no_batch_is_a_400(self):
        self.assertEqual(self.send("/v1/batch", b"[1, 2]").status_code, 400)
        self.assertEqual(self.send("/v1/batch", {"events": []}).status_code, 400)

    def test_an_event_over_32_kb_is_rejected_in_a_batch(self):
        big = track("big", properties={"text": "あ" * 12_000})  # 36 KB in UTF-8
        reasons = self.reasons(self.send("/v1/batch", {"batch": [big, track("small")]}))
        self.assertIn("32 KB", reasons[0])
        self.assertEqual(list(Event.objects.values_list("message_id", flat=True)), ["small"])

    def test_a_single_call_over_32_kb_is_a_400(self):
        response = self.send("/v1/track", track(properties={"text": "x" * 33_000}))
        self.assertEqual(response.status_code, 400)
        self.assertIn("32 KB", response.json()["message"])

    def test_a_batch_over_500_kb_is_a_400_and_stores_nothing(self):
        events = [track(f"m-{i}", properties={"text": "x" * 20_000}) for i in range(30)]
        response = self.send("/v1/batch", {"batch": events})
        self.assertEqual(response.status_code, 400)
        self.assertIn("500 KB", response.json()["message"])
        self.assertFalse(Event.objects.exists())

    def test_a_gzip_bomb_is_refused_without_inflating_it(self):
        import gzip

        bomb = gzip.compress(b'{"batch": [' + b" " * 50_000_000 + b"]}")
        self.assertLess(len(bomb), 100_000)
        response = self.send("/v1/batch", bomb, HTTP_CONTENT_ENCODING="gzip")
        self.assertEqual(response.status_code, 400)

    def test_a_body_that_is_not_gzip_is_a_400(self):
        response = self.send("/v1/batch", b"plain", HTTP_CONTENT_ENCODING="gzip")
        self.assertEqual(response.status_code, 400)
        self.assertIn("gzip", response.json()["message"])

    def test_get_is_refused(self):
        self.assertEqual(self.public.get("/v1/track").status_code, 405)

    def test_numbers_are_accepted_as_ids_but_objects_are_not(self):
        body = {
            "batch": [
                {"type": "track", "event": "E", "userId": 42},
                {"type": "track", "event": "E", "userId": {"a": 1}},
            ]
        }
        reasons = self.reasons(self.send("/v1/batch", body))
        self.assertEqual(list(reasons), [1])
        self.assertEqual(Event.objects.get().user_id, "42")

    def test_a_bad_event_never_causes_a_server_error(self):
        nasty = [None, 1, [], {"type": None}, {"type": "track", "event": 5, "userId": "u"},
                 {"type": "page", "userId": "u", "properties": "x"}, {"type": "page", "userId": "u", "timestamp": 5},
                 {"type": "identify", "userId": True}, {"type": "group", "userId": "u", "groupId": {}}]  # fmt: skip
        response = self.send("/v1/batch", {"batch": nasty, "sentAt": "garbage"})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(len(json.loads(response.content)["rejected"]), len(nasty))

    def test_nul_characters_are_stored_without_them(self):
        body = {"batch": [{"type": "track", "event": "Sign\u0000ed", "anonymousId": "a\u0000b",
                           "properties": {"k": "v\u0000"}, "context": {"userAgent": "x\u0000y"}}]}  # fmt: skip
        self.assertEqual(self.send("/v1/batch", body).status_code, 200)
        event = Event.objects.get()
        self.assertEqual((event.name, event.anonymous_id, event.user_agent), ("Signed", "ab", "xy"))
