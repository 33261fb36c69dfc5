"""/t.gif: signed parameters only (SEC-DESER-1); the GIF answers whatever happens."""

from __future__ import annotations

import base64
import pickle

from django.core import signing

from kakehashi.tracking import pixel
from kakehashi.tracking.models import Event

from .base import TrackingTestCase


class PixelTests(TrackingTestCase):
    def get(self, token, **headers):
        with self.captureOnCommitCallbacks(execute=True):
            return self.public.get("/t.gif", {"d": token}, **headers)

    def test_a_signed_pixel_records_a_page_view_from_the_referrer(self):
        response = self.get(
            pixel.sign(source_id=self.source.pk), HTTP_REFERER="https://www.example.co.jp/nojs"
        )
        self.assertEqual(response["Content-Type"], "image/gif")
        self.assertEqual(response.content, pixel.GIF)
        self.assertEqual(response["Cache-Control"], "no-store, max-age=0")
        event = Event.objects.get()
        self.assertEqual(
            (event.type, event.payload["properties"]["url"]),
            ("page", "https://www.example.co.jp/nojs"),
        )
        self.assertTrue(event.anonymous_id.startswith("px-"))

    def test_an_email_open_pixel_names_the_event_and_user(self):
        self.get(
            pixel.sign(source_id=self.source.pk, type="track", name="Email Opened", user_id="crm-1")
        )
        event = Event.objects.get()
        self.assertEqual((event.name, event.user_id), ("Email Opened", "crm-1"))

    def test_sec_deser_1_a_tampered_token_records_nothing(self):
        token = pixel.sign(source_id=self.source.pk)
        self.assertEqual(self.get(token[:-2] + "xx").status_code, 200)
        self.assertEqual(self.get("").status_code, 200)
        self.assertFalse(Event.objects.exists())

    def test_sec_deser_1_a_pickle_payload_is_never_unpickled(self):
        class Boom:
            def __reduce__(self):
                return (exec, ("raise SystemExit('unpickled!')",))

        raw = base64.urlsafe_b64encode(pickle.dumps(Boom())).decode()
        self.assertEqual(self.get(raw).status_code, 200)
        forged = signing.dumps(
            {"s": self.source.pk, "t": "page"}, key="not-our-secret", salt=pixel.SALT
        )
        self.assertEqual(self.get(forged).status_code, 200)
        self.assertFalse(Event.objects.exists())

    def test_a_signed_token_for_another_purpose_is_refused(self):
        other = signing.dumps({"s": self.source.pk, "t": "page"}, salt="something.else")
        self.get(other)
        self.assertFalse(Event.objects.exists())
