"""Lead exports: the columns people pick, and a data-subject export of one person (LEG-APPI-2)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kakehashi.lib import normalize
from kakehashi.lib.jp import format_postal_code, prefecture_name

from .merge import relations
from .models import DisclosedLead, Disclosure, Lead


def _tags(lead: Lead) -> str:
    return ", ".join(t.name for t in lead.tags.all())


COLUMNS: dict[str, tuple[str | Promise, Callable[[Lead], Any]]] = {
    "id": (_("ID"), lambda x: x.pk),
    "last_name": (_("Last name"), lambda x: x.last_name),
    "first_name": (_("First name"), lambda x: x.first_name),
    "last_name_kana": (_("Last name (kana)"), lambda x: x.last_name_kana),
    "first_name_kana": (_("First name (kana)"), lambda x: x.first_name_kana),
    "email": (_("E-mail"), lambda x: x.email),
    "phone": (_("Phone"), lambda x: normalize.format_phone(x.phone)),
    "company": (_("Company"), lambda x: x.company.name if x.company else ""),
    "department": (_("Department"), lambda x: x.department),
    "title": (_("Job title"), lambda x: x.title),
    "postal_code": (_("Postal code"), lambda x: format_postal_code(x.postal_code)),
    "prefecture": (_("Prefecture"), lambda x: prefecture_name(x.prefecture)),
    "city": (_("City"), lambda x: x.city),
    "address_line": (_("Street address"), lambda x: x.address_line),
    "source": (_("Source"), lambda x: str(x.get_source_display())),
    "owner": (_("Owner"), lambda x: x.owner.display_name if x.owner else ""),
    "team": (_("Team"), lambda x: x.team.name if x.team else ""),
    "tags": (_("Tags"), _tags),
    "email_consent": (_("E-mail consent"), lambda x: str(x.get_email_consent_display())),
    "created_at": (_("Created"), lambda x: x.created_at.strftime("%Y/%m/%d %H:%M")),
    "last_activity_at": (
        _("Last activity"),
        lambda x: x.last_activity_at.strftime("%Y/%m/%d %H:%M") if x.last_activity_at else "",
    ),
}
DEFAULT_COLUMNS = [
    "last_name", "first_name", "last_name_kana", "first_name_kana", "email", "phone", "company",
    "department", "title", "prefecture", "owner", "tags", "created_at",
]  # fmt: skip


def table(leads: Iterable[Lead], columns: list[str]) -> tuple[list[str], Iterator[list[Any]]]:
    header = [str(COLUMNS[c][0]) for c in columns]
    getters = [COLUMNS[c][1] for c in columns]
    return header, ([get(lead) for get in getters] for lead in leads)


def subject_export(lead: Lead) -> dict[str, Any]:
    """Every row of every table that references this person, as plain JSON (LEG-APPI-2)."""
    data: dict[str, Any] = {
        "lead": json.loads(serializers.serialize("json", [lead], cls=DjangoJSONEncoder))[0]
    }
    for label, field, model in relations(Lead):
        rows = model._default_manager.filter(**{field: lead})
        data.setdefault("related", {})[f"{label}.{field}"] = json.loads(
            serializers.serialize("json", rows, cls=DjangoJSONEncoder)
        )
    disclosures = Disclosure.objects.filter(
        pk__in=DisclosedLead.objects.filter(lead_id=lead.pk).values("disclosure_id")
    )
    data["related"]["leads.Disclosure"] = json.loads(
        serializers.serialize("json", disclosures, cls=DjangoJSONEncoder)
    )
    return data
