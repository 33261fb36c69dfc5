"""Every change to scores and their rules: atomic, audited, and followed by a recompute."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F

from kakehashi.timeline.actions import record

from . import engine
from .models import EngagementRule, FitRule, Score

if TYPE_CHECKING:
    from kakehashi.accounts.models import User

STARTER_RULES: list[dict[str, Any]] = [
    {"name": "料金ページ閲覧", "kind": "page.viewed",
     "conditions": [{"key": "url", "op": "contains", "value": "/pricing"}], "points": 10,
     "cap_per_day": 20},
    {"name": "導入事例の閲覧", "kind": "page.viewed",
     "conditions": [{"key": "url", "op": "contains", "value": "/case-studies"}], "points": 5,
     "cap_per_day": 10},
    {"name": "ページ閲覧", "kind": "page.viewed", "conditions": [], "points": 1, "cap_per_day": 5},
    {"name": "採用ページ閲覧", "kind": "page.viewed",
     "conditions": [{"key": "url", "op": "contains", "value": "/careers"}], "points": -10,
     "cap_total": 20},
    {"name": "資料請求", "kind": "form.submitted",
     "conditions": [{"key": "form", "op": "equals", "value": "資料請求"}], "points": 25},
    {"name": "お問い合わせ", "kind": "form.submitted",
     "conditions": [{"key": "form", "op": "equals", "value": "お問い合わせ"}], "points": 30},
    {"name": "メールのクリック", "kind": "email.clicked", "conditions": [], "points": 3,
     "cap_per_day": 9},
    {"name": "イベント参加", "kind": "event.attended", "conditions": [], "points": 15},
]  # fmt: skip
STARTER_FIT: list[dict[str, Any]] = [
    {"name": "部長・マネージャー", "field": "title", "op": "contains", "value": "部長", "points": 10},
    {"name": "マネージャー", "field": "title", "op": "contains", "value": "マネージャー", "points": 8},
    {"name": "製造業・IT", "field": "industry", "op": "one_of", "value": "manufacturing, it",
     "points": 10},
    {"name": "従業員300人以上", "field": "employee_band", "op": "one_of", "value": "300-999, 1000+",
     "points": 10},
]  # fmt: skip


def _rules_changed(
    score: Score, *, actor: User | None, what: str, name: str, now: datetime
) -> None:
    """Bump the rules version, audit the change, and recompute once every process sees it."""
    Score.objects.filter(pk=score.pk).update(rules_version=F("rules_version") + 1, updated_at=now)
    score.refresh_from_db(fields=["rules_version", "updated_at"])
    record(
        kind="scoring.rules_changed",
        actor=actor,
        occurred_at=now,
        data={"score_id": score.pk, "score": score.name, "what": what, "name": name},
    )
    engine.invalidate()
    score_id = score.pk

    def _enqueue() -> None:
        from .tasks import enqueue_recompute

        enqueue_recompute(score_id)

    transaction.on_commit(_enqueue)


@transaction.atomic
def create_score(*, actor: User | None, fields: Mapping[str, Any], now: datetime) -> Score:
    score = Score(**fields, created_at=now, updated_at=now)
    score.full_clean()
    score.save()
    _rules_changed(score, actor=actor, what="score.created", name=score.name, now=now)
    return score


@transaction.atomic
def create_starter_score(*, actor: User | None, name: str, now: datetime) -> Score:
    """A score with typical B2B rules marketing can start from and edit."""
    score = Score(name=name, created_at=now, updated_at=now)
    score.full_clean()
    score.save()
    EngagementRule.objects.bulk_create(
        [EngagementRule(score=score, created_at=now, updated_at=now, **r) for r in STARTER_RULES]
    )
    FitRule.objects.bulk_create(
        [FitRule(score=score, created_at=now, updated_at=now, **r) for r in STARTER_FIT]
    )
    _rules_changed(score, actor=actor, what="score.created", name=score.name, now=now)
    return score


@transaction.atomic
def update_score(
    *, score: Score, actor: User | None, changes: Mapping[str, Any], now: datetime
) -> Score:
    for field, value in changes.items():
        setattr(score, field, value)
    score.updated_at = now
    score.full_clean()
    score.save()
    # Half-life, fit thresholds and activity change what is stored: recompute.
    _rules_changed(score, actor=actor, what="score.updated", name=score.name, now=now)
    return score


@transaction.atomic
def set_mql_threshold(
    *, score: Score, actor: User | None, threshold: float | None, now: datetime
) -> Score:
    """The MQL threshold only reads the stored state: no recompute needed."""
    Score.objects.filter(pk=score.pk).update(mql_threshold=threshold, updated_at=now)
    score.mql_threshold = threshold
    record(
        kind="scoring.rules_changed",
        actor=actor,
        occurred_at=now,
        data={"score_id": score.pk, "score": score.name, "what": "mql_threshold",
              "name": "" if threshold is None else str(threshold)},
    )  # fmt: skip
    return score


@transaction.atomic
def archive_score(*, score: Score, actor: User | None, now: datetime) -> None:
    """Switch the score off now; its rows go in the worker once every process has noticed."""
    Score.objects.filter(pk=score.pk).update(active=False, updated_at=now)
    record(
        kind="scoring.rules_changed",
        actor=actor,
        occurred_at=now,
        data={"score_id": score.pk, "score": score.name, "what": "score.deleted", "name": ""},
    )
    engine.invalidate()
    score_id = score.pk

    def _enqueue() -> None:
        from .tasks import enqueue_delete

        enqueue_delete(score_id)

    transaction.on_commit(_enqueue)


@transaction.atomic
def _save_rule(rule: Any, *, kind: str, actor: User | None, now: datetime) -> Any:
    created = rule.pk is None
    if created:
        rule.created_at = now
    rule.updated_at = now
    rule.full_clean()
    rule.save()
    what = f"{kind}.created" if created else f"{kind}.updated"
    _rules_changed(rule.score, actor=actor, what=what, name=rule.name, now=now)
    return rule


@transaction.atomic
def _delete_rule(rule: Any, *, kind: str, actor: User | None, now: datetime) -> None:
    score, name = rule.score, rule.name
    rule.delete()
    _rules_changed(score, actor=actor, what=f"{kind}.deleted", name=name, now=now)


def save_engagement_rule(
    *, rule: EngagementRule, actor: User | None, now: datetime
) -> EngagementRule:
    return _save_rule(rule, kind="engagement_rule", actor=actor, now=now)


def delete_engagement_rule(*, rule: EngagementRule, actor: User | None, now: datetime) -> None:
    _delete_rule(rule, kind="engagement_rule", actor=actor, now=now)


def save_fit_rule(*, rule: FitRule, actor: User | None, now: datetime) -> FitRule:
    return _save_rule(rule, kind="fit_rule", actor=actor, now=now)


def delete_fit_rule(*, rule: FitRule, actor: User | None, now: datetime) -> None:
    _delete_rule(rule, kind="fit_rule", actor=actor, now=now)
