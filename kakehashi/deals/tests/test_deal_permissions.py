"""Sales reps edit their own and their team's deals; managers all; everyone inside reads."""

from __future__ import annotations

import json

from django.utils import timezone

from kakehashi.accounts.actions import create_token
from kakehashi.deals import actions
from kakehashi.deals.models import CloseReason, Stage
from kakehashi.testing import PersonaTestCase


class DealPermissionTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        actions.ensure_defaults()
        cls.lead = cls.make_lead(owner=cls.sato)
        cls.deal = actions.create_deal(name="佐藤の商談", owner=cls.sato, leads=[cls.lead], amount=500000,
                                       actor=cls.sato, now=timezone.now())  # fmt: skip
        cls.proposal = Stage.objects.get(name_ja="提案")

    def move(self, user):
        self.client.force_login(user)
        return self.client.post(f"/deals/{self.deal.pk}/move/", {"stage": self.proposal.pk})

    def test_everyone_inside_reads_the_deal(self):
        for user in (self.aiko, self.ken, self.sato, self.haruka, self.mori):
            self.client.force_login(user)
            with self.subTest(user=user.email):
                self.assertContains(self.client.get(f"/deals/{self.deal.pk}/"), "佐藤の商談")
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get(f"/deals/{self.deal.pk}/").status_code, 403)

    def test_owner_teammate_and_manager_move_it_others_may_not(self):
        for user, allowed in ((self.haruka, False), (self.aiko, False), (self.ken, False),
                              (self.taro, True), (self.sato, True), (self.mori, True)):  # fmt: skip
            with self.subTest(user=user.email):
                self.assertEqual(self.move(user).status_code, 200 if allowed else 403)

    def test_marketing_cannot_create_deals(self):
        self.client.force_login(self.aiko)
        self.assertEqual(self.client.get("/deals/new/").status_code, 403)
        self.client.force_login(self.ken)
        self.assertEqual(self.client.get("/deals/new/").status_code, 200)

    def test_sec_authz_1_api_refuses_a_rep_of_another_team(self):
        key = create_token(user=self.haruka, name="t", now=timezone.now()).key
        auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
        self.assertEqual(self.client.get(f"/api/v1/deals/{self.deal.pk}", **auth).status_code, 200)
        patch = self.client.patch(f"/api/v1/deals/{self.deal.pk}", json.dumps({"amount": "1"}),
                                  content_type="application/json", **auth)  # fmt: skip
        self.assertEqual(patch.status_code, 403)
        reason = CloseReason.objects.filter(outcome="won").first()
        win = self.client.post(f"/api/v1/deals/{self.deal.pk}/win", json.dumps({"reason_id": reason.pk}),
                               content_type="application/json", **auth)  # fmt: skip
        self.assertEqual(win.status_code, 403)
        self.deal.refresh_from_db()
        self.assertEqual((self.deal.amount, self.deal.status), (500000, "open"))
