"""A generated data set with a known signal, for the benchmark and the model's tests.

Each lead gets a hidden propensity from its industry, size and title plus noise; interested
leads view the pricing page and request the brochure more often; older leads carry an outcome
(``custom_attributes.outcome`` won/lost) drawn from the propensity. The rule score sees part of
this through its rules; a model that learns the weights should rank outcomes better.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from kakehashi.demo import data
from kakehashi.leads.models import Company, Lead
from kakehashi.lib.bulk import insert_rows
from kakehashi.timeline.models import Activity

from .models import EngagementRule, FitRule, Score

INDUSTRY_WEIGHT = {
    "manufacturing": 0.9, "it": 0.6, "finance": 0.7, "logistics": 0.2, "wholesale": 0.0,
    "retail": -0.8, "food": -0.5, "education": -0.6, "construction": 0.1, "services": 0.3,
}  # fmt: skip
BAND_WEIGHT = {"1-9": -1.0, "10-49": -0.4, "50-299": 0.2, "300-999": 0.6, "1000+": 0.8}
TITLES = [("部長", 0.8), ("本部長", 1.0), ("課長", 0.4), ("マネージャー", 0.4), ("主任", -0.2),
          ("担当", -0.5), ("", -0.3)]  # fmt: skip
PAGES = ["/", "/features", "/blog/ma-basics", "/blog/lead-scoring", "/seminar", "/whitepaper"]
COLUMNS = ("kind", "department", "lead_id", "company_id", "occurred_at", "recorded_at", "data")
BATCH = 2000

# The benchmark's rules: the starter set without caps, so one SQL aggregate can compute the same
# sums as the recompute (the baseline).
BENCH_RULES: list[dict[str, Any]] = [
    {"name": "料金ページ閲覧", "kind": "page.viewed",
     "conditions": [{"key": "url", "op": "contains", "value": "/pricing"}], "points": 10},
    {"name": "ページ閲覧", "kind": "page.viewed", "conditions": [], "points": 1},
    {"name": "採用ページ閲覧", "kind": "page.viewed",
     "conditions": [{"key": "url", "op": "contains", "value": "/careers"}], "points": -10},
    {"name": "資料請求", "kind": "form.submitted",
     "conditions": [{"key": "form", "op": "equals", "value": "資料請求"}], "points": 25},
    {"name": "メールのクリック", "kind": "email.clicked", "conditions": [], "points": 3},
    {"name": "メールの開封", "kind": "email.opened", "conditions": [], "points": 1},
    {"name": "イベント参加", "kind": "event.attended", "conditions": [], "points": 15},
]  # fmt: skip
BENCH_FIT: list[dict[str, Any]] = [
    {"name": "部長", "field": "title", "op": "contains", "value": "部長", "points": 10},
    {"name": "製造業・IT", "field": "industry", "op": "one_of", "value": "manufacturing, it",
     "points": 10},
    {"name": "大企業", "field": "employee_band", "op": "one_of", "value": "300-999, 1000+",
     "points": 10},
]  # fmt: skip


def bench_score(name: str = "Bench", half_life_days: float = 30) -> Score:
    score, _ = Score.objects.get_or_create(name=name, defaults={"half_life_days": half_life_days})
    if not score.engagement_rules.exists():
        EngagementRule.objects.bulk_create(
            [EngagementRule(score=score, **rule) for rule in BENCH_RULES]
        )
        FitRule.objects.bulk_create([FitRule(score=score, **rule) for rule in BENCH_FIT])
    return score


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _activity(rng: random.Random, interest: float, at: datetime) -> tuple[str, dict[str, Any]]:
    roll = rng.random()
    if roll < 0.55:
        if rng.random() < 0.04 + 0.30 * interest:
            return "page.viewed", {"url": "https://www.kakehashi-demo.jp/pricing", "title": "料金"}
        if rng.random() < 0.05:
            return "page.viewed", {"url": "https://www.kakehashi-demo.jp/careers", "title": "採用"}
        path = rng.choice(PAGES)
        return "page.viewed", {"url": f"https://www.kakehashi-demo.jp{path}", "title": path}
    if roll < 0.75:
        return "email.opened", {"subject": rng.choice(data.EMAIL_SUBJECTS)}
    if roll < 0.82:
        return "email.clicked", {"subject": rng.choice(data.EMAIL_SUBJECTS), "url": "/features"}
    if roll < 0.86:
        form = "資料請求" if rng.random() < 0.2 + 0.6 * interest else "セミナー申込"
        return "form.submitted", {"form": form}
    if roll < 0.88:
        return "event.attended", {"event": rng.choice(data.EVENTS)}
    return "call.logged", {"outcome": rng.choice(data.CALL_OUTCOMES)}


def generate(
    *, leads: int, activities: int, seed: int = 7, now: datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:  # fmt: skip
    """Add ``leads`` leads with about ``activities`` activities in all, by bulk inserts."""
    now = now or timezone.now()
    rng = random.Random(seed + Lead.objects.count())
    per_lead = max(1.0, activities / max(leads, 1))
    with transaction.atomic():
        companies = Company.objects.bulk_create(
            [
                Company(
                    name=f"合成{i}{rng.choice(['工業', '商事', 'システムズ'])}株式会社",
                    normalized_name=f"合成{i}",
                    industry=rng.choice(list(INDUSTRY_WEIGHT)),
                    employee_band=rng.choice(list(BAND_WEIGHT)),
                    prefecture=rng.randint(1, 47),
                )
                for i in range(max(20, leads // 8))
            ],
            batch_size=BATCH,
        )
    serial = (Lead.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    made = {"leads": 0, "activities": 0, "outcomes": 0}
    for start in range(0, leads, BATCH):
        size = min(BATCH, leads - start)
        with transaction.atomic():
            counts = _batch(rng, companies, serial + start, size, per_lead, now)
        made["leads"] += size
        made["activities"] += counts[0]
        made["outcomes"] += counts[1]
        if progress:
            progress(size)
    return made


def _batch(
    rng: random.Random, companies: list[Company], serial: int, size: int, per_lead: float,
    now: datetime,
) -> tuple[int, int]:  # fmt: skip
    batch, hidden = [], []
    outcomes = 0
    for i in range(size):
        company = rng.choice(companies)
        title, title_weight = rng.choice(TITLES)
        z = (
            INDUSTRY_WEIGHT.get(company.industry, 0.0)
            + BAND_WEIGHT.get(company.employee_band, 0.0)
            + title_weight
            + rng.gauss(0, 0.7)
        )
        created = now - timedelta(days=rng.uniform(0, 365))
        custom: dict[str, str] = {}
        if created < now - timedelta(days=30) and rng.random() < 0.5:
            custom["outcome"] = "won" if rng.random() < _sigmoid(1.8 * z - 1.2) else "lost"
            outcomes += 1
        lead = Lead(
            email=f"synthetic{serial + i}@example.jp",
            last_name="合成",
            first_name=f"{serial + i}",
            company=company,
            title=title,
            prefecture=company.prefecture,
            source=rng.choice(["web", "form", "trade_show", "event", "ad"]),
            custom_attributes=custom,
            created_at=created,
            updated_at=created,
        )
        lead.refresh_derived_fields()
        batch.append(lead)
        hidden.append(_sigmoid(z))
    Lead.objects.bulk_create(batch, batch_size=BATCH)
    rows = []
    for lead, interest in zip(batch, hidden, strict=True):
        count = max(1, round(per_lead * rng.uniform(0.2, 1.8)))
        span = (now - lead.created_at).total_seconds()
        last = lead.created_at
        for _ in range(count):
            at = lead.created_at + timedelta(seconds=span * rng.random() ** 0.7)
            kind, payload = _activity(rng, interest, at)
            department = "inside_sales" if kind == "call.logged" else "marketing"
            rows.append((kind, department, lead.pk, lead.company_id, at, at, payload))
            last = max(last, at)
        lead.last_activity_at = last
    insert_rows(Activity._meta.db_table, COLUMNS, rows)
    Lead.objects.bulk_update(batch, ["last_activity_at"], batch_size=BATCH)
    return len(rows), outcomes
