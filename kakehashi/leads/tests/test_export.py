"""Exports: managers only, Excel-friendly encodings, formula-safe cells, every export logged."""

from __future__ import annotations

import io
import json

from django.utils import timezone
from openpyxl import load_workbook

from kakehashi.leads import actions, merge
from kakehashi.leads.models import DisclosedLead, Disclosure
from kakehashi.testing import PersonaTestCase
from kakehashi.timeline import actions as timeline_actions


class ExportTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        now = timezone.now()
        cls.hanako = actions.create_lead(actor=None, fields={"last_name": "山田", "first_name": "花子",
                                         "email": "hanako@example.jp", "title": "=HYPERLINK(\"http://x\")",
                                         "owner": cls.sato}, tags=["展示会"], now=now)  # fmt: skip
        cls.jane = actions.create_lead(actor=None, fields={"last_name": "Doe", "first_name": "Jane",
                                       "department": "+1 Sales", "source": "trade_show"}, now=now)  # fmt: skip

    def export(self, user, **data):
        self.client.force_login(user)
        return self.client.post(
            "/leads/export/",
            {
                "format": "csv",
                "columns": ["last_name", "email", "title", "department", "tags"],
                **data,
            },
        )

    def test_members_cannot_export(self):
        for user in (self.aiko, self.ken, self.sato, self.outsider):
            self.client.force_login(user)
            with self.subTest(user=user.email):
                self.assertEqual(self.client.get("/leads/export/").status_code, 403)
                self.assertEqual(self.export(user).status_code, 403)
        self.assertFalse(Disclosure.objects.exists())

    def test_sec_csv_1_utf8_bom_csv_escapes_formula_cells(self):
        response = self.export(self.mori)
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        body = response.content
        self.assertTrue(body.startswith(b"\xef\xbb\xbf"))
        text = body.decode("utf-8-sig")
        self.assertIn("'=HYPERLINK", text)
        self.assertIn("'+1 Sales", text)
        self.assertNotIn(",=HYPERLINK", text)
        self.assertIn("展示会", text)

    def test_cp932_for_older_excel(self):
        body = self.export(self.mori, format="csv_cp932").content
        self.assertIn("山田", body.decode("cp932"))

    def test_sec_csv_1_xlsx_escapes_too(self):
        body = self.export(self.mori, format="xlsx").content
        sheet = load_workbook(io.BytesIO(body)).active
        values = [c for row in sheet.iter_rows(values_only=True) for c in row]
        self.assertIn('\'=HYPERLINK("http://x")', values)

    def test_the_filters_of_the_list_apply(self):
        body = self.export(self.mori, source="trade_show").content.decode("utf-8-sig")
        self.assertIn("Doe", body)
        self.assertNotIn("hanako@example.jp", body)

    def test_leg_appi_3_every_export_is_logged_with_leads_and_fields(self):
        self.export(self.admin)
        log = Disclosure.objects.get()
        self.assertEqual((log.channel, log.actor), ("export", self.admin))
        self.assertEqual(log.fields, sorted(["last_name", "email", "title", "department", "tags"]))
        self.assertEqual(
            set(DisclosedLead.objects.values_list("lead_id", flat=True)),
            {self.hanako.pk, self.jane.pk},
        )

    def test_leg_appi_2_subject_export_holds_every_table_that_references_the_lead(self):
        timeline_actions.add_note(
            author=self.ken, body="メモ", lead=self.hanako, now=timezone.now()
        )
        self.client.force_login(self.sato)
        self.assertEqual(
            self.client.post(f"/leads/{self.hanako.pk}/subject-export/").status_code, 403
        )
        self.client.force_login(self.mori)
        response = self.client.post(f"/leads/{self.hanako.pk}/subject-export/")
        data = json.loads(response.content)
        self.assertEqual(data["lead"]["fields"]["email"], "hanako@example.jp")
        expected = {f"{label}.{field}" for label, field, _ in merge.relations(type(self.hanako))}
        self.assertTrue(expected <= set(data["related"]), expected - set(data["related"]))
        self.assertEqual(data["related"]["timeline.Note.lead"][0]["fields"]["body"], "メモ")
        self.assertEqual(
            Disclosure.objects.get().recipient, "mori@example.jp (data-subject request)"
        )
