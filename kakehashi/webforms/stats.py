"""Survey results from answer counts: shares, means, NPS, cross-tabs and plotly figures.

Pure: the view runs two GROUP BY queries and hands the counts here. Figures are plain dicts
that plotly.js draws; the numbers are also rendered as tables, so the page reads without
JavaScript.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kakehashi.lib.jp import PREFECTURES

from .models import MULTI_KINDS, Field, FieldKind

PROMOTERS, DETRACTORS_MAX = ("9", "10"), 6
CHART_COLOR = "#2f6f9f"


@dataclass
class Bar:
    value: str
    label: str
    count: int
    share: float  # percent of respondents who answered the question


@dataclass
class Result:
    field: Field
    label: str
    answered: int
    bars: list[Bar] = dataclasses.field(default_factory=list)
    matrix: list[tuple[str, list[Bar]]] = dataclasses.field(default_factory=list)
    mean: float | None = None
    nps: int | None = None
    chart: dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def chart_id(self) -> str:
        return f"chart-{self.field.pk}"

    @property
    def multiple(self) -> bool:
        return self.field.kind in MULTI_KINDS


def choices_of(f: Field, language: str, seen: Iterable[str] = ()) -> list[tuple[str, str]]:
    """(value, label) in the order the question offers them, then values no longer offered."""
    if f.kind in (FieldKind.RATING, FieldKind.NPS):
        offered = [(v, v) for v in f.scale()]
    elif f.kind == FieldKind.CHECKBOX:
        offered = [("yes", "✓"), ("no", "—")]
    elif f.kind == FieldKind.PREFECTURE:
        present = set(seen)
        offered = [
            (str(code), en if language == "en" else ja)
            for code, ja, en in PREFECTURES
            if str(code) in present
        ]
    else:
        offered = [(str(o["value"]), Field.choice_label(o, language)) for o in f.options]
    known = {v for v, _label in offered}
    return offered + [(v, v) for v in sorted(set(seen) - known)]


def _bars(
    choices: Sequence[tuple[str, str]], counts: Mapping[str, int], answered: int
) -> list[Bar]:
    return [
        Bar(
            value,
            label,
            counts.get(value, 0),
            100 * counts.get(value, 0) / answered if answered else 0.0,
        )
        for value, label in choices
    ]


def summarize(
    f: Field, counts: Mapping[tuple[str, str], int], answered: int, language: str
) -> Result:
    """``counts`` maps (matrix row or '', value) to the number of answers."""
    result = Result(f, f.label(language), answered)
    if f.kind == FieldKind.MATRIX:
        columns = choices_of(f, language)
        for row in f.rows:
            row_counts = {v: n for (r, v), n in counts.items() if r == str(row["value"])}
            result.matrix.append(
                (Field.choice_label(row, language), _bars(columns, row_counts, answered))
            )
        result.chart = matrix_figure(result)
        return result
    flat = {v: n for (_r, v), n in counts.items()}
    result.bars = _bars(choices_of(f, language, flat), flat, answered)
    if f.kind in (FieldKind.RATING, FieldKind.NPS) and answered:
        result.mean = sum(int(v) * n for v, n in flat.items() if v.isdigit()) / answered
    if f.kind == FieldKind.NPS and answered:
        result.nps = nps(flat)
    result.chart = bar_figure(result, vertical=f.kind in (FieldKind.RATING, FieldKind.NPS))
    return result


def nps(counts: Mapping[str, int]) -> int:
    """Net Promoter Score: % promoters (9–10) minus % detractors (0–6), −100…100."""
    total = sum(counts.values())
    if not total:
        return 0
    promoters = sum(n for v, n in counts.items() if v in PROMOTERS)
    detractors = sum(n for v, n in counts.items() if v.isdigit() and int(v) <= DETRACTORS_MAX)
    return round(100 * (promoters - detractors) / total)


def _layout(height: int) -> dict[str, Any]:
    return {
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 10, "b": 30},
        "font": {
            "family": '"Hiragino Sans", "Noto Sans JP", "Yu Gothic UI", Meiryo, system-ui, sans-serif'
        },
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
    }


def bar_figure(result: Result, *, vertical: bool = False) -> dict[str, Any]:
    labels = [b.label for b in result.bars]
    counts = [b.count for b in result.bars]
    trace: dict[str, Any] = {"type": "bar", "marker": {"color": CHART_COLOR}, "text": counts}
    if vertical:
        trace.update({"x": labels, "y": counts})
        layout = {**_layout(260), "xaxis": {"type": "category"}}
    else:
        trace.update({"x": counts, "y": labels, "orientation": "h"})
        layout = {
            **_layout(60 + 32 * len(labels)),
            "yaxis": {"autorange": "reversed", "automargin": True, "type": "category"},
        }
    return {"data": [trace], "layout": layout}


def matrix_figure(result: Result) -> dict[str, Any]:
    rows = [label for label, _bars in result.matrix]
    columns = [b.label for b in result.matrix[0][1]] if result.matrix else []
    data = [
        {
            "type": "bar",
            "orientation": "h",
            "name": column,
            "y": rows,
            "x": [bars[i].count for _label, bars in result.matrix],
        }
        for i, column in enumerate(columns)
    ]
    layout = {
        **_layout(90 + 36 * len(rows)),
        "barmode": "stack",
        "yaxis": {"autorange": "reversed", "automargin": True, "type": "category"},
        "legend": {"orientation": "h"},
    }
    return {"data": data, "layout": layout}


@dataclass
class CrossTab:
    columns: list[str]
    rows: list[tuple[str, list[int], int]]
    totals: list[int]
    total: int
    chart: dict[str, Any] = dataclasses.field(default_factory=dict)


def crosstab(
    counts: Mapping[tuple[str, str], int],
    row_choices: Sequence[tuple[str, str]],
    column_choices: Sequence[tuple[str, str]],
) -> CrossTab:
    """``counts`` maps (row value, column value) to a count; choices give order and labels."""
    table = []
    for value, label in row_choices:
        cells = [counts.get((value, c), 0) for c, _label in column_choices]
        table.append((label, cells, sum(cells)))
    totals = [sum(row[1][i] for row in table) for i in range(len(column_choices))]
    result = CrossTab([label for _v, label in column_choices], table, totals, sum(totals))
    result.chart = {
        "data": [
            {"type": "bar", "orientation": "h", "name": column,
             "y": [label for label, _cells, _t in table], "x": [cells[i] for _l, cells, _t in table]}
            for i, column in enumerate(result.columns)
        ],
        "layout": {**_layout(90 + 36 * len(table)), "barmode": "stack",
                   "yaxis": {"autorange": "reversed", "automargin": True, "type": "category"},
                   "legend": {"orientation": "h"}},
    }  # fmt: skip
    return result
