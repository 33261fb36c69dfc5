"""Routing: the company's owner first (account-based), territories, away people and capacity;
leads nobody can take wait and are assigned when someone has room."""

from __future__ import annotations

from django.utils import timezone

from kakehashi.accounts.models import User
from kakehashi.handoff import actions
from kakehashi.handoff.models import AssignmentMember, AssignmentRule, Handoff
from kakehashi.leads import actions as lead_actions
from kakehashi.testing import PersonaTestCase

from .factories import setup, stage


class AssignmentRuleTests(PersonaTestCase):
    def setUp(self):
        setup(self)
        self.now = timezone.now()
        self.mql = stage(self.journey, "mql")

    def hand_off(self, **fields):
        lead = self.make_lead(**fields)
        return actions.start_handoff(lead=lead, stage_id=self.mql.pk, now=self.now)

    def test_account_based_the_company_owner_gets_the_lead(self):
        company = lead_actions.create_company(
            actor=None, fields={"name": "東洋工業", "owner": self.sato}, now=self.now
        )
        handoff = self.hand_off(company=company)
        self.assertEqual(handoff.owner, self.sato)

    def test_an_away_company_owner_is_skipped(self):
        User.objects.filter(pk=self.sato.pk).update(is_away=True)
        company = lead_actions.create_company(
            actor=None, fields={"name": "東洋工業", "owner": self.sato}, now=self.now
        )
        self.assertIn(self.hand_off(company=company).owner, (self.ken, self.yuki))

    def test_territory_rules_come_first(self):
        kansai = AssignmentRule.objects.create(
            policy=self.policy, name="関西", position=0, prefectures=[26, 27, 28]
        )
        AssignmentMember.objects.create(rule=kansai, user=self.yuki)
        self.assertEqual(self.hand_off(prefecture=27).owner, self.yuki)
        self.assertEqual(self.hand_off(prefecture=13).owner, self.ken)

    def test_away_people_get_no_new_leads(self):
        User.objects.filter(pk=self.ken.pk).update(is_away=True)
        owners = {self.hand_off(last_name=f"L{i}").owner for i in range(3)}
        self.assertEqual(owners, {self.yuki})

    def test_capacity_full_leads_wait_then_are_assigned_when_room_frees(self):
        AssignmentMember.objects.filter(rule__policy=self.policy).update(capacity=1)
        first, second, third = (self.hand_off(last_name=f"L{i}") for i in range(3))
        self.assertEqual({first.owner, second.owner}, {self.ken, self.yuki})
        third.refresh_from_db()
        self.assertIsNone(third.owner)
        self.assertEqual(actions.assign_waiting(now=self.now), 0)
        actions.accept(handoff=first, actor=first.owner, now=self.now)
        self.assertEqual(actions.assign_waiting(now=self.now), 1)
        third.refresh_from_db()
        self.assertEqual(third.owner, first.owner)

    def test_a_lead_is_never_handed_off_twice_while_open(self):
        lead = self.make_lead()
        actions.start_handoff(lead=lead, stage_id=self.mql.pk, now=self.now)
        self.assertIsNone(actions.start_handoff(lead=lead, stage_id=self.mql.pk, now=self.now))
        self.assertEqual(Handoff.objects.filter(lead=lead).count(), 1)
