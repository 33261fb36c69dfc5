"""Each file of the Japanese corpus imports correctly or fails with a clear row error."""

from __future__ import annotations

import json
import tempfile
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.utils import timezone

from kakehashi.consent.models import ConsentEvent
from kakehashi.imports import actions
from kakehashi.imports.models import ImportRun
from kakehashi.leads.models import Company, DuplicateCandidate, Lead
from kakehashi.testing import PersonaTestCase
from kakehashi.timeline.models import Activity

CORPUS = Path(__file__).parent / "corpus"


class CorpusImportTests(PersonaTestCase):
    def run_import(self, name, *, actor=None, dry_run=False, **options):
        path = name if isinstance(name, Path) else CORPUS / name
        name = path.name
        raw = path.read_bytes()
        now = timezone.now()
        run = actions.upload(raw=raw, filename=name, actor=actor or self.aiko, now=now)
        header = actions.read_table(
            raw, name, encoding=run.encoding, delimiter=run.delimiter
        ).header
        columns = options.pop("columns", None) or {int(k): v for k, v in run.mapping.items()}
        del header
        actions.configure(run=run, columns=columns, consent_basis=options.get("consent_basis", run.consent_basis),
                          source=options.get("source", run.source), on_match=options.get("on_match", "update"),
                          actor=actor or self.aiko, now=now)  # fmt: skip
        run.refresh_from_db()
        return actions.start(run=run, dry_run=dry_run, now=now)

    def test_cp932_business_card_export(self):
        run = self.run_import("cp932_meishi.csv")
        self.assertEqual((run.created, run.errors), (4, []))
        takahashi = Lead.objects.get(email="ichiro@takahashi-soft.co.jp")
        self.assertEqual(takahashi.display_name, "髙橋 一郎")
        self.assertEqual(takahashi.department, "開発部1課")  # ① folds to 1 (NFKC)
        self.assertEqual(takahashi.company.normalized_name, "髙橋ソフト")
        yamazaki = Lead.objects.get(email="hanako@yamazaki.jp")  # full-width e-mail folded
        self.assertEqual(yamazaki.phone, "+81312345679")
        self.assertEqual((yamazaki.prefecture, yamazaki.city), (13, "渋谷区"))
        self.assertIn("～", "神宮前5～6")
        self.assertEqual(yamazaki.address_line, "神宮前5~6")
        tanaka = Lead.objects.get(email="jiro@sonic.example")
        self.assertEqual(tanaka.kana, "タナカ ジロウ")  # half-width kana → katakana
        self.assertEqual(tanaka.phone, "+81612345678")  # +81 6 …
        self.assertEqual(tanaka.company.normalized_name, "ソニック")  # カブシキガイシャ folded
        self.assertEqual(run.source, "trade_show")

    def test_leg_jp_1_business_card_basis_is_recorded_in_the_ledger(self):
        self.run_import("cp932_meishi.csv")
        self.assertEqual(Lead.objects.filter(email_consent="granted").count(), 4)
        event = ConsentEvent.objects.get(lead__email="ichiro@takahashi-soft.co.jp")
        self.assertEqual(
            (event.action, event.method, event.basis), ("grant", "import", "business_card")
        )
        self.assertEqual(event.source, "cp932_meishi.csv")
        self.assertEqual(event.actor, self.aiko)
        self.assertTrue(event.address_hash)

    def test_leg_jp_1_rows_without_a_basis_import_as_not_marketable(self):
        self.run_import("utf8_bom.csv")
        self.assertEqual(set(Lead.objects.values_list("email_consent", flat=True)), {"unknown"})
        self.assertFalse(ConsentEvent.objects.exists())
        self.assertFalse(any(lead.is_marketable for lead in Lead.objects.all()))

    def test_a_whole_file_basis_applies_to_every_row(self):
        self.run_import("utf8_bom.csv", consent_basis="consent")
        self.assertEqual(ConsentEvent.objects.filter(basis="consent").count(), 2)
        self.assertTrue(all(lead.is_marketable for lead in Lead.objects.all()))

    def test_bom_no_bom_and_utf16_files_are_the_same_people(self):
        self.assertEqual(self.run_import("utf8_bom.csv").created, 2)
        self.assertEqual(self.run_import("utf8_nobom.csv").skipped, 2)
        self.assertEqual(self.run_import("utf16le_tab.txt").skipped, 2)
        self.assertEqual(Lead.objects.count(), 2)
        jane = Lead.objects.get(email="jane.doe@acme.example")
        self.assertEqual((jane.display_name, jane.phone), ("Jane Doe", "+14155552671"))

    def test_excel_multiline_cell_lands_in_a_custom_attribute(self):
        self.run_import("excel_multiline.csv")
        lead = Lead.objects.get()
        self.assertEqual(lead.custom_attributes["備考"], "メモ1行目\n2行目")
        self.assertEqual(lead.prefecture, 1)

    def test_width_and_case_duplicates_fold_and_company_variants_are_one_company(self):
        run = self.run_import("duplicates.csv")
        self.assertEqual((run.created, run.merged), (2, 2))
        self.assertEqual(Company.objects.count(), 1)
        taro = Lead.objects.get(email="taro@yamada-shoji.co.jp")
        self.assertEqual(taro.phone, "+81311112222")
        hanako = Lead.objects.get(email="hanako@yamada-shoji.co.jp")
        self.assertEqual(hanako.phone, "+81311113333", "the repeated row filled the empty phone")

    def test_a_repeated_row_brings_the_company_the_first_row_lacked(self):
        path = Path(self.enterContext(tempfile.TemporaryDirectory())) / "r.csv"
        path.write_text(
            "氏名,メールアドレス,会社名\r\n"
            "森 健,ken@mori.example.jp,\r\n"
            "森 健,ＫＥＮ＠ｍｏｒｉ．ｅｘａｍｐｌｅ．ｊｐ,㈱森ホールディングス\r\n",
            encoding="utf-8",
        )
        run = self.run_import(path)
        self.assertEqual((run.created, run.merged, run.errors), (1, 1, []))
        ken = Lead.objects.get(email="ken@mori.example.jp")
        self.assertEqual(ken.company.normalized_name, "森ホールディングス")
        self.assertIn("森ホールディングス", ken.search_text)

    def test_bad_rows_are_reported_with_their_line_and_the_rest_imports(self):
        run = self.run_import("bad_rows.csv")
        self.assertEqual(run.created, 1)
        lines = {e["line"]: e["reason"] for e in run.errors}
        self.assertEqual(sorted(lines), [3, 4, 5, 7, 8])
        self.assertIn("not-an-email", lines[3])
        self.assertIn("12-34", lines[4])
        self.assertIn("123-45", lines[5])
        self.assertIn("ニューヨーク州", lines[7])
        self.assertIn("no name", lines[8])
        self.assertEqual(Lead.objects.get().email, "good@example.jp")

    def test_hubspot_and_salesforce_exports(self):
        self.run_import("hubspot_contacts.csv")
        self.run_import("salesforce_leads.csv")
        aiko = Lead.objects.get(email="aiko.tanaka@example.com")
        self.assertEqual((aiko.first_name, aiko.last_name, aiko.title), ("Aiko", "Tanaka", "CMO"))
        ken = Lead.objects.get(email="ken.mori@example.com")
        self.assertEqual((ken.company.name, ken.source), ("Mori Holdings", "trade_show"))

    def test_xlsx_workbook(self):
        run = self.run_import("leads.xlsx")
        self.assertEqual(run.created, 2)
        self.assertEqual(Lead.objects.get(email="yu.nakamura@example.jp").postal_code, "1000005")

    def test_reimport_updates_instead_of_duplicating_and_audits_the_change(self):
        self.run_import("utf8_bom.csv")
        lead = Lead.objects.get(email="jiro.suzuki@yamada-shoji.co.jp")
        raw = (
            (CORPUS / "utf8_bom.csv")
            .read_bytes()
            .decode("utf-8-sig")
            .replace("03-5555-0001", "03-5555-0002")
        )
        path = self.tmp_file("changed.csv", raw.encode("utf-8-sig"))
        run = self.run_import(path)
        self.assertEqual((run.created, run.updated, run.skipped), (0, 1, 1))
        lead.refresh_from_db()
        self.assertEqual(lead.phone, "+81355550002")
        imported = Activity.objects.filter(lead=lead, kind="lead.imported").order_by(
            "occurred_at", "id"
        )
        self.assertEqual([a.data["created"] for a in imported], [True, False])
        first_run = ImportRun.objects.get(filename="utf8_bom.csv")
        line = next(n for n, text in enumerate(raw.splitlines(), start=1) if "jiro.suzuki@" in text)
        self.assertEqual(
            imported.first().data,
            {"file": "utf8_bom.csv", "line": line, "created": True, "import_id": first_run.pk},
        )
        self.assertEqual(imported.last().data["changes"]["phone"], ["+81355550001", "+81355550002"])
        self.assertEqual(imported.last().data["file"], "changed.csv")

    def test_on_match_skip_leaves_existing_leads_alone(self):
        self.run_import("utf8_bom.csv")
        raw = (
            (CORPUS / "utf8_bom.csv")
            .read_bytes()
            .decode("utf-8-sig")
            .replace("03-5555-0001", "03-5555-0009")
        )
        run = self.run_import(self.tmp_file("skip.csv", raw.encode()), on_match="skip")
        self.assertEqual((run.updated, run.skipped), (0, 2))
        self.assertEqual(
            Lead.objects.get(email="jiro.suzuki@yamada-shoji.co.jp").phone, "+81355550001"
        )

    def test_dry_run_counts_exactly_and_stores_nothing(self):
        run = self.run_import("cp932_meishi.csv", dry_run=True)
        self.assertEqual((run.status, run.created), ("done", 4))
        self.assertFalse(Lead.objects.exists())
        self.assertFalse(Company.objects.exists())
        self.assertFalse(ConsentEvent.objects.exists())

    def test_historical_outcomes_are_kept_for_scoring(self):
        text = "氏名,メールアドレス,商談結果\n山田 太郎,t@example.jp,受注\n佐藤 花子,h@example.jp,失注\n"
        self.run_import(self.tmp_file("history.csv", text.encode()))
        outcomes = dict(Lead.objects.values_list("email", "custom_attributes__outcome"))
        self.assertEqual(outcomes, {"t@example.jp": "won", "h@example.jp": "lost"})

    def test_same_phone_as_an_existing_lead_joins_the_review_queue(self):
        self.make_lead(last_name="既存", phone="03-1111-2222", email="old@example.jp")
        self.run_import("duplicates.csv")
        candidate = DuplicateCandidate.objects.get()
        self.assertEqual((candidate.reason, candidate.confidence), ("phone", 80))

    def test_cli_prints_the_json_summary(self):
        out = StringIO()
        call_command("import", str(CORPUS / "bad_rows.csv"), "--json", stdout=out)
        summary = json.loads(out.getvalue())
        self.assertEqual(set(summary), {"created", "updated", "merged", "skipped", "errors"})
        self.assertEqual(summary["created"], 1)
        self.assertEqual(
            summary["errors"][0],
            {"line": 3, "reason": "“not-an-email” is not a valid e-mail address."},
        )

    def test_cli_dry_run_and_saved_mapping(self):
        out = StringIO()
        call_command("import", str(CORPUS / "utf8_bom.csv"), "--dry-run", "--json", stdout=out)
        self.assertEqual(json.loads(out.getvalue())["created"], 2)
        self.assertFalse(Lead.objects.exists())

    def tmp_file(self, name, data):
        import tempfile

        folder = Path(tempfile.mkdtemp())
        (folder / name).write_bytes(data)
        return folder / name


