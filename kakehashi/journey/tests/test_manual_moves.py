"""Moving a lead by hand needs a reason; the stage history shows who moved it and why."""

from __future__ import annotations

from django.urls import reverse

from kakehashi.handoff.models import Handoff
from kakehashi.journey.models import StageChange
from kakehashi.testing import PersonaTestCase

from .factories import btob, score, stage, stage_key


class ManualMoveTests(PersonaTestCase):
    def setUp(self):
        score()
        self.journey = btob()
        self.lead = self.make_lead(owner=self.sato)

    def move(self, user, key, reason):
        self.client.force_login(user)
        return self.client.post(
            reverse("journey:lead_move", args=[self.lead.pk, self.journey.pk]),
            {
                f"j{self.journey.pk}-stage": stage(self.journey, key).pk,
                f"j{self.journey.pk}-reason": reason,
            },
        )

    def test_the_owner_moves_a_lead_with_a_reason_and_it_shows_in_the_history(self):
        self.move(self.sato, "opportunity", "展示会で即商談化")
        self.assertEqual(stage_key(self.lead, self.journey), "opportunity")
        change = StageChange.objects.filter(lead=self.lead).first()
        self.assertEqual((change.actor, change.reason), (self.sato, "展示会で即商談化"))
        page = self.client.get(reverse("journey:lead", args=[self.lead.pk]))
        self.assertContains(page, "展示会で即商談化")
        self.assertContains(page, "Opportunity")

    def test_a_move_without_a_reason_is_refused(self):
        self.move(self.sato, "opportunity", "")
        self.assertEqual(stage_key(self.lead, self.journey), "awareness")

    def test_someone_who_cannot_edit_the_lead_cannot_move_it(self):
        response = self.move(self.haruka, "opportunity", "勝手に")
        self.assertEqual(response.status_code, 403)
        self.assertEqual(stage_key(self.lead, self.journey), "awareness")

    def test_a_manual_move_into_mql_hands_the_lead_off_once_a_policy_exists(self):
        from kakehashi.handoff.tests.factories import policy

        policy(self.journey, self.inside_sales)
        self.move(self.aiko, "mql", "セミナーで強い関心")
        handoff = Handoff.objects.get(lead=self.lead)
        self.assertEqual(handoff.owner, self.ken, "routed to inside sales, not kept by field sales")
