"""Thin huey tasks: recompute after rule changes, rescore the leads an import wrote, keep epochs
fresh, retrain weekly."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

from kakehashi.leads.signals import leads_written_in_bulk

from . import engine

# Longer than any process keeps its cached rules, so the recompute starts after all of them
# score new activities with the new rules.
SETTLE_SECONDS = int(engine.SNAPSHOT_SECONDS * 3)


@db_task()
def recompute_score_task(score_id: int) -> None:
    from . import recompute

    try:
        recompute.recompute_score(score_id=score_id, now=timezone.now())
    except recompute.Superseded:
        return


@db_task()
def rescore_leads_task(ranges: list[tuple[int, int]]) -> None:
    from . import recompute

    recompute.rescore_ranges(ranges, now=timezone.now())


@receiver(leads_written_in_bulk, dispatch_uid="scoring.on_leads_written_in_bulk")
def on_leads_written_in_bulk(sender: Any, ranges: list[tuple[int, int]], **kwargs: Any) -> None:
    """An import wrote leads without recording each change: a worker rescores them (fit from
    their new fields, engagement from their timeline)."""
    transaction.on_commit(lambda: rescore_leads_task(ranges))


@db_task()
def delete_score_task(score_id: int) -> None:
    from .models import Score

    Score.objects.filter(pk=score_id, active=False).delete()


def enqueue_recompute(score_id: int) -> None:
    if HUEY.immediate:
        recompute_score_task(score_id)
    else:
        recompute_score_task.schedule(args=(score_id,), delay=SETTLE_SECONDS)


def enqueue_delete(score_id: int) -> None:
    if HUEY.immediate:
        delete_score_task(score_id)
    else:
        delete_score_task.schedule(args=(score_id,), delay=SETTLE_SECONDS)


@db_periodic_task(crontab(minute="23", hour="3"))
def maintain_scores() -> None:
    """Daily: move epochs forward when due; finish recomputes a stopped worker left behind."""
    from . import recompute
    from .models import Score

    now = timezone.now()
    for score in Score.objects.filter(active=True):
        recompute.renormalize(score_id=score.pk, now=now)
        score.refresh_from_db()
        if score.recomputing:
            recompute_score_task(score.pk)


@db_task()
def train_task() -> None:
    from . import predict

    predict.train_and_store(now=timezone.now())


@db_periodic_task(crontab(day_of_week="1", hour="4", minute="30"))
def weekly_retrain() -> None:
    """Mondays 04:30: retrain the likelihood-to-close model on the outcomes known by then."""
    from . import predict

    predict.train_and_store(now=timezone.now())
