"""From validated values to what a submission writes: the readable answers, the counted rows,
the lead and company changes, hidden fields and the consent checkbox. Plain data, no ORM."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import mapping
from .models import COUNTED_KINDS, TEXT_KINDS, Field, FieldKind
from .public_form import answer_text


@dataclass
class Row:
    field: Field
    value: str = ""
    row: str = ""
    text: str = ""


@dataclass
class Interpreted:
    answers: dict[str, str] = field(default_factory=dict)
    rows: list[Row] = field(default_factory=list)
    lead: dict[str, Any] = field(default_factory=dict)
    custom: dict[str, str] = field(default_factory=dict)
    company_custom: dict[str, str] = field(default_factory=dict)
    hidden: dict[str, str] = field(default_factory=dict)
    consent: bool | None = None


def _empty(value: Any) -> bool:
    return value in (None, "", [], {}, False)


def _rows(f: Field, value: Any) -> list[Row]:
    if f.kind == FieldKind.MATRIX:
        return [Row(f, value=str(col)[:200], row=str(row)[:200]) for row, col in value.items()]
    if isinstance(value, list):
        return [Row(f, value=str(v)[:200]) for v in value]
    if f.kind in (FieldKind.CHECKBOX,):
        return [Row(f, value=answer_text(f, value))]
    if f.kind in COUNTED_KINDS:
        return [Row(f, value=str(value)[:200])]
    if f.kind in TEXT_KINDS:
        return [Row(f, text=str(value))]
    return [Row(f, value=answer_text(f, value)[:200])]


def interpret(values: list[tuple[Field, Any]]) -> Interpreted:
    out = Interpreted()
    for f, value in values:
        if f.kind == FieldKind.CONSENT:
            out.consent = bool(value)
            continue
        if f.kind == FieldKind.HIDDEN:
            if value:
                out.hidden[f.param or f.key] = str(value)
            continue
        if f.kind == FieldKind.CHECKBOX:
            out.answers[f.key] = answer_text(f, bool(value))
            out.rows.extend(_rows(f, bool(value)))
        elif not _empty(value):
            if f.kind == FieldKind.MATRIX:
                for row, col in value.items():
                    out.answers[f"{f.key}:{row}"] = str(col)
            else:
                out.answers[f.key] = answer_text(f, value)
            out.rows.extend(_rows(f, value))
        _map(out, f, value)
    return out


def _map(out: Interpreted, f: Field, value: Any) -> None:
    """Only non-empty answers reach the lead: an empty field never clears what is known."""
    target = f.maps_to
    if not target or _empty(value):
        return
    text = answer_text(f, value)
    if target.startswith(mapping.CUSTOM):
        out.custom[target.removeprefix(mapping.CUSTOM)] = text
    elif target.startswith(mapping.COMPANY_CUSTOM):
        out.company_custom[target.removeprefix(mapping.COMPANY_CUSTOM)] = text
    elif target == mapping.COMPANY_NAME:
        out.lead["company_name"] = text
    elif target.startswith("lead:"):
        name = target.removeprefix("lead:")
        out.lead[name] = value if name == "prefecture" else text
