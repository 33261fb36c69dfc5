"""Features for the likelihood model: who the lead is, and what they did lately.

Every feature has a plain-words description, so a prediction can say why ("料金ページ閲覧 ×3 in
the last 7 days", "industry: Manufacturing"). Engagement features count the primary score's
rule hits in windows, so the model speaks marketing's vocabulary.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count
from django.utils.translation import gettext as _

from kakehashi.leads.models import EmployeeBand, Industry, Lead, LeadSource
from kakehashi.timeline.models import Activity

from . import contributions

WINDOWS = (7, 30)
FAMILIES = ("page", "email", "form", "event", "call", "meeting")
BANDS = [band.value for band in EmployeeBand]
SENIOR = ("取締役", "本部長", "部長", "社長", "director", "vp", "ceo", "head")
MIDDLE = ("課長", "マネージャー", "manager", "リーダー")
JUNIOR = ("係長", "主任")


def title_level(title: str) -> int:
    folded = title.lower()
    if any(word in folded for word in SENIOR):
        return 3
    if any(word in folded for word in MIDDLE):
        return 2
    if any(word in folded for word in JUNIOR):
        return 1
    return 0


@dataclass(frozen=True)
class Feature:
    name: str
    kind: str  # "flag", "count", "level", "days"
    label: str  # what it means, in the words a salesperson uses
    rule_id: int | None = None
    window: int | None = None
    family: str | None = None


def feature_set(rules: Sequence[tuple[int, str]]) -> list[Feature]:
    """The features for a score with these engagement rules (id, name)."""
    features = [Feature(f"industry:{v}", "flag", str(label)) for v, label in Industry.choices]
    features.append(Feature("employee_band", "level", "employees"))
    features.append(Feature("title_level", "level", "title"))
    features += [Feature(f"source:{v}", "flag", str(label)) for v, label in LeadSource.choices]
    for rule_id, name in rules:
        for days in WINDOWS:
            features.append(Feature(f"rule:{rule_id}:{days}d", "count", name, rule_id, days))
    for family in FAMILIES:
        features.append(Feature(f"family:{family}:90d", "count", family, window=90, family=family))
    features.append(Feature("days_since_activity", "days", "recency"))
    features.append(Feature("velocity_7d", "count", "velocity", window=7))
    return features


def describe(feature: Feature, value: float) -> str:
    """Plain words for one feature's value on one lead."""
    n = round(value)
    if feature.name.startswith("industry:"):
        name = dict(Industry.choices).get(feature.name.split(":", 1)[1], feature.label)
        return _("industry: %(name)s") % {"name": name}
    if feature.name.startswith("source:"):
        name = dict(LeadSource.choices).get(feature.name.split(":", 1)[1], feature.label)
        return _("source: %(name)s") % {"name": name}
    if feature.name == "employee_band":
        band = BANDS[n - 1] if 0 < n <= len(BANDS) else "—"
        return _("employees: %(band)s") % {"band": band}
    if feature.name == "title_level":
        levels = [_("staff"), _("team lead"), _("manager"), _("head of department or above")]
        return _("title: %(level)s") % {"level": levels[max(0, min(n, 3))]}
    if feature.rule_id is not None:
        return _("%(rule)s ×%(n)s in the last %(days)s days") % {
            "rule": feature.label, "n": n, "days": feature.window,
        }  # fmt: skip
    if feature.family is not None:
        return _("%(n)s %(family)s activities in the last 90 days") % {
            "n": n, "family": feature.family,
        }  # fmt: skip
    if feature.name == "days_since_activity":
        return _("last activity %(n)s days ago") % {"n": n}
    return _("%(n)s points gained in the last 7 days") % {"n": n}


def matrix(
    features: Sequence[Feature], lead_ids: Sequence[int], *, score_id: int | None, now: datetime
) -> list[list[float]]:
    """One row per lead id (in order), one column per feature, as of ``now``."""
    index = {f.name: i for i, f in enumerate(features)}
    rows = {pk: [0.0] * len(features) for pk in lead_ids}
    leads = Lead.objects.filter(pk__in=lead_ids).values_list(
        "pk", "company__industry", "company__employee_band", "title", "source", "last_activity_at"
    )
    for pk, industry, band, title, source, last_at in leads:
        row = rows[pk]
        for key in (f"industry:{industry}", f"source:{source}"):
            if key in index:
                row[index[key]] = 1.0
        row[index["employee_band"]] = float(BANDS.index(band) + 1) if band in BANDS else 0.0
        row[index["title_level"]] = float(title_level(title or ""))
        days = (now - last_at).total_seconds() / 86400 if last_at else 365.0
        row[index["days_since_activity"]] = min(max(days, 0.0), 365.0)
    if score_id is not None:
        _rule_counts(features, index, rows, lead_ids, score_id, now)
    _family_counts(index, rows, lead_ids, now)
    return [rows[pk] for pk in lead_ids]


def _rule_counts(
    features: Sequence[Feature], index: dict[str, int], rows: dict[int, list[float]],
    lead_ids: Sequence[int], score_id: int, now: datetime,
) -> None:  # fmt: skip
    spec = contributions.spec_of(score_id)
    if spec is None:
        return
    windows = {f"{days}d": now - timedelta(days=days) for days in WINDOWS}
    for chunk in contributions.lead_chunks(spec, lead_ids):
        for lead_id, rule_id, counts in contributions.counts_by_rule(
            spec, windows, lead_id__in=chunk
        ):
            for days in WINDOWS:
                key = f"rule:{rule_id}:{days}d"
                if key in index:
                    rows[lead_id][index[key]] = float(counts[f"{days}d"])
        week = contributions.gained(spec, now - timedelta(days=7), lead_id__in=chunk)
        for lead_id, points in week.items():
            rows[lead_id][index["velocity_7d"]] = float(points)


def _family_counts(
    index: dict[str, int], rows: dict[int, list[float]], lead_ids: Sequence[int], now: datetime
) -> None:
    recent = Activity.objects.filter(
        lead_id__in=lead_ids, occurred_at__gte=now - timedelta(days=90)
    )
    for lead_id, kind, n in (
        recent.values("lead_id", "kind").annotate(n=Count("id")).values_list("lead_id", "kind", "n")
    ):
        key = f"family:{kind.split('.', 1)[0]}:90d"
        if key in index:
            rows[lead_id][index[key]] += float(n)
