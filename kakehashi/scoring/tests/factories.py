"""Scores and rules for the scoring tests, built the way marketing would in the UI."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from kakehashi.scoring import actions, engine
from kakehashi.scoring.models import EngagementRule, FitRule, Score


def make_score(name: str = "Default", *, half_life_days: float = 7, **fields: Any) -> Score:
    score = Score.objects.create(name=name, half_life_days=half_life_days, **fields)
    engine.invalidate()
    return score


def engagement(score: Score, kind: str, points: int, *conditions: str, **fields: Any):
    parsed = []
    for text in conditions:
        key, op, value = text.split(" ", 2)
        parsed.append({"key": key, "op": op, "value": value})
    rule = EngagementRule.objects.create(
        score=score, name=fields.pop("name", f"{kind} {points:+d}"), kind=kind,
        conditions=parsed, points=points, **fields,
    )  # fmt: skip
    engine.invalidate()
    return rule


def fit(score: Score, field: str, op: str, value: str, points: int, key: str = "") -> FitRule:
    rule = FitRule.objects.create(
        score=score, name=f"{field} {op} {value}", field=field, op=op, value=value,
        points=points, key=key,
    )  # fmt: skip
    engine.invalidate()
    return rule


def standard_score() -> Score:
    """Pricing pages (capped per day), careers (negative, capped in total), mail, a form."""
    score = make_score()
    engagement(score, "page.viewed", 10, "url contains /pricing", cap_per_day=15, name="Pricing")
    engagement(score, "page.viewed", -5, "url contains /careers", cap_total=10, name="Careers")
    engagement(score, "email", 3, name="Any e-mail")
    engagement(score, "form.submitted", 25, "form equals 資料請求", name="Brochure")
    fit(score, "title", "contains", "部長", 10)
    fit(score, "industry", "one_of", "manufacturing, it", 5)
    return score


def recompute(score: Score) -> None:
    from kakehashi.scoring import recompute as module

    module.recompute_score(score_id=score.pk, now=timezone.now(), batch_size=2)


def rules_changed(score: Score) -> None:
    """What the actions do after an edit, without waiting for a worker."""
    Score.objects.filter(pk=score.pk).update(rules_version=score.rules_version + 1)
    score.refresh_from_db()
    engine.invalidate()


__all__ = ["actions", "engagement", "fit", "make_score", "recompute", "standard_score"]


def contributed(score: Score, **scope: Any) -> list[tuple[int, int | None, int]]:
    """(activity, rule, points) of every contribution to ``score``, stored or computed."""
    from kakehashi.scoring import contributions

    spec = engine.load_specs([score.pk])[0]
    return sorted((c.activity_id, c.rule_id, c.points) for c in contributions.rows(spec, **scope))
