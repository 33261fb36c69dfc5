"""The official Segment Python library, pointed at a running kakehashi, works unchanged:
identify, track and page land on the right lead's timeline."""

from __future__ import annotations

from django.test import LiveServerTestCase
from django.utils import timezone
from segment.analytics import Client
from segment.analytics import request as segment_request

from kakehashi.leads.models import Lead
from kakehashi.timeline.models import Activity
from kakehashi.tracking import actions, sources
from kakehashi.tracking.models import Event


class SegmentLibraryTests(LiveServerTestCase):
    def setUp(self):
        sources.forget()
        self.source = actions.create_source(name="Backend", actor=None, now=timezone.now())
        self.errors: list[Exception] = []

        # The library keeps its HTTP connection alive, and the live server's thread for it
        # would hold a database connection past the test: one request per connection.
        segment_request._session.headers["Connection"] = "close"
        self.addCleanup(segment_request._session.headers.pop, "Connection", None)

    def client_for(self, **options):
        return Client(
            self.source.write_key,
            host=self.live_server_url,
            on_error=lambda error, batch: self.errors.append(error),
            max_retries=1,
            **options,
        )

    def test_identify_track_and_page_reach_the_leads_timeline(self):
        analytics = self.client_for(gzip=True)
        analytics.identify(
            "crm-1001",
            {"email": "Keiko.Sato@Example.co.jp", "lastName": "佐藤", "firstName": "恵子"},
        )
        analytics.track("crm-1001", "Requested Demo", {"plan": "enterprise"})
        analytics.page(
            "crm-1001", "Docs", "Getting started", {"url": "https://www.example.co.jp/docs/start"}
        )
        analytics.identify("crm-2002", {"email": "other@example.co.jp"})
        analytics.track("crm-2002", "Signed Up")
        analytics.flush()
        analytics.join()
        self.assertEqual(self.errors, [])

        keiko = Lead.objects.get(email="keiko.sato@example.co.jp")
        self.assertEqual((keiko.last_name, keiko.first_name), ("佐藤", "恵子"))
        kinds = set(Activity.objects.filter(lead=keiko).values_list("kind", flat=True))
        self.assertTrue({"track.requested_demo", "page.viewed"} <= kinds, kinds)
        demo = Activity.objects.get(lead=keiko, kind="track.requested_demo")
        self.assertEqual(demo.data["properties"], {"plan": "enterprise"})
        page = Activity.objects.get(lead=keiko, kind="page.viewed")
        self.assertEqual(page.data["url"], "https://www.example.co.jp/docs/start")
        other = Lead.objects.get(email="other@example.co.jp")
        self.assertEqual(
            list(
                Activity.objects.filter(lead=other, kind__startswith="track.").values_list(
                    "kind", flat=True
                )
            ),
            ["track.signed_up"],
        )
        self.assertEqual(Event.objects.filter(source=self.source).count(), 5)

    def test_a_wrong_write_key_is_reported_to_the_library(self):
        analytics = Client("wrong-key", host=self.live_server_url, max_retries=0,
                           on_error=lambda error, batch: self.errors.append(error))  # fmt: skip
        analytics.track("u1", "Anything")
        analytics.flush()
        analytics.join()
        self.assertEqual(len(self.errors), 1)
        self.assertEqual(self.errors[0].status, 401)
        self.assertFalse(Event.objects.exists())
