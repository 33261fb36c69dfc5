"""Shared scaffolding: a source and a way to post to the public endpoints as a client would."""

from __future__ import annotations

import base64
import gzip
import json
from typing import Any

from django.test import Client
from django.utils import timezone

from kakehashi.testing import PersonaTestCase
from kakehashi.tracking import actions, sources
from kakehashi.tracking.models import Source


class TrackingTestCase(PersonaTestCase):
    source: Source

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.source = actions.create_source(
            name="Corporate site",
            actor=cls.aiko,
            now=timezone.now(),
            allowed_origins="https://www.example.co.jp",
        )

    def setUp(self):
        sources.forget()
        # A visitor or a server: no login, no cookies of ours (reasons asserted in English).
        self.public = Client(HTTP_ACCEPT_LANGUAGE="en")

    def basic(self, key: str | None = None) -> str:
        key = self.source.write_key if key is None else key
        return "Basic " + base64.b64encode(f"{key}:".encode()).decode()

    def send(
        self,
        path: str,
        body: Any,
        *,
        key: str | None = None,
        basic: bool = True,
        gzipped: bool = False,
        **headers: Any,
    ):
        """POST like a Segment library (Basic auth) and run the processing it schedules."""
        key = self.source.write_key if key is None else key
        if isinstance(body, dict) and not basic:
            body = {**body, "writeKey": key}
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        if gzipped:
            raw = gzip.compress(raw)
            headers["HTTP_CONTENT_ENCODING"] = "gzip"
        if basic:
            headers["HTTP_AUTHORIZATION"] = self.basic(key)
        with self.captureOnCommitCallbacks(execute=True):
            return self.public.post(path, raw, content_type="application/json", **headers)
