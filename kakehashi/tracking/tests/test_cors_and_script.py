"""Browsers may post only from a source's own sites; /t.js is served as our own script."""

from __future__ import annotations

from .base import TrackingTestCase

EVENT = {"type": "page", "anonymousId": "a", "properties": {"url": "https://www.example.co.jp/"}}


class CorsTests(TrackingTestCase):
    def test_a_configured_origin_gets_cors_headers(self):
        response = self.send("/v1/page", EVENT, HTTP_ORIGIN="https://www.example.co.jp")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Access-Control-Allow-Origin"], "https://www.example.co.jp")

    def test_another_site_is_refused_without_cors_headers(self):
        response = self.send("/v1/page", EVENT, HTTP_ORIGIN="https://evil.example")
        self.assertEqual(response.status_code, 403)
        self.assertFalse(response.has_header("Access-Control-Allow-Origin"))

    def test_servers_send_no_origin_and_are_accepted(self):
        self.assertEqual(self.send("/v1/page", EVENT).status_code, 200)
        self.assertFalse(self.send("/v1/page", EVENT).has_header("Access-Control-Allow-Origin"))

    def test_preflight_answers_only_configured_origins(self):
        ok = self.public.options("/v1/batch", HTTP_ORIGIN="https://www.example.co.jp")
        self.assertEqual(ok.status_code, 204)
        self.assertEqual(ok["Access-Control-Allow-Origin"], "https://www.example.co.jp")
        self.assertIn("Authorization", ok["Access-Control-Allow-Headers"])
        refused = self.public.options("/v1/batch", HTTP_ORIGIN="https://evil.example")
        self.assertFalse(refused.has_header("Access-Control-Allow-Origin"))


class ScriptTests(TrackingTestCase):
    def test_t_js_is_served_as_javascript_with_the_consent_option(self):
        response = self.public.get("/t.js")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response["Content-Type"].startswith("application/javascript"))
        body = response.content.decode()
        self.assertIn("data-consent", body)
        self.assertIn("sendBeacon", body)
        self.assertNotIn("http://", body.replace("http://www", ""))  # no third-party code

    def test_the_floor_endpoint_is_off_unless_benchmarking(self):
        self.assertEqual(
            self.public.post("/v1/_floor", b"{}", content_type="application/json").status_code, 404
        )
        with self.settings(TRACKING_BENCH_ENDPOINT=True):
            self.assertEqual(
                self.public.post("/v1/_floor", b"{}", content_type="application/json").status_code,
                200,
            )
