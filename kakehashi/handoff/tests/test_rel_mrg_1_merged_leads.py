"""Merging two leads keeps the journey and the hand-off whole (REL-MRG-1): the survivor keeps its
stage, every stage change and hand-off moves, and only one hand-off stays open."""

from __future__ import annotations

from django.utils import timezone

from kakehashi.handoff import actions
from kakehashi.handoff.models import Handoff
from kakehashi.journey.models import LeadStage, StageChange
from kakehashi.leads import merge
from kakehashi.testing import PersonaTestCase

from .factories import setup, stage, stage_key


class MergedLeadTests(PersonaTestCase):
    def test_rel_mrg_1_the_survivor_keeps_its_stage_and_one_open_handoff(self):
        setup(self)
        now = timezone.now()
        survivor, loser = self.make_lead(last_name="山田"), self.make_lead(last_name="山田")
        mql = stage(self.journey, "mql")
        for lead in (survivor, loser):
            actions.start_handoff(lead=lead, stage_id=mql.pk, now=now)
        changes = StageChange.objects.filter(lead__in=[survivor, loser]).count()

        merge.merge_leads(survivor=survivor, loser=loser, actor=self.mori, now=now)

        self.assertEqual(LeadStage.objects.filter(lead=survivor).count(), 1)
        self.assertEqual(stage_key(survivor, self.journey), "awareness")
        self.assertEqual(StageChange.objects.filter(lead=survivor).count(), changes)
        self.assertEqual(Handoff.objects.filter(lead=survivor).count(), 2)
        self.assertEqual(Handoff.objects.filter(lead=survivor, status="open").count(), 1)