class ParallelNormalizingTests(PersonaTestCase):
    def test_a_helper_process_normalizes_exactly_as_inline(self):
        from kakehashi.imports import engine, mapping, readers
        from kakehashi.imports import rows as rows_module

        raw = (CORPUS / "cp932_meishi.csv").read_bytes() + (
            "山田商事,営業部,部長,山田,太郎,bad-email,100-0005,東京都港区,03-1111-2222,\r\n".encode(
                "cp932"
            )
        )
        table = readers.read(raw, "x.csv")
        columns = mapping.suggest(table.header)
        rows = list(table.rows)
        options = engine.Options(mapping=columns, filename="x.csv", consent_basis="business_card")
        from django.utils import translation

        with translation.override("en"), engine._builder(options, parallel=True) as builder:
            helper = builder.result(rows, builder.submit(rows))
            self.assertIsNotNone(builder.pool, "the helper process did the work")
        inline = rows_module.build_chunk(rows, columns, "business_card", "", "en")
        self.assertEqual([(r.lead, r.errors, r.company_name, r.company_key) for r in helper],
                         [(r.lead, r.errors, r.company_name, r.company_key) for r in inline])  # fmt: skip
        self.assertEqual(len([r for r in helper if not r.ok]), 1)

    def test_a_file_of_many_chunks_imports_the_same_with_the_helper_as_without(self):
        from unittest import mock

        from kakehashi.imports import engine, mapping, readers

        lines = ["会社名,氏名,メールアドレス,電話番号"]
        for i in range(11):
            lines.append(f"㈱商事{i % 3},山田 {i}郎,taro{i}@example.jp,03-1111-{2000 + i}")
        lines.append(
            "株式会社商事1,山田 1郎,ＴＡＲＯ１＠ＥＸＡＭＰＬＥ．ＪＰ,"
        )  # a repeat, later chunk
        lines.append("商事2,,not-an-email,")  # a bad row in the last chunk
        raw = "\r\n".join(lines).encode("cp932")
        table = readers.read(raw, "many.csv")
        options = engine.Options(
            mapping=mapping.suggest(table.header),
            filename="many.csv",
            consent_basis="business_card",
        )
        outcomes = []
        for parallel in (True, False):
            with mock.patch.object(engine, "CHUNK", 3):  # five chunks
                result = engine.run(
                    readers.read(raw, "many.csv").rows, options, actor=self.aiko,
                    now=timezone.now(), parallel=parallel,
                )  # fmt: skip
            leads = sorted(Lead.objects.values_list("email", "company__normalized_name", "phone"))
            outcomes.append((result.created, result.merged, [e["line"] for e in result.errors],
                             leads, Company.objects.count()))  # fmt: skip
            Lead.objects.all().delete()
            Company.objects.all().delete()
        self.assertEqual(outcomes[0], outcomes[1])
        created, merged, error_lines, leads, companies = outcomes[0]
        self.assertEqual((created, merged, error_lines, companies), (11, 1, [14], 3))
        self.assertIn(("taro1@example.jp", "商事1", "+81311112001"), leads)
