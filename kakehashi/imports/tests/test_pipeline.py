"""The import pipeline's moving parts: chunks written in threads while later ones are prepared,
COPY text made once per row, and duplicates flagged from what the import wrote."""

from __future__ import annotations

import threading
from unittest import mock

from django.db import connection
from django.test import TransactionTestCase
from django.utils import timezone

from kakehashi.consent.models import ConsentEvent
from kakehashi.imports import engine, mapping, readers
from kakehashi.leads.models import Company, DuplicateCandidate, Lead
from kakehashi.lib.bulk import copy_line
from kakehashi.timeline.models import Activity

# Chunks of 3 rows. Lines 5 and 10 repeat leads of the chunk just before (written in another
# thread, perhaps not committed yet), line 11 one of an older chunk, line 13 a lead stored before
# the import (read ahead of its chunk's turn): each changes its lead.
ROWS = [
    "会社名,氏名,メールアドレス,電話番号,部署,メモ",
    "㈱商事A,山田 太郎,taro@example.jp,03-1111-0001,,",
    "商事B,佐藤 花子,hanako@example.jp,,,",
    "商事A,鈴木 一郎,ichiro@example.jp,03-1111-0003,,",
    "商事B,佐藤 花子,ＨＡＮＡＫＯ＠example.jp,03-1111-0002,営業部,",  # fills phone, department
    "商事C,田中 次郎,jiro@example.jp,03-1111-0009,,",
    "商事E,木村 五郎,goro@example.jp,,,",
    "商事C,田中 次郎,jiro2@example.jp,,,",  # same name at the same company: a candidate
    "商事C,高田 三郎,saburo@example.jp,03-1111-0009,,",  # same phone as jiro: a candidate
    "商事F,木村 五郎,goro@example.jp,,,",  # a new company for goro
    "商事A,鈴木 一郎,ichiro@example.jp,,企画部,",  # fills a department
    '商事D,木村 四郎,shiro@example.jp,,,"tab\there, back\\slash\nand a new line"',
    "商事A,佐々木 健二,kenji@example.jp,03-1111-0077,,",  # a lead stored before the import
]


def _import(*, threads: bool) -> engine.Result:
    raw = "\r\n".join(ROWS).encode("cp932")
    table = readers.read(raw, "pipeline.csv")
    columns = mapping.suggest(table.header)
    columns[5] = "custom:memo"
    options = engine.Options(
        mapping=columns, filename="pipeline.csv", consent_basis="business_card"
    )
    with mock.patch.object(engine, "CHUNK", 3):
        return engine.run(
            table.rows, options, actor=None, now=timezone.now(), write_in_threads=threads
        )


def _stored() -> tuple[object, ...]:
    leads = sorted(
        Lead.objects.values_list(
            "email", "phone", "department", "company__normalized_name", "custom_attributes",
            "email_consent", "search_text",
        )
    )  # fmt: skip
    activities = sorted(Activity.objects.values_list("lead__email", "kind"))
    ledger = sorted(
        ConsentEvent.objects.filter(lead__isnull=False).values_list(
            "lead__email", "basis", "address_hash"
        )
    )  # the ledger outlives the leads of the run before
    pairs = sorted(
        DuplicateCandidate.objects.values_list("lead_a__email", "lead_b__email", "reason")
    )
    return leads, activities, ledger, pairs, Company.objects.count()


