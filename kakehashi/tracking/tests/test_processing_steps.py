"""The named processing steps: bots, blocked IPs, invalid URLs and disabled sources are
dropped with a reason, and the counts per reason are visible on the source page."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from kakehashi.tracking import actions, pipeline
from kakehashi.tracking.models import Event, Status

from .base import TrackingTestCase

BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"


def page(mid, **context):
    return {"type": "page", "messageId": mid, "anonymousId": "a", "context": {"userAgent": BROWSER, **context},
            "properties": {"url": "https://www.example.co.jp/"}}  # fmt: skip


class ProcessingStepTests(TrackingTestCase):
    def outcome(self, mid):
        event = Event.objects.get(message_id=mid)
        return event.status, event.drop_reason

    def test_the_steps_run_in_a_named_order(self):
        self.assertEqual([name for name, _ in pipeline.STEPS][:5],
                         ["disabled_source", "bot", "blocked_ip", "page_fields", "invalid_url"])  # fmt: skip

    def test_bots_are_dropped(self):
        self.send("/v1/page", page("bot", userAgent="Mozilla/5.0 (compatible; Googlebot/2.1)"))
        self.send("/v1/page", page("human"))
        self.assertEqual(self.outcome("bot"), (Status.DROPPED, "bot"))
        self.assertEqual(self.outcome("human"), (Status.ANONYMOUS, ""))

    def test_blocked_ip_networks_are_dropped(self):
        actions.update_source(
            source=self.source,
            actor=self.aiko,
            changes={"blocked_ips": "203.0.113.0/24"},
            now=timezone.now(),
        )
        self.send("/v1/page", page("office", ip="203.0.113.9"))
        self.send("/v1/page", page("outside", ip="198.51.100.1"))
        self.assertEqual(self.outcome("office"), (Status.DROPPED, "blocked_ip"))
        self.assertEqual(self.outcome("outside"), (Status.ANONYMOUS, ""))

    def test_invalid_urls_are_dropped(self):
        body = page("js")
        body["properties"]["url"] = "javascript:alert(1)"
        self.send("/v1/page", body)
        self.assertEqual(self.outcome("js"), (Status.DROPPED, "invalid_url"))

    def test_a_disabled_source_drops_everything(self):
        actions.update_source(
            source=self.source, actor=self.aiko, changes={"is_enabled": False}, now=timezone.now()
        )
        self.assertEqual(self.send("/v1/page", page("off")).status_code, 200)
        self.assertEqual(self.outcome("off"), (Status.DROPPED, "disabled_source"))

    def test_drop_counts_per_reason_are_shown_on_the_source_page(self):
        self.send(
            "/v1/batch",
            {
                "batch": [
                    page("b1", userAgent="AhrefsBot/7.0"),
                    page("b2", userAgent="bingbot/2.0"),
                    page("ok"),
                ]
            },
        )
        self.assertEqual(actions.drop_counts(self.source, since=timezone.localdate()), [("bot", 2)])
        self.client.force_login(self.ken)
        response = self.client.get(reverse("tracking:source", args=[self.source.pk]))
        self.assertContains(response, "Bot or crawler")
        self.assertContains(response, '<td class="num">2</td>', html=True)


class ProcessingTaskTests(TrackingTestCase):
    def test_a_transient_database_error_is_retried_and_the_journal_expanded(self):
        from unittest import mock

        from django.db import OperationalError

        from kakehashi.tracking import tasks

        actions.store_request(source_id=self.source.pk, kind="track", received_at=timezone.now(),
                              body=b'{"userId": "u1", "event": "Again", "messageId": "m-2"}')  # fmt: skip
        real = actions.process_pending
        calls = []

        def flaky(**kwargs):
            calls.append(1)
            if len(calls) == 1:
                raise OperationalError("database table is locked: tracking_event")
            return real(**kwargs)

        with mock.patch.object(actions, "process_pending", flaky):
            tasks.process_events()
        self.assertGreaterEqual(len(calls), 2)
        self.assertTrue(Event.objects.filter(message_id="m-2").exists())
