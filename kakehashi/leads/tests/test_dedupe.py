"""Finding likely duplicates and working through the review queue."""

from __future__ import annotations

import json
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from kakehashi.leads import actions, dedupe
from kakehashi.leads.models import DuplicateCandidate, Lead
from kakehashi.testing import PersonaTestCase


def person(pk, phone="", last="", first="", kana_last="", kana_first="", company=None):
    return dedupe.Person(pk, phone, last, first, kana_last, kana_first, company)


def test_same_phone_same_name_or_reading_at_a_company_are_candidates():
    found = dedupe.find([
        person(1, "+81311112222", "山田", "太郎", company=9),
        person(2, "+81311112222", "ヤマダ", "タロウ"),
        person(3, "", "山田", "太郎", company=9),
        person(4, "", "Yamada", "", "ヤマダ", "タロウ", company=9),
        person(5, "", "ﾔﾏﾀﾞ", "ﾀﾛｳ", "ヤマダ", "タロウ", company=9),
        person(6, "", "山田", "太郎", company=8),
    ])  # fmt: skip
    pairs = {(c.lead_a, c.lead_b): c.reason for c in found}
    assert pairs[(1, 2)] == "phone"
    assert pairs[(1, 3)] == "name_company"
    assert pairs[(4, 5)] == "kana_company"
    assert (1, 6) not in pairs and (3, 6) not in pairs, "another company is another person"


def test_a_switchboard_number_shared_by_many_is_not_a_duplicate_signal():
    crowd = [person(i, "+81300000000", f"姓{i}", "名") for i in range(1, 12)]
    assert dedupe.find(crowd) == []


class ReviewQueueTests(PersonaTestCase):
    def setUp(self):
        now = timezone.now()
        self.a = actions.create_lead(actor=None, fields={"last_name": "山田", "first_name": "太郎", "phone": "03-1111-2222",
                                     "owner": self.sato}, now=now)  # fmt: skip
        self.b = actions.create_lead(actor=None, fields={"last_name": "山田", "first_name": "太郎", "phone": "03-1111-2222",
                                     "email": "taro@example.jp", "owner": self.sato}, now=now)  # fmt: skip

    def test_scan_queues_pairs_once(self):
        self.assertEqual(actions.scan_duplicates(now=timezone.now()), 1)
        self.assertEqual(actions.scan_duplicates(now=timezone.now()), 0)
        candidate = DuplicateCandidate.objects.get()
        self.assertEqual(
            (candidate.lead_a, candidate.lead_b, candidate.reason), (self.a, self.b, "phone")
        )

    def test_sato_compares_and_merges_choosing_a_field(self):
        actions.scan_duplicates(now=timezone.now())
        candidate = DuplicateCandidate.objects.get()
        self.client.force_login(self.sato)
        page = self.client.get(f"/leads/duplicates/{candidate.pk}/")
        self.assertContains(page, "taro@example.jp")
        response = self.client.post(
            f"/leads/duplicates/{candidate.pk}/",
            {"action": "merge", "survivor": "a", "field_email": "b"},
        )
        self.assertRedirects(response, f"/leads/{self.a.pk}/")
        self.assertEqual(Lead.objects.get().email, "taro@example.jp")

    def test_dismissed_pairs_do_not_come_back(self):
        actions.scan_duplicates(now=timezone.now())
        candidate = DuplicateCandidate.objects.get()
        self.client.force_login(self.sato)
        self.client.post(f"/leads/duplicates/{candidate.pk}/", {"action": "dismiss"})
        actions.scan_duplicates(now=timezone.now())
        self.assertEqual(DuplicateCandidate.objects.get().status, "dismissed")
        self.assertContains(
            self.client.get("/leads/duplicates/"), "No possible duplicates to review."
        )

    def test_someone_who_cannot_edit_both_cannot_merge(self):
        actions.scan_duplicates(now=timezone.now())
        candidate = DuplicateCandidate.objects.get()
        self.client.force_login(self.haruka)
        self.assertEqual(
            self.client.post(f"/leads/duplicates/{candidate.pk}/", {"action": "merge"}).status_code,
            403,
        )
        self.assertEqual(Lead.objects.count(), 2)

    def test_cli_dedupe_prints_json(self):
        out = StringIO()
        call_command("dedupe", "--json", stdout=out)
        result = json.loads(out.getvalue())
        self.assertEqual(result["new"], 1)
        self.assertEqual(result["candidates"][0]["reason"], "phone")
