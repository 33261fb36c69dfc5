"""Reads for the board, the forecast and stale deals."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth

from .models import Deal, Pipeline, Stage

STALE_DAYS = getattr(settings, "DEALS_STALE_DAYS", 14)


def board(pipeline: Pipeline, deals: Any, *, now: datetime) -> list[dict[str, Any]]:
    """Columns of the kanban board: each stage with its deals, count and total (3 queries)."""
    stages = list(pipeline.stages.all())
    totals = {
        row["stage"]: row
        for row in deals.values("stage").annotate(n=Count("id"), total=Sum("amount")).order_by()
    }
    limit = now - timedelta(days=STALE_DAYS)
    by_stage: dict[int, list[Deal]] = defaultdict(list)
    for deal in deals.select_related("company", "owner").order_by("expected_close_date", "id"):
        deal.is_stale = (
            deal.status == Deal.Status.OPEN and (deal.last_activity_at or deal.created_at) < limit
        )
        by_stage[deal.stage_id].append(deal)
    return [
        {"stage": stage, "deals": by_stage.get(stage.pk, []),
         "count": totals.get(stage.pk, {}).get("n", 0),
         "total": totals.get(stage.pk, {}).get("total") or Decimal(0)}
        for stage in stages
    ]  # fmt: skip


def _weighted() -> ExpressionWrapper:
    probability = Coalesce("probability", "stage__probability")
    return ExpressionWrapper(
        F("amount") * probability / Value(Decimal(100)),
        output_field=DecimalField(max_digits=20, decimal_places=2),
    )


def forecast(deals: Any, *, months: int, today: date) -> dict[str, Any]:
    """Open and won amounts by close month and owner: total, weighted (amount × probability),
    committed, won. Open deals without a close date count in the current month."""
    start = today.replace(day=1)
    open_deals = deals.filter(status=Deal.Status.OPEN).annotate(
        month=TruncMonth(Coalesce("expected_close_date", Value(start)))
    )
    won = deals.filter(status=Deal.Status.WON).annotate(month=TruncMonth("closed_at"))
    rows: dict[tuple[Any, int], dict[str, Any]] = {}
    for row in open_deals.values("month", "owner", "owner__name", "owner__email").annotate(
        total=Sum("amount"), weighted=Sum(_weighted()),
        committed=Sum("amount", filter=Q(committed=True)), n=Count("id"),
    ).order_by():  # fmt: skip
        rows[(_month(row["month"]), row["owner"])] = {**row, "won": Decimal(0)}
    for row in (
        won.values("month", "owner", "owner__name", "owner__email")
        .annotate(won=Sum("amount"))
        .order_by()
    ):
        key = (_month(row["month"]), row["owner"])
        rows.setdefault(
            key, {**row, "total": Decimal(0), "weighted": Decimal(0), "committed": None, "n": 0}
        )
        rows[key]["won"] = row["won"]
    horizon = [_add_months(start, i) for i in range(months)]
    owners = sorted(
        {(r["owner"], r["owner__name"] or r["owner__email"]) for r in rows.values()},
        key=lambda o: o[1],
    )
    table = [
        {"owner": name, "months": [rows.get((m, owner), {}) for m in horizon]}
        for owner, name in owners
    ]
    totals = [
        {key: sum((rows.get((m, o), {}).get(key) or Decimal(0)) for o, _ in owners)
         for key in ("total", "weighted", "committed", "won")}
        for m in horizon
    ]  # fmt: skip
    return {"months": horizon, "table": table, "totals": totals}


def _month(value: Any) -> date:
    if isinstance(value, datetime):
        value = value.date()
    return value.replace(day=1)


def _add_months(day: date, n: int) -> date:
    year, month = divmod(day.month - 1 + n, 12)
    return date(day.year + year, month + 1, 1)


def stale(deals: Any, *, now: datetime) -> Any:
    return deals.stale(now=now, days=STALE_DAYS)


def open_stages(pipeline: Pipeline) -> list[Stage]:
    return list(pipeline.stages.filter(kind=Stage.Kind.OPEN))
