"""Reads for the results page: answer counts and cross-tabs, each one GROUP BY on the
(field, row, value) index. Cross-tab dimensions are a whitelist (SEC-SQL-1)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kakehashi.leads.models import EmployeeBand, Industry, LeadSource
from kakehashi.lib.jp import PREFECTURES

from .models import Answer, Field, Form


def answer_counts(form: Form) -> dict[int, dict[tuple[str, str], int]]:
    counts: dict[int, dict[tuple[str, str], int]] = defaultdict(dict)
    rows = (
        Answer.objects.filter(field__form=form)
        .exclude(value="")
        .values_list("field_id", "row", "value")
        .annotate(n=Count("id"))
        .order_by()
    )
    for field_id, row, value, n in rows:
        counts[field_id][(row, value)] = n
    return counts


def answered_counts(form: Form) -> dict[int, int]:
    """How many submissions answered each question (a multiple choice counts once)."""
    return dict(
        Answer.objects.filter(field__form=form)
        .values_list("field_id")
        .annotate(n=Count("submission_id", distinct=True))
        .values_list("field_id", "n")
        .order_by()
    )


def question_crosstab(a: Field, b: Field) -> dict[tuple[str, str], int]:
    """Respondents per (answer to a, answer to b): a self-join of answers on the submission."""
    rows = (
        Answer.objects.filter(field=a, submission__answer_rows__field=b)
        .exclude(value="")
        .values_list("value", "submission__answer_rows__value")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {(va, vb or ""): n for va, vb, n in rows}


@dataclass(frozen=True)
class Dimension:
    label: str | Promise
    path: str
    choices: Callable[[str], list[tuple[str, str]]]


def _prefectures(language: str) -> list[tuple[str, str]]:
    return [(str(code), en if language == "en" else ja) for code, ja, en in PREFECTURES]


def _text_choices(choices: Any) -> Callable[[str], list[tuple[str, str]]]:
    return lambda language: [(str(v), str(label)) for v, label in choices.choices]


LEAD_DIMENSIONS: dict[str, Dimension] = {
    "prefecture": Dimension(_("Prefecture (lead)"), "submission__lead__prefecture", _prefectures),
    "source": Dimension(_("Source (lead)"), "submission__lead__source", _text_choices(LeadSource)),
    "industry": Dimension(
        _("Industry (company)"), "submission__lead__company__industry", _text_choices(Industry)
    ),
    "employee_band": Dimension(
        _("Employees (company)"),
        "submission__lead__company__employee_band",
        _text_choices(EmployeeBand),
    ),
}
UNKNOWN = ""


def lead_crosstab(a: Field, dimension: str) -> dict[tuple[str, str], int]:
    path = LEAD_DIMENSIONS[dimension].path  # a whitelisted path, never user text
    rows = (
        Answer.objects.filter(field=a)
        .exclude(value="")
        .values_list("value", path)
        .annotate(n=Count("id"))
        .order_by()
    )
    out: dict[tuple[str, str], int] = defaultdict(int)
    for value, column, n in rows:
        out[(value, UNKNOWN if column in (None, "") else str(column))] += n
    return dict(out)
