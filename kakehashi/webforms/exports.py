"""Answers as a table for CSV/XLSX: one row per submission, one column per answer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Field, FieldKind, Form


def _columns(fields: list[Field]) -> list[str]:
    """Answer keys in form order: the names the timeline and scoring rules use, in any language."""
    columns = []
    for f in fields:
        if f.kind in (FieldKind.CONSENT, FieldKind.HIDDEN):
            continue
        if f.kind == FieldKind.MATRIX:
            columns += [f"{f.key}:{r['value']}" for r in f.rows]
        else:
            columns.append(f.key)
    return columns


def table(form: Form) -> tuple[list[str], Iterator[list[Any]], list[int]]:
    fields = list(form.fields.all())
    columns = _columns(fields)
    header = [
        _("Submitted at"), _("Status"), _("Lead ID"), _("Lead"), _("E-mail"),
        *columns,
        _("Consent given"), _("Purpose text version"), _("Page"), _("UTM source"),
        _("UTM medium"), _("UTM campaign"), _("Hidden fields"),
    ]  # fmt: skip
    submissions = list(
        form.submissions.select_related("lead", "purpose").order_by("submitted_at", "id")
    )
    lead_ids = [s.lead_id for s in submissions if s.lead_id]

    def rows() -> Iterator[list[Any]]:
        for s in submissions:
            lead = s.lead
            yield [
                timezone.localtime(s.submitted_at).strftime("%Y/%m/%d %H:%M"),
                str(s.get_status_display()),
                s.lead_id or "",
                lead.display_name if lead else "",
                lead.email if lead else "",
                *[s.answers.get(key, "") for key in columns],
                "" if s.consent_given is None else ("yes" if s.consent_given else "no"),
                s.purpose.label if s.purpose else "",
                s.page_url,
                s.utm.get("source", ""),
                s.utm.get("medium", ""),
                s.utm.get("campaign", ""),
                ", ".join(f"{k}={v}" for k, v in s.hidden.items()),
            ]

    return [str(h) for h in header], rows(), lead_ids
