"""The journey map's read model: live counts, conversion, time in stage, drop-off, flows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q

from . import rules
from .models import LANE_ORDER, OWNER_FUNCTIONS, Journey, LeadStage, Stage, StageChange

# The median reads the period's durations; past this many a stage's median uses the latest.
MEDIAN_SAMPLE = 20_000


@dataclass
class StageFigures:
    stage: Stage
    count: int = 0
    entered: int = 0
    moved_on: int = 0
    dropped: int = 0
    median_seconds: float | None = None
    column: int = 0
    lane: int = 0

    @property
    def conversion(self) -> float | None:
        return rules.conversion(self.entered, self.moved_on)

    @property
    def drop_off(self) -> float | None:
        return rules.conversion(self.entered, self.dropped)

    @property
    def median_days(self) -> float | None:
        return None if self.median_seconds is None else self.median_seconds / 86400


def stages_of(journey: Journey) -> list[Stage]:
    return list(Stage.objects.filter(journey=journey).order_by("position", "id"))


def live_counts(stages: list[Stage]) -> dict[int, int]:
    """Leads in each stage now: one grouped count over the (stage, entered_at) index."""
    rows = (
        LeadStage.objects.filter(stage_id__in=[s.pk for s in stages])
        .values("stage_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {r["stage_id"]: r["n"] for r in rows}


def figures(journey: Journey, since: datetime, until: datetime) -> list[StageFigures]:
    """Per stage: leads there now, and for leads that entered it in [since, until) how many
    moved on (conversion), how many were recycled or went back (drop-off), and the median time
    spent in it by leads that left it in the period."""
    stages = stages_of(journey)
    counts = live_counts(stages)
    later = StageChange.objects.filter(
        lead=OuterRef("lead"),
        journey=journey,
        from_stage=OuterRef("to_stage"),
        changed_at__gte=OuterRef("changed_at"),
    )
    forward = later.filter(
        to_stage__position__gt=OuterRef("to_stage__position"), to_stage__is_nurture=False
    )
    back = later.filter(
        Q(to_stage__is_nurture=True) | Q(to_stage__position__lt=OuterRef("to_stage__position"))
    )
    cohort = (
        StageChange.objects.filter(journey=journey, changed_at__gte=since, changed_at__lt=until)
        .annotate(fwd=Exists(forward), bwd=Exists(back))
        .values("to_stage_id")
        .annotate(
            entered=Count("id"),
            moved=Count("id", filter=Q(fwd=True)),
            dropped=Count("id", filter=Q(bwd=True)),
        )
        .order_by()
    )
    by_stage: dict[int, dict[str, Any]] = {r["to_stage_id"]: dict(r) for r in cohort}
    durations: dict[int, list[float]] = {}
    spent = (
        StageChange.objects.filter(
            journey=journey,
            changed_at__gte=since,
            changed_at__lt=until,
            from_stage__isnull=False,
            seconds_in_from__isnull=False,
        )
        .order_by("-changed_at")
        .values_list("from_stage_id", "seconds_in_from")[:MEDIAN_SAMPLE]
    )
    for stage_id, seconds in spent:
        if stage_id is not None and seconds is not None:
            durations.setdefault(stage_id, []).append(seconds)
    lanes = lane_index(stages)
    result = []
    for column, stage in enumerate(stages, start=1):
        row: dict[str, Any] = by_stage.get(stage.pk, {})
        result.append(
            StageFigures(
                stage=stage,
                count=counts.get(stage.pk, 0),
                entered=row.get("entered", 0),
                moved_on=row.get("moved", 0),
                dropped=row.get("dropped", 0),
                median_seconds=rules.median(durations.get(stage.pk, [])),
                column=column,
                lane=lanes[stage.owner_function],
            )
        )
    return result


def lane_index(stages: list[Stage]) -> dict[str, int]:
    """Swimlanes: one row per owning team that owns a stage, in funnel order."""
    used = {s.owner_function for s in stages}
    return {f: i for i, f in enumerate((f for f in LANE_ORDER if f in used), start=1)}


def lanes(stages: list[Stage]) -> list[tuple[int, str, Any]]:
    labels = dict(OWNER_FUNCTIONS)
    return [(i, f, labels[f]) for f, i in lane_index(stages).items()]


def flows(journey: Journey, since: datetime, until: datetime) -> list[tuple[int | None, int, int]]:
    """(from stage or None for new leads, to stage, leads) moved in the period, recycling too."""
    rows = (
        StageChange.objects.filter(journey=journey, changed_at__gte=since, changed_at__lt=until)
        .values("from_stage_id", "to_stage_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [(r["from_stage_id"], r["to_stage_id"], r["n"]) for r in rows]


LANE_COLOURS = {
    "marketing": "#d9485f",
    "inside_sales": "#2f7dd1",
    "field_sales": "#2b9a66",
    "customer_success": "#b7791f",
}


def sankey(
    stages: list[Stage], moves: list[tuple[int | None, int, int]], new_label: str
) -> dict[str, Any]:
    """A plotly figure (plain JSON) of the flows; the page draws it with the bundled plotly.js."""
    index = {s.pk: i for i, s in enumerate(stages)}
    labels = [s.name for s in stages] + [new_label]
    colours = [LANE_COLOURS.get(s.owner_function, "#888") for s in stages] + ["#999"]
    source, target, value, link_colours = [], [], [], []
    for from_id, to_id, n in moves:
        if to_id not in index or (from_id is not None and from_id not in index):
            continue
        source.append(len(stages) if from_id is None else index[from_id])
        target.append(index[to_id])
        value.append(n)
        recycled = stages[index[to_id]].is_nurture or (
            from_id is not None and stages[index[from_id]].is_nurture
        )
        link_colours.append("rgba(183,121,31,0.45)" if recycled else "rgba(120,120,120,0.3)")
    return {
        "data": [
            {
                "type": "sankey",
                "arrangement": "snap",
                "node": {"label": labels, "color": colours, "pad": 18, "thickness": 16},
                "link": {"source": source, "target": target, "value": value, "color": link_colours},
            }
        ],
        "layout": {"margin": {"l": 10, "r": 10, "t": 10, "b": 10}, "height": 420,
                   "font": {"family": "Hiragino Sans, Noto Sans JP, Meiryo, sans-serif", "size": 12}},
    }  # fmt: skip


def unplaced(journey: Journey) -> int:
    """Leads not yet in the journey (bulk imports); the hourly sweep places them."""
    from kakehashi.leads.models import Lead

    return max(Lead.objects.count() - LeadStage.objects.filter(journey=journey).count(), 0)


def history(lead_id: int) -> list[StageChange]:
    return list(
        StageChange.objects.filter(lead_id=lead_id)
        .select_related("from_stage", "to_stage", "actor", "journey")
        .order_by("-changed_at", "-id")[:100]
    )


def current_stages(lead_id: int) -> list[LeadStage]:
    return list(
        LeadStage.objects.filter(lead_id=lead_id)
        .select_related("stage", "journey")
        .order_by("journey__position", "journey_id")
    )