class ThreadedWritesTests(TransactionTestCase):
    def test_writing_in_threads_stores_exactly_what_writing_in_turn_does(self):
        threads_used: set[str] = set()
        apply = engine._Writes.apply

        def recording_apply(self, *args, **kwargs):
            threads_used.add(threading.current_thread().name)
            return apply(self, *args, **kwargs)

        outcomes = []
        for threaded in (False, True):
            Lead.objects.create(email="kenji@example.jp", last_name="佐々木", first_name="健二")
            with mock.patch.object(engine._Writes, "apply", recording_apply):
                result = _import(threads=threaded)
            outcomes.append(((result.created, result.merged, result.duplicates_flagged), _stored()))
            Lead.objects.all().delete()
            Company.objects.all().delete()
        self.assertEqual(outcomes[0], outcomes[1])
        counts, (leads, activities, ledger, pairs, companies) = outcomes[0]
        self.assertEqual(counts, (8, 3, 2))
        by_email = {lead[0]: lead for lead in leads}
        # Repeats of leads written by the chunk before filled their gaps.
        self.assertEqual(by_email["hanako@example.jp"][1:3], ("+81311110002", "営業部"))
        self.assertEqual(by_email["ichiro@example.jp"][2], "企画部")
        self.assertEqual(by_email["kenji@example.jp"][1:4:2], ("+81311110077", "商事a"))
        self.assertEqual(by_email["goro@example.jp"][3], "商事f")
        # Tab, backslash and line break survive the COPY text on PostgreSQL.
        self.assertEqual(
            by_email["shiro@example.jp"][4], {"memo": "tab here, back\\slash\nand a new line"}
        )
        self.assertEqual({lead[5] for lead in leads}, {"granted"})
        self.assertEqual(
            pairs,
            [("jiro@example.jp", "jiro2@example.jp", "name_company"),
             ("jiro@example.jp", "saburo@example.jp", "phone")],
        )  # fmt: skip
        self.assertEqual(len(ledger), 12)  # every row with a basis leaves its grant
        self.assertEqual(companies, 6)
        self.assertEqual(len(activities), 12)  # 8 created, 4 changed by a later row
        if connection.vendor == "postgresql":
            self.assertTrue(
                any(name != threading.main_thread().name for name in threads_used),
                "the threaded run wrote in other threads",
            )


class FlagDuplicatesTests(TransactionTestCase):
    def test_older_leads_pair_with_new_ones_and_a_switchboard_pairs_with_nobody(self):
        company = Company.objects.create(name="商事", normalized_name="商事")
        older = Lead.objects.create(
            last_name="山田", first_name="太郎", company=company, phone="+81311110000"
        )
        switch = [Lead.objects.create(last_name=f"代表{i}", phone="+81300000000") for i in range(4)]
        now = timezone.now()
        first = max(older.pk, *(s.pk for s in switch)) + 1000
        new = {
            first: ("+81311110000", None, "新", "人"),  # shares the older lead's phone
            first + 1: ("", company.pk, "山田", "太郎"),  # the older lead's name and company
            first + 2: ("+81300000000", None, "代表", "新1"),  # five with this number…
            first + 3: ("+81300000000", None, "代表", "新2"),  # …six: a switchboard
        }
        for pk, (phone, company_id, last, given) in new.items():
            Lead.objects.create(pk=pk, phone=phone, company_id=company_id, last_name=last,
                                first_name=given)  # fmt: skip
        self.assertEqual(engine.save_duplicate_pairs(engine.duplicate_pairs(new), now), 2)
        self.assertEqual(
            sorted(DuplicateCandidate.objects.values_list("lead_a_id", "lead_b_id", "reason")),
            [(older.pk, first, "phone"), (older.pk, first + 1, "name_company")],
        )


def test_copy_line_escapes_what_copy_text_would_misread():
    line = copy_line(["a\tb", "c\\d", "e\nf", "g\rh", None, True, {"k": "v\t"}, 7])
    assert line == 'a\\tb\tc\\\\d\te\\nf\tg\\rh\t\\N\tt\t{"k": "v\\\\t"}\t7\n'


def test_the_first_chunks_are_small_and_every_row_comes_once_in_order():
    # The database waits idle for the first chunk: it comes small, the next ones double.
    chunks = list(engine._chunks(range(12000), 5000))
    assert [len(c) for c in chunks] == [500, 1000, 2000, 4000, 4500]
    assert [n for chunk in chunks for n in chunk] == list(range(12000))
    assert [len(c) for c in engine._chunks(range(7), 3)] == [3, 3, 1]
