"""The deals and tasks API."""

from __future__ import annotations

import json

from django.utils import timezone

from kakehashi.accounts.actions import create_token
from kakehashi.deals import actions
from kakehashi.deals.models import CloseReason, Deal, Stage, Task
from kakehashi.testing import PersonaTestCase


class DealApiTests(PersonaTestCase):
    def setUp(self):
        actions.ensure_defaults()
        self.key = create_token(user=self.sato, name="crm", now=timezone.now()).key

    def call(self, method, path, body=None):
        kwargs = {"HTTP_AUTHORIZATION": f"Bearer {self.key}"}
        if body is not None:
            return getattr(self.client, method)(
                path, json.dumps(body), content_type="application/json", **kwargs
            )
        return getattr(self.client, method)(path, **kwargs)

    def test_create_move_log_and_win_through_the_api(self):
        lead = self.make_lead(owner=self.sato, company_name="東洋商事")
        created = self.call("post", "/api/v1/deals", {"name": "API案件", "lead_ids": [lead.pk], "amount": "3000000",
                                                      "expected_close_date": "2026-12-20"})  # fmt: skip
        self.assertEqual(created.status_code, 201, created.content)
        deal = created.json()
        self.assertEqual(
            (deal["owner_id"], deal["lead_ids"], deal["effective_probability"]),
            (self.sato.pk, [lead.pk], 10),
        )
        quote = Stage.objects.get(name_ja="見積")
        moved = self.call(
            "patch", f"/api/v1/deals/{deal['id']}", {"stage_id": quote.pk, "committed": True}
        )
        self.assertEqual((moved.json()["stage_id"], moved.json()["committed"]), (quote.pk, True))
        won_stage = Stage.objects.get(kind="won")
        self.assertEqual(
            self.call(
                "patch", f"/api/v1/deals/{deal['id']}", {"stage_id": won_stage.pk}
            ).status_code,
            400,
        )
        logged = self.call("post", f"/api/v1/deals/{deal['id']}/activities",
                           {"kind": "meeting", "summary": "デモ実施", "next_step": "稟議", "next_due": "2026-12-01T10:00:00+09:00"})  # fmt: skip
        self.assertEqual(logged.status_code, 201, logged.content)
        self.assertEqual(self.call("get", "/api/v1/tasks").json()["count"], 1)
        reason = CloseReason.objects.filter(outcome="won").first()
        self.assertEqual(
            self.call("post", f"/api/v1/deals/{deal['id']}/win", {"reason_id": 999999}).status_code,
            400,
        )
        won = self.call("post", f"/api/v1/deals/{deal['id']}/win", {"reason_id": reason.pk})
        self.assertEqual((won.json()["status"], won.json()["effective_probability"]), ("won", 100))
        self.assertEqual(
            self.call(
                "post", f"/api/v1/deals/{deal['id']}/win", {"reason_id": reason.pk}
            ).status_code,
            409,
        )

    def test_lost_to_a_competitor_needs_its_name(self):
        deal = actions.create_deal(name="X", owner=self.sato, actor=self.sato, now=timezone.now())
        reason = CloseReason.objects.get(outcome="lost", needs_competitor=True)
        self.assertEqual(
            self.call(
                "post", f"/api/v1/deals/{deal.pk}/lose", {"reason_id": reason.pk}
            ).status_code,
            400,
        )
        lost = self.call(
            "post", f"/api/v1/deals/{deal.pk}/lose", {"reason_id": reason.pk, "competitor": "B社"}
        )
        self.assertEqual((lost.json()["status"], lost.json()["competitor"]), ("lost", "B社"))

    def test_validation_errors_are_declared_statuses(self):
        self.assertEqual(self.call("post", "/api/v1/deals", {"name": ""}).status_code, 422)
        self.assertEqual(
            self.call("post", "/api/v1/deals", {"name": "x", "amount": "-1"}).status_code, 422
        )
        self.assertEqual(
            self.call("post", "/api/v1/deals", {"name": "x", "lead_ids": [999999]}).status_code, 400
        )
        self.assertEqual(self.call("get", "/api/v1/deals?status=nope").status_code, 400)
        self.assertEqual(self.call("get", "/api/v1/deals/999999").status_code, 404)
        self.assertFalse(Deal.objects.exists())

    def test_tasks_are_completed_by_their_owner(self):
        task = actions.create_task(kind="call", title="電話", due_at=timezone.now(), owner=self.haruka,
                                   actor=self.haruka, now=timezone.now())  # fmt: skip
        self.assertEqual(self.call("post", f"/api/v1/tasks/{task.pk}/done").status_code, 403)
        mine = self.call(
            "post", "/api/v1/tasks", {"title": "見積作成", "due_at": "2026-12-01T10:00:00+09:00"}
        )
        self.assertEqual(mine.status_code, 201)
        done = self.call("post", f"/api/v1/tasks/{mine.json()['id']}/done")
        self.assertIsNotNone(done.json()["done_at"])
        self.assertIsNone(Task.objects.get(pk=task.pk).done_at)
