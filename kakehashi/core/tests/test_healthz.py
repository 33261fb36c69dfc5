"""/healthz: 200 only when the database answers; the worker's heartbeat is reported."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

from django.test import TestCase, override_settings
from django.utils import timezone

from kakehashi.core import actions, tasks
from kakehashi.core.models import Heartbeat

QUEUED = {"immediate": False, "huey_class": "huey.SqliteHuey"}


class HealthzTests(TestCase):
    def test_reports_ok_when_the_database_answers(self):
        response = self.client.get("/healthz")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["status"], "ok")
        self.assertEqual(response.json()["database"], "ok")

    @override_settings(HUEY=QUEUED)
    def test_worker_is_never_seen_then_ok_after_a_heartbeat_then_stale(self):
        self.assertEqual(self.client.get("/healthz").json()["worker"], "never seen")
        tasks.heartbeat.call_local()
        self.assertEqual(self.client.get("/healthz").json()["worker"], "ok")
        Heartbeat.objects.update(seen_at=timezone.now() - timedelta(minutes=10))
        self.assertEqual(self.client.get("/healthz").json()["worker"], "stale")

    def test_a_database_that_does_not_answer_is_a_503(self):
        with mock.patch.object(actions, "database_status", return_value="error: OperationalError"):
            response = self.client.get("/healthz")
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response.json()["status"], "error")

    def test_needs_no_login_and_sets_no_session(self):
        response = self.client.get("/healthz")
        self.assertNotIn("sessionid", response.cookies)
