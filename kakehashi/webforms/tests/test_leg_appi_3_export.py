"""Exports of answers are personal data: managers and admins only (LEG-APPI-4), logged per lead
(LEG-APPI-3), and cells a spreadsheet would run as formulas are written as text (SEC-CSV-1)."""

from __future__ import annotations

import csv
import io

from kakehashi.leads.models import DisclosedLead, Disclosure, Lead

from .base import WebformTestCase


class ExportTests(WebformTestCase):
    def test_leg_appi_3_an_export_is_logged_with_its_leads(self):
        self.post(self.valid(ご質問='=HYPERLINK("http://evil","x")'))
        self.post(self.valid(email="taro@example.jp", 姓="鈴木", 名="太郎"))
        self.client.force_login(self.mori)
        response = self.client.post(f"/forms/{self.form.pk}/export/", {"format": "csv"})
        self.assertEqual(response.status_code, 200)
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        header = rows[0]
        self.assertIn("ご質問", header)
        question = [r[header.index("ご質問")] for r in rows[1:]]
        self.assertIn('\'=HYPERLINK("http://evil","x")', question, "SEC-CSV-1")
        self.assertEqual(sorted(r[header.index("E-mail")] for r in rows[1:]),
                         ["hanako@yamada-shoji.co.jp", "taro@example.jp"])  # fmt: skip
        disclosure = Disclosure.objects.get()
        self.assertEqual((disclosure.channel, disclosure.actor, disclosure.lead_count),
                         ("export", self.mori, 2))  # fmt: skip
        self.assertEqual(set(DisclosedLead.objects.values_list("lead_id", flat=True)),
                         set(Lead.objects.values_list("pk", flat=True)))  # fmt: skip

    def test_leg_appi_4_xlsx_and_cp932_exports_work_too(self):
        self.post(self.valid())
        self.client.force_login(self.admin)
        xlsx = self.client.post(f"/forms/{self.form.pk}/export/", {"format": "xlsx"})
        self.assertEqual(xlsx.content[:2], b"PK")
        cp932 = self.client.post(f"/forms/{self.form.pk}/export/", {"format": "csv_cp932"})
        self.assertIn("山田".encode("cp932"), cp932.content)
        self.assertEqual(Disclosure.objects.count(), 2)

    def test_leg_appi_4_marketing_and_sales_cannot_export(self):
        for user in (self.aiko, self.ken, self.outsider):
            self.client.force_login(user)
            self.assertEqual(
                self.client.post(f"/forms/{self.form.pk}/export/", {"format": "csv"}).status_code,
                403,
            )
        self.assertFalse(Disclosure.objects.exists())
