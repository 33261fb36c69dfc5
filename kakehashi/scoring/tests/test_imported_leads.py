"""Leads an import writes in bulk (no ``timeline.record`` per change) are rescored after it."""

from __future__ import annotations

from django.utils import timezone

from kakehashi.imports import actions
from kakehashi.imports.models import ImportRun
from kakehashi.leads.models import Lead
from kakehashi.leads.signals import id_ranges
from kakehashi.scoring.models import LeadScore
from kakehashi.testing import PersonaTestCase

from .factories import standard_score


class ImportedLeadsTests(PersonaTestCase):
    def import_csv(self, text: str) -> ImportRun:
        now = timezone.now()
        run = actions.upload(raw=text.encode("cp932"), filename="list.csv", actor=self.aiko,
                             now=now)  # fmt: skip
        columns = {int(k): v for k, v in run.mapping.items()}
        actions.configure(run=run, columns=columns, consent_basis="business_card", source="",
                          on_match="update", actor=self.aiko, now=now)  # fmt: skip
        ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.PENDING)
        with self.captureOnCommitCallbacks(execute=True):
            return actions.execute(run.pk, now=now)

    def test_new_and_changed_leads_get_their_fit_after_the_import(self):
        score = standard_score()
        self.import_csv("氏名,メールアドレス,役職\n山田 太郎,taro@example.jp,営業部長\n")
        taro = Lead.objects.get(email="taro@example.jp")
        state = LeadScore.objects.get(lead=taro, score=score)
        self.assertEqual((state.fit_points, state.rules_version), (10, score.rules_version))
        self.import_csv("氏名,メールアドレス,役職\n山田 太郎,taro@example.jp,担当\n")
        self.assertEqual(LeadScore.objects.get(lead=taro, score=score).fit_points, 0)

    def test_a_dry_run_rescores_nothing(self):
        standard_score()
        now = timezone.now()
        run = actions.upload(raw="氏名,メールアドレス\n山田 太郎,taro@example.jp\n".encode(),
                             filename="list.csv", actor=self.aiko, now=now)  # fmt: skip
        ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.PENDING, dry_run=True)
        with self.captureOnCommitCallbacks(execute=True) as callbacks:
            actions.execute(run.pk, now=now)
        self.assertEqual(callbacks, [])
        self.assertFalse(LeadScore.objects.exists())


def test_ids_become_runs_of_consecutive_ids():
    assert id_ranges({7, 3, 4, 5, 9, 10}) == [(3, 5), (7, 7), (9, 10)]
    assert id_ranges(set()) == []
