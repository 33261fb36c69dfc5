"""Hand-offs and journey counts over the API: the caller's queue, accept, reject; refusals."""

from __future__ import annotations

from django.utils import timezone

from kakehashi.handoff import actions
from kakehashi.handoff.models import Handoff
from kakehashi.leads.tests.test_api import ApiTestCase

from .factories import setup, stage, stage_key


class HandoffApiTests(ApiTestCase):
    def setUp(self):
        setup(self)
        mql = stage(self.journey, "mql")
        now = timezone.now()
        self.handoffs = [
            actions.start_handoff(lead=self.make_lead(last_name=f"L{i}"), stage_id=mql.pk, now=now)
            for i in range(3)
        ]
        self.kens = [h for h in self.handoffs if h.owner == self.ken]

    def test_ken_lists_his_open_handoffs(self):
        body = self.call("get", "/api/v1/handoffs", user=self.ken).json()
        self.assertEqual(body["count"], 2)
        self.assertEqual({r["owner_id"] for r in body["results"]}, {self.ken.pk})

    def test_ken_rejects_with_a_reason_code_and_the_lead_is_recycled(self):
        handoff = self.kens[0]
        response = self.call("post", f"/api/v1/handoffs/{handoff.pk}/reject", user=self.ken,
                             body={"reason": "bad_data", "comment": "番号不通"})  # fmt: skip
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(
            (response.json()["status"], response.json()["reason_code"]), ("rejected", "bad_data")
        )
        self.assertEqual(stage_key(handoff.lead, self.journey), "nurture")
        again = self.call(
            "post",
            f"/api/v1/handoffs/{handoff.pk}/reject",
            user=self.ken,
            body={"reason": "bad_data"},
        )
        self.assertEqual(again.status_code, 409)

    def test_an_unknown_reason_is_a_400(self):
        response = self.call(
            "post",
            f"/api/v1/handoffs/{self.kens[0].pk}/reject",
            user=self.ken,
            body={"reason": "meh"},
        )
        self.assertEqual(response.status_code, 400)

    def test_ken_accepts_to_sql(self):
        handoff = self.kens[0]
        response = self.call(
            "post",
            f"/api/v1/handoffs/{handoff.pk}/accept",
            user=self.ken,
            body={"stage_key": "sql"},
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(stage_key(handoff.lead, self.journey), "sql")

    def test_field_sales_and_read_only_tokens_are_refused(self):
        handoff = self.kens[0]
        response = self.call(
            "post", f"/api/v1/handoffs/{handoff.pk}/accept", user=self.sato, body={}
        )
        self.assertEqual(response.status_code, 403)
        token = self.token(self.ken, scope="read")
        response = self.call("post", f"/api/v1/handoffs/{handoff.pk}/accept", token=token, body={})
        self.assertEqual(response.status_code, 403)
        self.assertEqual(Handoff.objects.get(pk=handoff.pk).status, "open")

    def test_journey_counts(self):
        body = self.call("get", f"/api/v1/journeys/{self.journey.pk}/counts", user=self.aiko).json()
        counts = {s["key"]: s["leads"] for s in body["stages"]}
        self.assertEqual(counts["awareness"], 3)
        self.assertEqual(
            self.call(
                "get", f"/api/v1/journeys/{self.journey.pk}/counts", user=self.outsider
            ).status_code,
            403,
        )
