"""The SQL recompute (window functions for caps) agrees with the ingestion path exactly."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from kakehashi.leads import actions as lead_actions
from kakehashi.scoring import engine
from kakehashi.scoring.models import LeadScore
from kakehashi.timeline.actions import record

from .factories import contributed, recompute, standard_score

KINDS = [
    ("page.viewed", {"url": "https://example.jp/pricing"}),
    ("page.viewed", {"url": "https://example.jp/Careers"}),
    ("email.clicked", {"url": "x"}),
    ("form.submitted", {"form": "資料請求"}),
    ("call.logged", {}),
]


class RecomputeAgreesTests(TestCase):
    @settings(max_examples=25, deadline=None)
    @given(
        st.lists(
            st.tuples(
                st.integers(0, 1),
                st.sampled_from(range(len(KINDS))),
                st.floats(0, 20 * 86400, allow_nan=False),
            ),
            max_size=25,
        )
    )
    def test_recompute_equals_the_incremental_state(self, sequence):
        engine.invalidate()
        score = standard_score()
        now = timezone.now()
        leads = [
            lead_actions.create_lead(
                actor=None, fields={"last_name": name, "title": "部長"}, now=now
            )
            for name in ("山田", "佐藤")
        ]
        for who, index, seconds_ago in sequence:
            kind, data = KINDS[index]
            at = now - timedelta(seconds=seconds_ago)
            record(kind=kind, lead=leads[who], occurred_at=at, data=data)
        before = {
            row.lead_id: row.engagement_at(now)
            for row in LeadScore.objects.select_related("score").filter(score=score)
        }
        events = contributed(score)
        recompute(score)
        after = {
            row.lead_id: row.engagement_at(now)
            for row in LeadScore.objects.select_related("score").filter(score=score)
        }
        self.assertEqual(set(after), {lead.pk for lead in leads})
        for lead in leads:
            self.assertAlmostEqual(after[lead.pk], before.get(lead.pk, 0.0), places=6)
        self.assertEqual(contributed(score), events)
        engine.invalidate()
