"""REL-MRG-1 under random interleavings: creates, activities, notes and merges in any order never
orphan a row, lose an activity, or leave an old id that does not resolve."""

from __future__ import annotations

import uuid

from django.test import TestCase
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from kakehashi.leads import actions, merge, queries
from kakehashi.leads.models import Lead, LeadRedirect
from kakehashi.testing import make_user
from kakehashi.timeline import actions as timeline_actions
from kakehashi.timeline.models import Activity, Note


class MergeMachine(RuleBasedStateMachine):
    @initialize()
    def start(self):
        Activity.objects.all().delete()
        Note.objects.all().delete()
        LeadRedirect.objects.all().delete()
        Lead.objects.all().delete()
        # A fresh address per example: id(self) can repeat once an old machine is collected.
        self.user = make_user(f"u{uuid.uuid4().hex}@example.jp", "U", None, "admin")
        self.ids: list[int] = []
        self.activities = 0
        self.notes = 0

    @rule(name=st.sampled_from(["山田", "佐藤", "Doe"]), with_email=st.booleans())
    def create(self, name, with_email):
        fields = {"last_name": name}
        if with_email:
            fields["email"] = f"p{len(self.ids)}@example.jp"
        lead = actions.create_lead(actor=None, fields=fields, now=timezone.now())
        self.ids.append(lead.pk)
        self.activities += 1  # lead.created

    @precondition(lambda self: self.ids)
    @rule(data=st.data())
    def activity(self, data):
        lead = self.resolve(data.draw(st.sampled_from(self.ids)))
        timeline_actions.record(kind="page.viewed", lead=lead, data={"url": "/x"})
        self.activities += 1

    @precondition(lambda self: self.ids)
    @rule(data=st.data())
    def note(self, data):
        lead = self.resolve(data.draw(st.sampled_from(self.ids)))
        timeline_actions.add_note(author=self.user, body="メモ", lead=lead, now=timezone.now())
        self.activities += 1
        self.notes += 1

    @precondition(lambda self: len(self.ids) >= 2)
    @rule(data=st.data())
    def merge_two(self, data):
        a = self.resolve(data.draw(st.sampled_from(self.ids)))
        b = self.resolve(data.draw(st.sampled_from(self.ids)))
        if a.pk == b.pk:
            return
        merge.merge_leads(survivor=a, loser=b, actor=self.user, now=timezone.now())
        self.activities += 1  # lead.merged

    def resolve(self, pk):
        return queries.lead_or_survivor(Lead.objects.all(), pk)

    @invariant()
    def nothing_lost_or_orphaned(self):
        if not hasattr(self, "ids"):
            return
        live = set(Lead.objects.values_list("pk", flat=True))
        assert Activity.objects.filter(lead__isnull=False).count() == self.activities
        assert (
            set(Activity.objects.filter(lead__isnull=False).values_list("lead_id", flat=True))
            <= live
        )
        assert Note.objects.count() == self.notes
        assert set(Note.objects.values_list("lead_id", flat=True)) <= live
        for pk in self.ids:
            assert self.resolve(pk).pk in live


class MergeStatefulTest(TestCase):
    def test_rel_mrg_1_random_interleavings_lose_nothing(self):
        MergeMachine.TestCase.settings = settings(
            max_examples=25, stateful_step_count=15, deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        )  # fmt: skip
        from hypothesis.stateful import run_state_machine_as_test

        run_state_machine_as_test(MergeMachine, settings=MergeMachine.TestCase.settings)
