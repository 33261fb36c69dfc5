"""The demo data set: bilingual, both departments on one timeline, idempotent people."""

from __future__ import annotations

import json
from io import StringIO

from django.core.management import call_command
from django.db.models import Count
from django.test import TestCase
from django.utils import timezone

from kakehashi.accounts.models import User
from kakehashi.demo import generate
from kakehashi.leads.models import Company, Lead
from kakehashi.lib.normalize import has_cjk
from kakehashi.timeline.models import Activity, Note


class DemoDataTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.summary = generate.generate(
            leads=400, activities_per_lead=10, password="demo-password-2026"
        )

    def test_counts_match_what_was_asked(self):
        self.assertEqual(Lead.objects.count(), 400)
        self.assertEqual(
            Activity.objects.filter(lead__isnull=False).count(), self.summary.activities
        )
        self.assertAlmostEqual(self.summary.activities / 400, 10, delta=1.5)
        self.assertEqual(Note.objects.count(), self.summary.notes)
        self.assertEqual(Company.objects.count(), self.summary.companies)

    def test_people_are_japanese_with_kana_and_english_too(self):
        japanese = Lead.objects.exclude(last_name_kana="")
        self.assertGreater(japanese.count(), 200)
        self.assertTrue(all(has_cjk(lead.last_name) for lead in japanese[:50]))
        english = Lead.objects.filter(last_name_kana="")
        self.assertGreater(english.count(), 20)
        self.assertTrue(Company.objects.filter(name__contains="株式会社").exists())
        self.assertTrue(Company.objects.filter(name__endswith="Inc.").exists())

    def test_both_departments_write_to_the_same_timelines(self):
        departments = set(Activity.objects.values_list("department", flat=True))
        self.assertTrue({"marketing", "inside_sales", "field_sales"} <= departments)
        mixed = (
            Lead.objects.annotate(
                m=Count("activities", filter=models_q("marketing")),
                s=Count("activities", filter=models_q("inside_sales")),
            )
            .filter(m__gt=0, s__gt=0)
            .count()
        )
        self.assertGreater(mixed, 100)

    def test_activities_span_twelve_months_and_last_activity_is_right(self):
        span = (
            Activity.objects.order_by("occurred_at").first(),
            Activity.objects.order_by("-occurred_at").first(),
        )
        self.assertGreater((span[1].occurred_at - span[0].occurred_at).days, 300)
        lead = Lead.objects.annotate(n=Count("activities")).order_by("-n").first()
        newest = lead.activities.order_by("-occurred_at").first()
        self.assertEqual(lead.last_activity_at, newest.occurred_at)

    def test_rerunning_adds_leads_but_keeps_the_demo_users(self):
        users = User.objects.count()
        out = StringIO()
        call_command("demo", leads=20, json=True, stdout=out)
        self.assertEqual(json.loads(out.getvalue())["leads"], 20)
        self.assertEqual(Lead.objects.count(), 420)
        self.assertEqual(User.objects.count(), users)

    def test_demo_personas_can_log_in(self):
        aiko = User.objects.get(email=f"aiko@{generate.DEMO_DOMAIN}")
        self.assertTrue(aiko.check_password("demo-password-2026"))
        self.assertEqual(aiko.team.function, "marketing")


def models_q(department):
    from django.db.models import Q

    return Q(activities__department=department)


class ShowcaseTests(TestCase):
    def test_the_first_run_shows_every_area_with_something_in_it(self):
        from kakehashi.deals.models import Deal
        from kakehashi.handoff.models import Handoff, HandoffPolicy
        from kakehashi.journey.models import LeadStage
        from kakehashi.scoring.models import LeadScore
        from kakehashi.tracking.models import Source

        out = StringIO()
        call_command("demo", leads=300, activities_per_lead=6, json=True, stdout=out)
        showcase = json.loads(out.getvalue())["showcase"]
        decided = showcase.pop("handoffs_decided")
        self.assertEqual(
            showcase,
            {"score": True, "journey": True, "handoff": True, "deals": 150, "source": True},
        )
        self.assertEqual(LeadScore.objects.count(), 300)
        self.assertGreater(LeadStage.objects.exclude(stage__key="awareness").count(), 50)
        self.assertTrue(HandoffPolicy.objects.exists())
        self.assertTrue(Handoff.objects.filter(status="open", owner__isnull=False).exists())
        # Sales has worked the queue: decisions both ways, and today's MQLs within their SLA.
        statuses = set(Handoff.objects.values_list("status", flat=True))
        self.assertTrue({"accepted", "rejected", "open"} <= statuses, statuses)
        self.assertEqual(decided, Handoff.objects.exclude(status="open").count())
        self.assertTrue(
            Handoff.objects.filter(status="open", due_at__gt=timezone.now()).exists(),
            "the demo's queue has hand-offs still within their SLA",
        )
        self.assertFalse(
            Handoff.objects.filter(status="rejected", reason__isnull=True).exists(),
            "every rejection carries its coded reason back to marketing",
        )
        self.assertTrue(Deal.objects.filter(status="won").exists())
        self.assertTrue(Source.objects.exists())
        again = StringIO()
        call_command("demo", leads=10, json=True, stdout=again)
        self.assertEqual(json.loads(again.getvalue())["showcase"]["deals"], 0, "set up once")
