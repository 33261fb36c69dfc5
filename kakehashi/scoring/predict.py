"""Likelihood to close (成約確度): a calibrated logistic regression over fit and engagement.

``train`` fits on older leads and reports on newer ones (a time-ordered split, by creation);
``train_and_store`` keeps the model as a new signed ``ModelVersion`` and puts it in use. With
too few outcomes there is no model and leads are ranked by the rule score instead.
"""

from __future__ import annotations

import hashlib
import hmac
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import joblib
import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import Max
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from kakehashi.leads.models import Lead

from . import decay, features, outcomes
from .models import EngagementRule, LeadScore, ModelVersion, Score

MIN_OUTCOMES = 40
MIN_PER_CLASS = 10
TEST_SHARE = 0.25
CHUNK = 5000


class NotEnoughOutcomes(Exception):
    """Too few won and lost leads to learn from; the rule score ranks leads meanwhile."""

    def __init__(self, wins: int, losses: int) -> None:
        super().__init__(f"{wins} wins, {losses} losses")
        self.wins, self.losses = wins, losses


@dataclass
class Bundle:
    """What is pickled: the models and the feature definitions they were trained on."""

    calibrated: Any
    explainer: Any
    features: list[features.Feature]
    score_id: int | None


def primary_score() -> Score | None:
    return Score.objects.filter(active=True).order_by("position", "id").first()


def rule_scores(lead_ids: Sequence[int], score: Score | None, now: datetime) -> list[float]:
    """Fit + engagement now, the rule-based ranking the model is compared with."""
    if score is None:
        return [0.0] * len(lead_ids)
    values: dict[int, float] = {}
    for start in range(0, len(lead_ids), CHUNK):
        chunk = lead_ids[start : start + CHUNK]
        for lead_id, g, fit in LeadScore.objects.filter(score=score, lead_id__in=chunk).values_list(
            "lead_id", "g", "fit_points"
        ):
            engagement = decay.current(
                g, now.timestamp(), score.epoch.timestamp(), score.half_life_seconds
            )
            values[lead_id] = fit + engagement
    return [values.get(pk, 0.0) for pk in lead_ids]


def build_matrix(
    feats: Sequence[features.Feature], lead_ids: Sequence[int], score_id: int | None, now: datetime
) -> np.ndarray:
    rows: list[list[float]] = []
    for start in range(0, len(lead_ids), CHUNK):
        chunk = lead_ids[start : start + CHUNK]
        rows += features.matrix(feats, chunk, score_id=score_id, now=now)
    return np.asarray(rows, dtype=float).reshape(len(lead_ids), len(feats))


def calibration_error(y: np.ndarray, p: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error: |mean predicted − observed rate|, weighted by bin size."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    total = 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            total += mask.sum() / len(p) * abs(p[mask].mean() - y[mask].mean())
    return float(total)


def precision_at_top(y: np.ndarray, p: np.ndarray, share: float = 0.1) -> float:
    k = max(1, round(len(p) * share))
    top = np.argsort(-p, kind="stable")[:k]
    return float(y[top].mean())


def _auc(y: np.ndarray, p: Sequence[float]) -> float | None:
    return float(roc_auc_score(y, p)) if len(set(y.tolist())) == 2 else None


def train(*, now: datetime) -> tuple[Bundle, dict[str, Any]]:
    """Fit on older outcomes, report on newer ones, then refit on all for use."""
    labels = outcomes.labels()
    wins = sum(labels.values())
    losses = len(labels) - wins
    if len(labels) < MIN_OUTCOMES or min(wins, losses) < MIN_PER_CLASS:
        raise NotEnoughOutcomes(wins, losses)
    order = list(
        Lead.objects.filter(pk__in=list(labels)).order_by("created_at", "pk").values_list("pk", flat=True)
    ) if len(labels) <= 30_000 else _ordered(labels)  # fmt: skip
    score = primary_score()
    rules = (
        list(EngagementRule.objects.filter(score=score, active=True).values_list("id", "name"))
        if score
        else []
    )
    feats = features.feature_set(rules)
    x = build_matrix(feats, order, score.pk if score else None, now)
    y = np.asarray([1 if labels[pk] else 0 for pk in order])
    split = int(len(order) * (1 - TEST_SHARE))
    model = _fit(x[:split], y[:split])
    p = model.predict_proba(x[split:])[:, 1]
    baseline = rule_scores(order[split:], score, now)
    report = {
        "n_train": split,
        "n_test": len(order) - split,
        "auc_model": _round(_auc(y[split:], p)),
        "auc_rules": _round(_auc(y[split:], baseline)),
        "precision_at_top_10pct": round(precision_at_top(y[split:], p), 4),
        "calibration_error": round(calibration_error(y[split:], p), 4),
        "wins": int(wins),
        "losses": int(losses),
        "score": score.name if score else None,
    }
    final = _fit(x, y)
    explainer = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=2000))
    explainer.fit(x, y)
    return Bundle(final, explainer, feats, score.pk if score else None), report


