"""`kakehashi bench import`: the product's import against a plain-parse-and-insert baseline.

A generated CP932 file (Japanese business-card style rows, ~5% the same person again with the
e-mail in another width or case, ~1% bad rows) is loaded both ways in the same run and database:

- baseline (once before the import and twice after it, the median of the three counting):
  `csv.reader` over the decoded text and one bulk insert of every row's values into
  the lead table (raw strings in their columns where the table's checks accept them — the
  e-mail lowercased to pass its check, so the unique e-mail index is maintained as for real
  leads — and as plain text elsewhere; no normalization, no company matching, no dedupe, no
  timeline), then the rows are deleted again;
- product: the import the wizard, CLI and API use, end to end (reading, normalizing, folding
  duplicates, matching companies and existing leads, consent ledger, timeline activities).
"""

from __future__ import annotations

import csv
import io
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from faker import Faker

from kakehashi.imports import actions
from kakehashi.leads.models import Company, Lead
from kakehashi.lib.bulk import insert_rows
from kakehashi.lib.jp import PREFECTURES

HEADER = [
    "会社名",
    "部署名",
    "役職",
    "氏名",
    "フリガナ",
    "メールアドレス",
    "電話番号",
    "郵便番号",
    "住所",
]
LEGAL = ["株式会社{}", "{}株式会社", "㈱{}", "{}(株)", "有限会社{}"]


def generate(rows: int, *, seed: int = 7) -> tuple[bytes, int, int]:
    """(CP932 bytes, planted duplicate rows, planted bad rows)."""
    rng = random.Random(seed)
    fake = Faker("ja_JP")
    fake.seed_instance(seed)
    last = list({fake.last_name_pair() for _ in range(400)})
    first = list({fake.first_name_pair() for _ in range(400)})
    companies = [
        fake.last_name() + rng.choice(["商事", "工業", "システム", "物産", "電機"]) + str(i)
        for i in range(max(50, rows // 20))
    ]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    written: list[list[str]] = []
    duplicates = bad = 0
    for i in range(rows):
        if written and rng.random() < 0.05:
            # Each person appears at most twice, so every repeat is one planted duplicate.
            again = list(written.pop(rng.randrange(len(written))))
            email = again[5]
            # The same address in full width, half the time in capitals too: the product folds
            # both back; as raw text they differ from the first row's address.
            again[5] = (email.upper() if rng.random() < 0.5 else email).translate(_FULLWIDTH)
            writer.writerow(again)
            duplicates += 1
            continue
        (ln, lk, lr), (fn, fk, fr) = rng.choice(last), rng.choice(first)
        company = rng.choice(companies)
        _code, pref, _en = rng.choice(PREFECTURES)
        row = [
            rng.choice(LEGAL).format(company), "営業部", rng.choice(["部長", "課長", "主任", ""]),
            f"{ln} {fn}", f"{lk} {fk}", f"{fr.lower()}.{lr.lower()}.{i}@example.co.jp",
            f"0{rng.randint(3, 99)}-{rng.randint(100, 9999)}-{rng.randint(1000, 9999)}",
            f"{rng.randint(100, 999)}-{rng.randint(0, 9999):04d}", f"{pref}中央区1-{rng.randint(1, 30)}",
        ]  # fmt: skip
        if rng.random() < 0.01:
            if rng.random() < 0.5:
                row[5] = f"no-at-sign-{i}.example"
            else:
                row[7] = "12-34"
            bad += 1
        else:
            written.append(row)
        writer.writerow(row)
    return buffer.getvalue().encode("cp932"), duplicates, bad


_FULLWIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})
BASELINE_COLUMNS = (
    "id", "email", "phone", "phone_raw", "last_name", "first_name", "last_name_kana",
    "first_name_kana", "department", "title", "postal_code", "city", "address_line", "source",
    "first_touch", "email_consent", "do_not_email", "do_not_call", "do_not_mail",
    "custom_attributes", "search_text", "sort_name", "created_at", "updated_at",
)  # fmt: skip


