"""Creating and editing the shared lead record: normalization, integrity, and the audit trail."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from kakehashi.leads import actions
from kakehashi.leads.models import Company, Lead
from kakehashi.testing import PersonaTestCase
from kakehashi.timeline.models import Activity


class LeadRecordTests(PersonaTestCase):
    def test_ken_creates_a_lead_and_inputs_are_normalized(self):
        self.client.force_login(self.ken)
        response = self.client.post(
            reverse("leads:create"),
            {
                "last_name": "山田", "first_name": "花子",
                "last_name_kana": "やまだ", "first_name_kana": "ﾊﾅｺ",
                "email": "Ｈａｎａｋｏ＠Example.JP", "phone": "０３（１２３４）５６７８",
                "company_name": "㈱山田商事", "postal_code": "〒100-0005", "prefecture": "13",
                "source": "trade_show", "owner": self.ken.pk, "tags": "展示会2026、VIP",
            },
        )  # fmt: skip
        lead = Lead.objects.get()
        self.assertRedirects(response, reverse("leads:detail", args=[lead.pk]))
        self.assertEqual(lead.email, "hanako@example.jp")
        self.assertEqual(lead.phone, "+81312345678")
        self.assertEqual(lead.phone_raw, "03(1234)5678")
        self.assertEqual(lead.kana, "ヤマダ ハナコ")
        self.assertEqual(lead.postal_code, "1000005")
        self.assertEqual(lead.company.normalized_name, "山田商事")
        self.assertEqual(lead.team, self.inside_sales, "the owner's team owns the lead")
        self.assertEqual(sorted(t.name for t in lead.tags.all()), ["VIP", "展示会2026"])
        page = self.client.get(reverse("leads:detail", args=[lead.pk]))
        self.assertContains(page, "〒100-0005")
        self.assertContains(page, "03-1234-5678")
        self.assertContains(page, "山田商事 山田様")

    def test_an_existing_company_is_matched_by_its_folded_name(self):
        company = actions.create_company(
            actor=None, fields={"name": "株式会社山田商事"}, now=timezone.now()
        )
        lead = actions.create_lead(
            actor=self.ken,
            fields={"last_name": "山田", "company_name": "山田商事(株)"},
            now=timezone.now(),
        )
        self.assertEqual(lead.company, company)
        self.assertEqual(Company.objects.count(), 1)

    def test_duplicate_email_is_refused_with_a_clear_message(self):
        self.make_lead(owner=self.ken, email="dup@example.jp")
        self.client.force_login(self.ken)
        response = self.client.post(
            reverse("leads:create"),
            {"last_name": "別人", "email": "DUP@example.jp", "source": "manual"},
        )
        self.assertContains(response, "A lead with this e-mail address already exists.")
        self.assertEqual(Lead.objects.count(), 1)

    def test_bad_input_is_explained_in_japanese_and_nothing_is_saved(self):
        self.client.force_login(self.ken)
        response = self.client.post(
            reverse("leads:create"),
            {
                "last_name": "山田",
                "email": "not-an-email",
                "phone": "abc",
                "postal_code": "123",
                "source": "manual",
            },
            HTTP_ACCEPT_LANGUAGE="ja",
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "有効なメールアドレスを入力してください。")
        self.assertContains(response, "電話番号として正しくありません。")
        self.assertContains(response, "郵便番号は7桁です。")
        self.assertFalse(Lead.objects.exists())

    def test_a_lead_without_any_identity_is_refused(self):
        self.client.force_login(self.ken)
        response = self.client.post(reverse("leads:create"), {"title": "部長", "source": "manual"})
        self.assertContains(response, "A lead needs a name, an e-mail address or a phone.")
        with self.assertRaises(actions.NotIdentifiable):
            actions.create_lead(actor=None, fields={"title": "部長"}, now=timezone.now())

    def test_database_constraints_hold_even_without_the_actions(self):
        lead = self.make_lead(email="a@example.jp")
        cases = [
            {"email": "Upper@Example.jp"},
            {"phone": "0312345678"},
            {"postal_code": "123"},
            {"prefecture": 48},
            {"email": "", "last_name": "", "first_name": ""},
        ]
        for fields in cases:
            with (
                self.subTest(fields=fields),
                self.assertRaises(IntegrityError),
                transaction.atomic(),
            ):
                Lead.objects.filter(pk=lead.pk).update(**fields)
        with self.assertRaises(IntegrityError), transaction.atomic():
            Lead.objects.create(email="a@example.jp", last_name="x")

    def test_field_changes_are_recorded_with_before_and_after(self):
        lead = self.make_lead(owner=self.sato, title="課長")
        self.client.force_login(self.sato)
        self.client.post(
            reverse("leads:edit", args=[lead.pk]),
            {"last_name": "山田", "first_name": "太郎", "title": "部長", "source": "manual",
             "owner": self.taro.pk, "tags": "VIP"},
        )  # fmt: skip
        change = Activity.objects.get(kind="lead.updated", lead=lead)
        self.assertEqual(change.actor, self.sato)
        self.assertEqual(change.department, "field_sales")
        self.assertEqual(change.data["changes"]["title"], ["課長", "部長"])
        self.assertEqual(change.data["changes"]["owner"], ["佐藤 翔太", "鈴木 太郎"])
        self.assertEqual(change.data["changes"]["tags"], [[], ["VIP"]])
        page = self.client.get(reverse("leads:detail", args=[lead.pk]))
        self.assertContains(page, "<del>課長</del>", html=False)
        self.assertContains(page, "<ins>部長</ins>", html=False)

    def test_saving_without_changes_records_nothing(self):
        lead = self.make_lead(owner=self.sato)
        actions.update_lead(lead=lead, actor=self.sato, changes={"title": ""}, now=timezone.now())
        self.assertFalse(Activity.objects.filter(kind="lead.updated").exists())

    def test_japanese_names_show_family_first_and_latin_names_given_first(self):
        self.assertEqual(Lead(last_name="山田", first_name="太郎").display_name, "山田 太郎")
        self.assertEqual(Lead(last_name="Doe", first_name="Jane").display_name, "Jane Doe")
