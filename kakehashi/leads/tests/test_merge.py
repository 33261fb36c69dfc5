"""Merging duplicates loses nothing: every row moves, values stay in the audit (REL-MRG-1)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from kakehashi.accounts import actions as account_actions
from kakehashi.consent import actions as consent_actions
from kakehashi.leads import actions, merge
from kakehashi.leads.models import Company, DisclosedLead, DuplicateCandidate, Lead, LeadRedirect
from kakehashi.testing import PersonaTestCase
from kakehashi.timeline import actions as timeline_actions
from kakehashi.timeline.models import Activity, Note


class MergeTests(PersonaTestCase):
    def two(self):
        now = timezone.now()
        a = actions.create_lead(actor=self.sato, fields={"last_name": "山田", "first_name": "太郎",
                                "email": "taro@yamada.co.jp", "owner": self.sato}, tags=["VIP"], now=now)  # fmt: skip
        b = actions.create_lead(actor=self.aiko, fields={"last_name": "山田", "first_name": "太郎",
                                "phone": "03-1234-5678", "title": "部長", "email": "taro.y@gmail.com",
                                "company_name": "山田商事"}, tags=["展示会"], now=now)  # fmt: skip
        return a, b

    def test_rel_mrg_1_every_relation_to_lead_and_company_has_a_merge_rule(self):
        missing = [
            f"{label}.{field}"
            for label, field, _model in merge.relations(Lead)
            if (label, field) not in merge.LEAD_HANDLERS
        ]
        missing += [
            f"{label}.{field} (company)"
            for label, field, _model in merge.relations(Company)
            if (label, field) not in merge.COMPANY_HANDLERS
        ]
        self.assertEqual(missing, [], "register these in their app's AppConfig.ready()")

    def test_rel_mrg_1_merge_moves_every_row_that_references_the_loser(self):
        a, b = self.two()
        timeline_actions.record(kind="page.viewed", lead=b, data={"url": "/pricing"})
        timeline_actions.add_note(author=self.ken, body="折り返し希望", lead=b, now=timezone.now())
        consent_actions.record_consent(
            lead=b, action="grant", method="web_form", basis="consent", now=timezone.now()
        )
        actions.record_disclosure(
            channel="api",
            actor=self.mori,
            recipient="BI",
            fields=["email"],
            lead_ids=[b.pk],
            now=timezone.now(),
        )
        DuplicateCandidate.objects.create(lead_a=a, lead_b=b, reason="name_company", confidence=70)
        counts = {label: model._default_manager.filter(**{field: b}).count()
                  for label, field, model in merge.relations(Lead)}  # fmt: skip
        b_activities = Activity.objects.filter(lead=b).count()
        a_activities = Activity.objects.filter(lead=a).count()

        survivor = merge.merge_leads(survivor=a, loser=b, actor=self.mori, now=timezone.now())

        self.assertFalse(Lead.objects.filter(pk=b.pk).exists())
        self.assertEqual(Activity.objects.filter(lead=survivor).exclude(kind="lead.merged").count(),
                         a_activities + b_activities)  # fmt: skip
        self.assertEqual(Note.objects.get().lead, survivor)
        self.assertEqual(survivor.consent_events.count(), 1)
        self.assertEqual(sorted(survivor.tags.values_list("name", flat=True)), ["VIP", "展示会"])
        self.assertEqual(DisclosedLead.objects.get().lead_id, survivor.pk)
        self.assertFalse(DuplicateCandidate.objects.exists())
        self.assertGreater(sum(counts.values()), 4)

    def test_empty_fields_are_filled_and_the_losers_values_stay_in_the_audit(self):
        a, b = self.two()
        survivor = merge.merge_leads(survivor=a, loser=b, actor=self.mori, now=timezone.now())
        self.assertEqual(
            (survivor.email, survivor.phone, survivor.title),
            ("taro@yamada.co.jp", "+81312345678", "部長"),
        )
        self.assertEqual(survivor.company.name, "山田商事")
        audit = Activity.objects.get(kind="lead.merged")
        self.assertEqual(audit.data["loser_id"], b.pk)
        self.assertEqual(audit.data["loser"]["email"], "taro.y@gmail.com")
        self.assertEqual(audit.data["loser"]["tags"], ["展示会"])
        self.assertEqual(audit.actor, self.mori)

    def test_a_person_chooses_the_losers_email(self):
        a, b = self.two()
        survivor = merge.merge_leads(
            survivor=a, loser=b, choices={"email": "loser"}, actor=self.mori, now=timezone.now()
        )
        self.assertEqual(survivor.email, "taro.y@gmail.com")

    def test_the_most_restrictive_consent_survives(self):
        a, b = self.two()
        now = timezone.now()
        consent_actions.record_consent(
            lead=b, action="refuse", method="unsubscribe", basis="none", now=now - timedelta(days=3)
        )
        consent_actions.record_consent(
            lead=a, action="grant", method="web_form", basis="consent", now=now
        )
        survivor = merge.merge_leads(survivor=a, loser=b, actor=self.mori, now=now)
        survivor.refresh_from_db()
        self.assertEqual(survivor.email_consent, "refused")
        self.assertFalse(survivor.is_marketable)

    def test_old_ids_resolve_to_the_survivor_in_pages_and_api(self):
        a, b = self.two()
        merge.merge_leads(survivor=a, loser=b, actor=self.mori, now=timezone.now())
        self.client.force_login(self.ken)
        self.assertRedirects(self.client.get(f"/leads/{b.pk}/"), f"/leads/{a.pk}/")
        token = account_actions.create_token(user=self.ken, name="t", now=timezone.now()).key
        api = self.client.get(f"/api/v1/leads/{b.pk}", HTTP_AUTHORIZATION=f"Bearer {token}")
        self.assertEqual(api.json()["id"], a.pk)
        self.assertEqual(LeadRedirect.objects.get(old_id=b.pk).survivor, a)

    def test_merging_the_survivor_later_keeps_every_old_id_working(self):
        a, b = self.two()
        c = self.make_lead(last_name="山田", email="third@example.jp")
        merge.merge_leads(survivor=a, loser=b, actor=self.mori, now=timezone.now())
        merge.merge_leads(survivor=c, loser=a, actor=self.mori, now=timezone.now())
        self.assertEqual(
            set(LeadRedirect.objects.values_list("old_id", "survivor_id")),
            {(b.pk, c.pk), (a.pk, c.pk)},
        )

    def test_a_lead_cannot_be_merged_into_itself(self):
        a, _ = self.two()
        with self.assertRaises(merge.SameRecord):
            merge.merge_leads(survivor=a, loser=a, actor=self.mori, now=timezone.now())

    def test_an_unregistered_relation_stops_the_merge(self):
        a, b = self.two()
        saved = merge.LEAD_HANDLERS.pop(("timeline.Note", "lead"))
        try:
            with self.assertRaises(merge.UnhandledRelation):
                merge.merge_leads(survivor=a, loser=b, actor=self.mori, now=timezone.now())
        finally:
            merge.LEAD_HANDLERS[("timeline.Note", "lead")] = saved

    def test_companies_merge_with_their_leads_and_timelines(self):
        now = timezone.now()
        one = actions.create_company(actor=None, fields={"name": "株式会社東洋"}, now=now)
        two = actions.create_company(
            actor=None, fields={"name": "東洋(株)", "domain": "toyo.co.jp"}, now=now
        )
        lead = self.make_lead(last_name="東", company=two)
        merged = merge.merge_companies(survivor=one, loser=two, actor=self.mori, now=now)
        lead.refresh_from_db()
        self.assertEqual((lead.company, merged.domain), (one, "toyo.co.jp"))
        self.assertTrue(Activity.objects.filter(kind="company.merged", company=one).exists())
        self.client.force_login(self.ken)
        self.assertRedirects(self.client.get(f"/companies/{two.pk}/"), f"/companies/{one.pk}/")
