"""After a merge moves a lead's activities, the survivor's score is rebuilt from them."""

from __future__ import annotations

from django.utils import timezone

from kakehashi.scoring.models import LeadScore
from kakehashi.testing import PersonaTestCase
from kakehashi.timeline.actions import record
from kakehashi.timeline.models import Activity

from .factories import contributed, standard_score


class MergedLeadTests(PersonaTestCase):
    def test_lead_merged_rescores_the_survivor_from_its_timeline(self):
        score = standard_score()
        now = timezone.now()
        survivor = self.make_lead(owner=self.sato, last_name="残る")
        loser = self.make_lead(owner=self.sato, last_name="消える")
        record(kind="form.submitted", lead=loser, occurred_at=now, data={"form": "資料請求"})
        record(kind="email.clicked", lead=survivor, occurred_at=now, data={})
        # What lead merging does: move the activities, delete the loser, record lead.merged.
        Activity.objects.filter(lead=loser).update(lead=survivor)
        loser.delete()
        record(kind="lead.merged", lead=survivor, occurred_at=now, data={"loser_id": 0})
        state = LeadScore.objects.select_related("score").get(lead=survivor, score=score)
        self.assertAlmostEqual(state.engagement_at(now), 28, places=4)
        self.assertEqual(
            sorted(p for _a, _r, p in contributed(score, lead_id=survivor.pk)), [3, 25]
        )
