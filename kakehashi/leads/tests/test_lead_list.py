"""The lead list: search, filters, sort and pagination that stay cheap as the list grows."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kakehashi.leads import actions
from kakehashi.testing import PersonaTestCase


class LeadListTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        now = timezone.now()
        cls.yamada = actions.create_lead(
            actor=cls.sato,
            fields={"last_name": "山田", "first_name": "花子", "last_name_kana": "ヤマダ",
                    "first_name_kana": "ハナコ", "email": "hanako@yamada-shoji.co.jp",
                    "company_name": "株式会社山田商事", "owner": cls.sato, "source": "trade_show"},
            tags=["展示会2026"],
            now=now - timedelta(days=40),
        )  # fmt: skip
        cls.abe = actions.create_lead(
            actor=cls.ken,
            fields={"last_name": "阿部", "first_name": "一郎", "last_name_kana": "アベ",
                    "email": "ichiro@abe.example", "owner": cls.ken, "source": "form"},
            now=now - timedelta(days=2),
        )  # fmt: skip
        cls.jane = actions.create_lead(
            actor=cls.aiko,
            fields={"last_name": "Doe", "first_name": "Jane", "email": "jane@acme.example"},
            now=now,
        )

    def names(self, **params):
        self.client.force_login(self.aiko)
        response = self.client.get(reverse("leads:list"), params)
        self.assertEqual(response.status_code, 200)
        return [lead.pk for lead in response.context["page_obj"]]

    def test_newest_first_by_default(self):
        self.assertEqual(self.names(), [self.jane.pk, self.abe.pk, self.yamada.pk])

    def test_search_matches_kana_name_email_and_company(self):
        self.assertEqual(self.names(q="やまだ"), [self.yamada.pk])
        self.assertEqual(self.names(q="ﾔﾏﾀﾞ ハナコ"), [self.yamada.pk])
        self.assertEqual(self.names(q="山田商事"), [self.yamada.pk])
        self.assertEqual(self.names(q="JANE@ACME"), [self.jane.pk])
        self.assertEqual(self.names(q="nobody-by-this-name"), [])

    def test_filters_by_owner_team_tag_source_and_dates(self):
        today = timezone.localdate()
        self.assertEqual(self.names(owner=str(self.ken.pk)), [self.abe.pk])
        self.assertEqual(self.names(owner="none"), [self.jane.pk])
        self.assertEqual(self.names(team=self.field_sales.pk), [self.yamada.pk])
        tag = self.yamada.tags.get()
        self.assertEqual(self.names(tag=tag.pk), [self.yamada.pk])
        self.assertEqual(self.names(source="form"), [self.abe.pk])
        since = (today - timedelta(days=7)).isoformat()
        self.assertEqual(self.names(created_from=since), [self.jane.pk, self.abe.pk])
        until = (today - timedelta(days=30)).isoformat()
        self.assertEqual(self.names(created_to=until), [self.yamada.pk])

    def test_owner_me_shows_my_leads(self):
        self.client.force_login(self.ken)
        response = self.client.get(reverse("leads:list"), {"owner": "me"})
        self.assertEqual([lead.pk for lead in response.context["page_obj"]], [self.abe.pk])

    def test_sort_by_kana_puts_abe_before_yamada(self):
        order = self.names(sort="name")
        self.assertLess(order.index(self.abe.pk), order.index(self.yamada.pk))

    def test_sec_sql_1_unknown_sort_is_ignored_not_interpolated(self):
        self.assertEqual(
            self.names(sort="email; DROP TABLE leads_lead"),
            [self.jane.pk, self.abe.pk, self.yamada.pk],
        )
        self.assertEqual(self.names(owner="1 OR 1=1"), [self.jane.pk, self.abe.pk, self.yamada.pk])

    def test_empty_filters_explain_themselves(self):
        self.client.force_login(self.aiko)
        response = self.client.get(reverse("leads:list"), {"q": "zzz"})
        self.assertContains(response, "No leads match these filters.")

    def test_query_count_does_not_grow_with_the_page(self):
        self.client.force_login(self.aiko)
        with CaptureQueriesContext(connection) as few:
            self.client.get(reverse("leads:list"))
        for i in range(30):
            actions.create_lead(
                actor=self.sato,
                fields={"last_name": f"追加{i}", "owner": self.taro, "company_name": f"会社{i}"},
                tags=["VIP", f"tag{i}"],
                now=timezone.now(),
            )
        with CaptureQueriesContext(connection) as many:
            response = self.client.get(reverse("leads:list"))
        self.assertEqual(len(response.context["page_obj"]), 33)
        self.assertEqual(len(many), len(few))
        self.assertLessEqual(len(many), 10)

    def test_pagination_keeps_the_filters(self):
        for i in range(55):
            actions.create_lead(
                actor=None, fields={"last_name": f"営業{i}", "source": "phone"}, now=timezone.now()
            )
        self.client.force_login(self.aiko)
        first = self.client.get(reverse("leads:list"), {"source": "phone"})
        self.assertContains(first, "?source=phone&amp;page=2")
        second = self.client.get(reverse("leads:list"), {"source": "phone", "page": 2})
        self.assertEqual(len(second.context["page_obj"]), 5)


class CompanyPagesTests(PersonaTestCase):
    def test_company_list_and_detail_show_its_leads(self):
        lead = self.make_lead(
            owner=self.sato, company_name="株式会社 東洋システムズ", email="a@toyo.example"
        )
        self.client.force_login(self.ken)
        listing = self.client.get(reverse("leads:company_list"), {"q": "東洋"})
        self.assertContains(listing, "株式会社 東洋システムズ")
        detail = self.client.get(reverse("leads:company_detail", args=[lead.company_id]))
        self.assertContains(detail, lead.display_name)
        self.assertContains(
            detail, "lead.created"
        )  # the lead's activity shows on the company timeline

    def test_renaming_a_company_keeps_its_leads_findable(self):
        lead = self.make_lead(owner=self.sato, company_name="旧社名株式会社")
        self.client.force_login(self.mori)
        self.client.post(
            reverse("leads:company_edit", args=[lead.company_id]), {"name": "新社名株式会社"}
        )
        response = self.client.get(reverse("leads:list"), {"q": "新社名"})
        self.assertEqual([lead.pk for lead in response.context["page_obj"]], [lead.pk])

    def test_deleting_a_company_keeps_its_leads(self):
        lead = self.make_lead(owner=self.sato, company_name="消える会社")
        self.client.force_login(self.sato)
        self.assertEqual(
            self.client.post(reverse("leads:company_delete", args=[lead.company_id])).status_code,
            403,
        )
        self.client.force_login(self.mori)
        self.client.post(reverse("leads:company_delete", args=[lead.company_id]))
        lead.refresh_from_db()
        self.assertIsNone(lead.company)

    def test_empty_company_list_says_what_to_do(self):
        self.client.force_login(self.ken)
        self.assertContains(self.client.get(reverse("leads:company_list")), "No companies yet.")