def _ordered(labels: dict[int, bool]) -> list[int]:
    ids = sorted(labels)
    created: list[tuple[Any, int]] = []
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        created += list(Lead.objects.filter(pk__in=chunk).values_list("created_at", "pk"))
    return [pk for _, pk in sorted(created)]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _fit(x: np.ndarray, y: np.ndarray) -> Any:
    base = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=2000))
    folds = max(2, min(3, int(min(y.sum(), len(y) - y.sum()))))
    model = CalibratedClassifierCV(base, method="sigmoid", cv=folds)
    model.fit(x, y)
    return model


# --- storage: signed bytes in the database, shared by every web and worker process ------------


def _sign(payload: bytes) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), payload, hashlib.sha256).hexdigest()


def dump(bundle: Bundle) -> tuple[bytes, str]:
    buffer = io.BytesIO()
    joblib.dump(bundle, buffer)
    payload = buffer.getvalue()
    return payload, _sign(payload)


class TamperedModel(Exception):
    """The stored model's signature does not match: it was not written by kakehashi."""


def load(version: ModelVersion) -> Bundle:
    payload = bytes(version.payload)
    if not hmac.compare_digest(_sign(payload), version.signature):
        raise TamperedModel(version.version)
    # Safe to unpickle: bytes we wrote ourselves, verified by the HMAC above.
    bundle: Bundle = joblib.load(io.BytesIO(payload))
    return bundle


_cache: dict[int, Bundle] = {}


def model_in_use() -> tuple[ModelVersion, Bundle] | None:
    version = ModelVersion.objects.filter(in_use=True).defer("payload").first()
    if version is None:
        return None
    if version.version not in _cache:
        _cache.clear()
        _cache[version.version] = load(ModelVersion.objects.get(pk=version.pk))
    return version, _cache[version.version]


@transaction.atomic
def store(bundle: Bundle, report: dict[str, Any], *, now: datetime) -> ModelVersion:
    from kakehashi.timeline.actions import record

    payload, signature = dump(bundle)
    number = (ModelVersion.objects.aggregate(m=Max("version"))["m"] or 0) + 1
    ModelVersion.objects.filter(in_use=True).update(in_use=False)
    version = ModelVersion.objects.create(
        version=number,
        trained_at=now,
        metrics=report,
        features=[f.name for f in bundle.features],
        in_use=True,
        payload=payload,
        signature=signature,
    )
    record(kind="scoring.model_trained", occurred_at=now, data={"version": number, **report})
    return version


def train_and_store(*, now: datetime) -> ModelVersion | None:
    try:
        bundle, report = train(now=now)
    except NotEnoughOutcomes:
        return None
    return store(bundle, report, now=now)


# --- one lead ---------------------------------------------------------------------------------


@dataclass
class Likelihood:
    probability: float
    factors: list[tuple[str, float]]  # (plain words, contribution), strongest first
    version: int


def likelihood(lead_id: int, *, now: datetime) -> Likelihood | None:
    """The model's probability that this lead closes, with its top reasons; None without one."""
    found = model_in_use()
    if found is None:
        return None
    version, bundle = found
    x = build_matrix(bundle.features, [lead_id], bundle.score_id, now)
    probability = float(bundle.calibrated.predict_proba(x)[0, 1])
    scaler, regression = bundle.explainer[0], bundle.explainer[-1]
    contributions = (scaler.transform(x)[0]) * regression.coef_[0]
    factors = []
    for i in np.argsort(-np.abs(contributions))[:8]:
        feature, value = bundle.features[i], float(x[0, i])
        if value == 0 and feature.kind in ("flag", "count"):
            continue  # "did not do X" is not a reason a salesperson can use
        factors.append((features.describe(feature, value), float(contributions[i])))
    return Likelihood(probability, factors[:4], version.version)
