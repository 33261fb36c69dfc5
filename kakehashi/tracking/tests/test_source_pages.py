"""Marketing and admins create sources and rotate keys in Settings; everyone else may look."""

from __future__ import annotations

import json
from io import StringIO

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kakehashi.timeline.models import Activity
from kakehashi.tracking.models import Event, Source, Visitor

from .base import TrackingTestCase


class SourcePageTests(TrackingTestCase):
    def test_aiko_creates_a_source_and_sees_its_snippet_and_disclosure_text(self):
        self.client.force_login(self.aiko)
        response = self.client.post(
            reverse("tracking:sources"), {"name": "採用サイト"}, follow=True
        )
        source = Source.objects.get(name="採用サイト")
        self.assertContains(response, source.write_key)
        self.assertContains(response, "data-write-key=&quot;" + source.write_key)
        self.assertContains(response, "data-consent=&quot;required&quot;")
        self.assertContains(response, "/t.gif?d=")
        self.assertContains(response, "アクセス解析・行動履歴の取得について")
        self.assertContains(response, "About analytics and browsing history")
        self.assertTrue(Activity.objects.filter(kind="source.created", actor=self.aiko).exists())

    def test_ken_in_inside_sales_may_look_but_not_create_or_rotate(self):
        self.client.force_login(self.ken)
        self.assertEqual(self.client.get(reverse("tracking:sources")).status_code, 200)
        self.assertNotContains(self.client.get(reverse("tracking:sources")), "Create source")
        self.assertEqual(
            self.client.post(reverse("tracking:sources"), {"name": "x"}).status_code, 403
        )
        key = self.source.write_key
        self.assertEqual(
            self.client.post(reverse("tracking:rotate", args=[self.source.pk])).status_code, 403
        )
        self.source.refresh_from_db()
        self.assertEqual(self.source.write_key, key)

    def test_the_outsider_is_refused(self):
        self.client.force_login(self.outsider)
        for name in ("tracking:sources",):
            self.assertEqual(self.client.get(reverse(name)).status_code, 403)
        self.assertEqual(
            self.client.get(reverse("tracking:source", args=[self.source.pk])).status_code, 403
        )
        self.assertEqual(
            self.client.get(reverse("tracking:debugger", args=[self.source.pk])).status_code, 403
        )

    def test_the_admin_rotates_the_write_key(self):
        self.client.force_login(self.admin)
        old = self.source.write_key
        response = self.client.post(reverse("tracking:rotate", args=[self.source.pk]), follow=True)
        self.source.refresh_from_db()
        self.assertNotEqual(self.source.write_key, old)
        self.assertContains(response, self.source.write_key)
        self.assertTrue(Activity.objects.filter(kind="source.key_rotated").exists())

    def test_settings_are_validated_with_reasons(self):
        self.client.force_login(self.aiko)
        response = self.client.post(
            reverse("tracking:source", args=[self.source.pk]),
            {"name": "Corporate site", "is_enabled": "on", "allowed_origins": "www.example.co.jp", "blocked_ips": "10.0.0.0/33"},
        )  # fmt: skip
        self.assertContains(response, "is not an origin like https://www.example.co.jp")
        self.assertContains(response, "is not an IP address or network")

    def test_the_debugger_shows_the_latest_events_with_their_outcome_in_constant_queries(self):
        self.send("/v1/batch", {"batch": [{"type": "track", "event": f"E{i}", "anonymousId": "a", "context": {"userAgent": "Googlebot"}} for i in range(5)]})  # fmt: skip
        self.client.force_login(self.ken)
        url = reverse("tracking:debugger_events", args=[self.source.pk])
        with CaptureQueriesContext(connection) as few:
            self.client.get(url)
        self.send(
            "/v1/batch",
            {"batch": [{"type": "track", "event": f"F{i}", "anonymousId": "a"} for i in range(20)]},
        )
        with CaptureQueriesContext(connection) as many:
            response = self.client.get(url)
        self.assertEqual(len(few), len(many))
        self.assertContains(response, "Bot or crawler")
        self.assertContains(response, "F19")
        page = self.client.get(reverse("tracking:debugger", args=[self.source.pk]))
        self.assertContains(page, 'hx-trigger="every 3s"')

    def test_the_visitors_page_shows_anonymous_traffic_by_origin(self):
        self.send(
            "/v1/page",
            {
                "anonymousId": "v1",
                "properties": {
                    "url": "https://www.example.co.jp/?utm_source=linkedin&utm_medium=social"
                },
            },
        )
        self.send(
            "/v1/page",
            {
                "anonymousId": "v2",
                "properties": {
                    "url": "https://www.example.co.jp/",
                    "referrer": "https://www.google.co.jp/search",
                },
            },
        )
        self.client.force_login(self.sato)
        response = self.client.get(reverse("tracking:visitors", args=[self.source.pk]))
        self.assertContains(response, "linkedin")
        self.assertContains(response, "google.co.jp")


class SourceCommandTests(TrackingTestCase):
    def test_source_create_prints_the_write_key_as_json(self):
        out = StringIO()
        call_command(
            "source",
            "create",
            "ECサイト",
            "--origin",
            "https://shop.example.jp",
            "--json",
            stdout=out,
        )
        printed = json.loads(out.getvalue())
        source = Source.objects.get(pk=printed["id"])
        self.assertEqual((printed["name"], printed["write_key"]), ("ECサイト", source.write_key))
        self.assertEqual(source.origins, ["https://shop.example.jp"])
        self.assertIn(source.write_key, printed["snippet"])

    def test_source_rotate_issues_a_new_key(self):
        out = StringIO()
        call_command("source", "rotate", str(self.source.pk), "--json", stdout=out)
        self.assertNotEqual(json.loads(out.getvalue())["write_key"], self.source.write_key)

    def test_retention_purges_old_events_but_the_leads_timeline_stays(self):
        from datetime import timedelta

        from django.utils import timezone

        from kakehashi.tracking import actions

        self.send("/v1/page", {"anonymousId": "old", "messageId": "old"})
        self.send(
            "/v1/identify",
            {"anonymousId": "known", "messageId": "known", "traits": {"email": "k@example.jp"}},
        )
        self.send("/v1/page", {"anonymousId": "known", "messageId": "seen"})
        later = timezone.now() + timedelta(days=400)
        self.assertEqual(actions.purge_expired(now=later, retention_days=395), 3)
        self.assertFalse(Event.objects.exists())
        self.assertEqual(
            list(
                Activity.objects.filter(lead__email="k@example.jp", kind="page.viewed").values_list(
                    "data__message_id", flat=True
                )
            ),
            ["seen"],
        )
        self.assertEqual(list(Visitor.objects.values_list("anonymous_id", flat=True)), ["known"])