def baseline(raw: bytes) -> tuple[int, float]:
    """Parse with csv and insert every row as it is; return (rows, seconds)."""
    started = time.perf_counter()
    reader = csv.reader(io.StringIO(raw.decode("cp932"), newline=""))
    next(reader)
    now = timezone.now()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT COALESCE(MAX(id), 0) FROM leads_lead")
            start = cursor.fetchone()[0] + 1
        records: Any = (
            # The raw values in their own columns where the table's checks accept raw text
            # (e-mail lowercased only to pass the lowercase check), the rest as plain text.
            (start + n, r[5].lower(), "", r[6], r[3], "", r[4], "", r[1], r[2], "", r[0],
             f"{r[7]} {r[8]}", "import", "", "unknown", False, False, False, {}, "", "", now, now)
            for n, r in enumerate(reader)
        )  # fmt: skip
        count = insert_rows("leads_lead", BASELINE_COLUMNS, records)
    elapsed = time.perf_counter() - started
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The bench database is ours: a DELETE checked every table that points at leads
            # for each of the 100k rows (11 s); the tables were empty before the baseline.
            cursor.execute("TRUNCATE leads_lead CASCADE")
        else:
            # The baseline's rows have nothing pointing at them: a plain DELETE removes them.
            cursor.execute("DELETE FROM leads_lead WHERE id >= %s", [start])
    return count, elapsed


def product(raw: bytes) -> tuple[Any, float]:
    folder = Path(tempfile.mkdtemp(prefix="kakehashi-bench-import-"))
    path = folder / "bench.csv"
    path.write_bytes(raw)
    started = time.perf_counter()
    now = timezone.now()
    run = actions.upload(raw=raw, filename=path.name, actor=None, now=now)
    columns = {int(k): v for k, v in run.mapping.items()}
    actions.configure(run=run, columns=columns, consent_basis="business_card", source="trade_show",
                      on_match="update", actor=None, now=now)  # fmt: skip
    run.refresh_from_db()
    run.status = run.Status.PENDING
    run.save(update_fields=["status"])
    run = actions.execute(run.pk, now=now)
    return run, time.perf_counter() - started


def _empty_tables() -> None:
    # The bench database is our own: every run starts from empty lead and company tables.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE leads_lead, leads_company, imports_importrun CASCADE")
    elif Lead.objects.exists() or Company.objects.exists():
        with transaction.atomic():
            Lead.objects.all().delete()
            Company.objects.all().delete()


def run(*, rows: int) -> dict[str, Any]:
    call_command("migrate", interactive=False, verbosity=0)
    _empty_tables()
    raw, planted_duplicates, planted_bad = generate(rows)
    # The baseline takes a few seconds, so a passing hiccup of the machine moves it a lot: it
    # runs once before the import and twice after (on empty tables again), and the median
    # counts. All three are printed.
    base_rows, first_seconds = baseline(raw)
    imported, seconds = product(raw)
    leads_in_db, companies_in_db = Lead.objects.count(), Company.objects.count()
    _empty_tables()
    samples = [first_seconds, *(baseline(raw)[1] for _ in range(2))]
    base_seconds = statistics.median(samples)
    base_rate = base_rows / base_seconds
    rate = rows / seconds
    return {
        "database": connection.vendor,
        "rows": rows,
        "file_bytes": len(raw),
        "planted_duplicates": planted_duplicates,
        "planted_bad_rows": planted_bad,
        "baseline_rows_per_s": round(base_rate),
        "baseline_seconds": round(base_seconds, 2),
        "baseline_samples_seconds": [round(s, 2) for s in samples],
        "import_rows_per_s": round(rate),
        "import_seconds": round(seconds, 2),
        "ratio_to_baseline": round(rate / base_rate, 3),
        "created": imported.created,
        "merged": imported.merged,
        "errors": len(imported.errors),
        "duplicates_found": imported.merged == planted_duplicates,
        "bad_rows_found": len(imported.errors) == planted_bad,
        "leads_in_db": leads_in_db,
        "companies_in_db": companies_in_db,
        "status": imported.status,
    }
