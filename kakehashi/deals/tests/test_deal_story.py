"""The sales story: appointment → deal and meeting for field sales → stages → won → customer
with after-follow; a lost deal sends its lead back to nurturing."""

from __future__ import annotations

from datetime import timedelta

from django.core import mail
from django.utils import timezone

from kakehashi.deals import actions
from kakehashi.deals.models import AfterFollow, CloseReason, Deal, Stage, Task
from kakehashi.journey import actions as journey_actions
from kakehashi.journey import queries as journey_queries
from kakehashi.testing import PersonaTestCase
from kakehashi.timeline.models import Activity


class DealStoryTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        actions.ensure_defaults()
        cls.journey = journey_actions.create_from_blueprint(
            key="btob", actor=None, now=timezone.now()
        )
        cls.won_reason = CloseReason.objects.filter(outcome="won").first()
        cls.competitor_reason = CloseReason.objects.get(outcome="lost", needs_competitor=True)

    def stage_key(self, lead):
        return [s.stage.key for s in journey_queries.current_stages(lead.pk)]

    def test_appointment_to_won_customer_with_after_follow(self):
        lead = self.make_lead(
            owner=self.ken, email="buyer@customer.co.jp", company_name="株式会社顧客"
        )
        self.client.force_login(self.ken)
        starts = (timezone.localtime() + timedelta(days=3)).replace(
            hour=14, minute=0, second=0, microsecond=0
        )
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(f"/deals/appointment/{lead.pk}/", {
                "owner": self.sato.pk, "starts_at": starts.strftime("%Y-%m-%dT%H:%M"), "minutes": 60,
                "location": "先方オフィス", "deal_name": "", "amount": "1200000",
            })  # fmt: skip
        deal = Deal.objects.get()
        self.assertRedirects(response, f"/deals/{deal.pk}/")
        self.assertEqual(
            (deal.owner, deal.team, deal.amount), (self.sato, self.field_sales, 1200000)
        )
        meeting = Task.objects.get(kind="meeting")
        self.assertEqual((meeting.owner, meeting.due_at, meeting.deal), (self.sato, starts, deal))
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].to, ["sato@example.jp"])
        ics = mail.outbox[0].attachments[0][1]
        ics = ics.decode() if isinstance(ics, bytes) else ics
        self.assertIn("BEGIN:VEVENT", ics)
        self.assertIn("LOCATION:先方オフィス", ics)
        self.assertEqual(self.stage_key(lead), ["opportunity"])

        self.client.force_login(self.sato)
        proposal = Stage.objects.get(name_ja="提案")
        moved = self.client.post(f"/deals/{deal.pk}/move/", {"stage": proposal.pk})
        self.assertEqual(moved.json(), {"ok": True, "stage": proposal.pk})
        won_stage = Stage.objects.get(kind="won")
        self.assertEqual(self.client.post(f"/deals/{deal.pk}/move/", {"stage": won_stage.pk}).json(),
                         {"close": f"/deals/{deal.pk}/close/won/"})  # fmt: skip
        refused = self.client.post(f"/deals/{deal.pk}/close/won/", {})
        self.assertContains(refused, "This field is required.")
        self.client.post(f"/deals/{deal.pk}/close/won/", {"reason": self.won_reason.pk})
        deal.refresh_from_db()
        self.assertEqual(
            (deal.status, deal.stage.kind, deal.close_reason), ("won", "won", self.won_reason)
        )
        self.assertEqual(self.stage_key(lead), ["won"])
        follow_tasks = Task.objects.filter(deal=deal, kind__in=["after_follow", "meeting"]).exclude(
            pk=meeting.pk
        )
        self.assertEqual(
            sorted((t.due_at - deal.closed_at).days for t in follow_tasks), [7, 30, 90]
        )
        self.assertTrue(all(t.owner == self.sato for t in follow_tasks))
        self.assertEqual(AfterFollow.objects.get(deal=deal).status, "onboarding")
        kinds = set(Activity.objects.filter(lead=lead).values_list("kind", flat=True))
        self.assertTrue(
            {"deal.created", "deal.stage_changed", "deal.won", "meeting.scheduled"} <= kinds
        )

    def test_a_lost_deal_sends_the_lead_back_to_nurturing(self):
        lead = self.make_lead(owner=self.sato, email="maybe@customer.co.jp")
        deal = actions.create_deal(
            name="検討案件", owner=self.sato, leads=[lead], actor=self.sato, now=timezone.now()
        )
        self.client.force_login(self.sato)
        missing = self.client.post(
            f"/deals/{deal.pk}/close/lost/", {"reason": self.competitor_reason.pk}
        )
        self.assertContains(missing, "Which competitor won the deal?")
        self.client.post(
            f"/deals/{deal.pk}/close/lost/",
            {"reason": self.competitor_reason.pk, "competitor": "競合A社"},
        )
        deal.refresh_from_db()
        self.assertEqual((deal.status, deal.competitor), ("lost", "競合A社"))
        self.assertEqual(self.stage_key(lead), ["nurture"])

    def test_won_and_lost_feed_the_likelihood_models_outcomes(self):
        from kakehashi.scoring import outcomes

        won_lead = self.make_lead(owner=self.sato, email="w@example.jp")
        lost_lead = self.make_lead(owner=self.sato, email="l@example.jp")
        now = timezone.now()
        won = actions.create_deal(
            name="A", owner=self.sato, leads=[won_lead], actor=self.sato, now=now
        )
        lost = actions.create_deal(
            name="B", owner=self.sato, leads=[lost_lead], actor=self.sato, now=now
        )
        actions.win_deal(deal=won, reason=self.won_reason, actor=self.sato, now=now)
        actions.lose_deal(deal=lost, reason=CloseReason.objects.filter(outcome="lost", needs_competitor=False).first(),
                          actor=self.sato, now=now)  # fmt: skip
        labels = outcomes.labels()
        self.assertEqual(labels.get(won_lead.pk), 1)
        self.assertEqual(labels.get(lost_lead.pk), 0)

    def test_sales_activity_with_a_next_step_makes_a_task(self):
        lead = self.make_lead(owner=self.sato)
        deal = actions.create_deal(
            name="C", owner=self.sato, leads=[lead], actor=self.sato, now=timezone.now()
        )
        self.client.force_login(self.sato)
        due = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
        self.client.post(f"/deals/{deal.pk}/log/", {"kind": "call", "outcome": "connected", "summary": "予算確認",
                                                     "next_step": "見積送付", "next_due": due})  # fmt: skip
        self.assertEqual(Task.objects.get(kind="follow_up").title, "見積送付")
        call = Activity.objects.get(kind="call.logged")
        self.assertEqual(
            (call.lead, call.data["summary"], call.department), (lead, "予算確認", "field_sales")
        )
        page = self.client.get(f"/deals/{deal.pk}/")
        self.assertContains(page, "予算確認")
