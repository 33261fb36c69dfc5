"""Every change to leads and companies: atomic, normalized, and recorded on the timeline."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Model

from kakehashi.lib import normalize
from kakehashi.timeline.actions import record

from .models import Company, DisclosedLead, Disclosure, Lead, Tag

if TYPE_CHECKING:
    from kakehashi.accounts.models import User


class LeadEmailTaken(Exception):
    """Another lead already has this (normalized) e-mail address."""

    def __init__(self, email: str, existing_id: int | None) -> None:
        super().__init__(email)
        self.email = email
        self.existing_id = existing_id


class NotIdentifiable(ValueError):
    """A lead needs at least a name, an e-mail address or a phone number."""


def _plain(value: Any) -> Any:
    """A JSON-friendly rendering of a field value for the audit trail."""
    if isinstance(value, Model):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple | set):
        return sorted(str(v) for v in value)
    return value


def _tag_objects(names: Iterable[str]) -> list[Tag]:
    tags = []
    for name in dict.fromkeys(n.strip() for n in names if n and n.strip()):
        tag, _ = Tag.objects.get_or_create(name=name[:50])
        tags.append(tag)
    return tags


def _check_identifiable(lead: Lead) -> None:
    if not (lead.email or lead.phone or lead.last_name or lead.first_name):
        raise NotIdentifiable()


def _resolve_company(fields: dict[str, Any], actor: User | None, now: datetime) -> None:
    """Turn a 'company_name' input into the matching company, creating it when new."""
    if "company_name" not in fields:
        return
    name = normalize.clean(fields.pop("company_name"))
    if not name:
        fields["company"] = None
        return
    key = normalize.normalize_company_name(name)
    existing = Company.objects.filter(normalized_name=key).order_by("pk").first()
    fields["company"] = existing or create_company(actor=actor, fields={"name": name}, now=now)


def _save_lead(lead: Lead) -> None:
    try:
        with transaction.atomic():
            lead.save()
    except IntegrityError:
        existing = Lead.objects.filter(email=lead.email).exclude(pk=lead.pk).first()
        if lead.email and existing is not None:
            raise LeadEmailTaken(lead.email, existing.pk) from None
        raise


@transaction.atomic
def create_lead(
    *,
    actor: User | None,
    fields: Mapping[str, Any],
    tags: Iterable[str] = (),
    now: datetime,
) -> Lead:
    fields = dict(fields)
    _resolve_company(fields, actor, now)
    lead = Lead(**fields)
    if lead.owner_id and not lead.team_id:
        lead.team_id = lead.owner.team_id if lead.owner else None
    lead.created_at = lead.updated_at = now
    if lead.phone and not lead.phone_raw:
        lead.phone_raw = normalize.clean(lead.phone)
        lead.phone = normalize.normalize_phone(lead.phone_raw)
    lead.refresh_derived_fields()
    _check_identifiable(lead)
    _save_lead(lead)
    tag_objects = _tag_objects(tags)
    if tag_objects:
        lead.tags.set(tag_objects)
    record(
        kind="lead.created",
        lead=lead,
        actor=actor,
        occurred_at=now,
        data={"source": lead.source, "tags": [t.name for t in tag_objects]},
    )
    return lead


@transaction.atomic
def update_lead(
    *,
    lead: Lead,
    actor: User | None,
    changes: Mapping[str, Any],
    now: datetime,
) -> Lead:
    """Apply ``changes`` (field → new value; 'tags' → list of names) and audit the difference."""
    changes = dict(changes)
    new_tags = changes.pop("tags", None)
    _resolve_company(changes, actor, now)
    if "phone" in changes:
        changes["phone_raw"] = normalize.clean(changes["phone"])
        changes["phone"] = normalize.normalize_phone(changes["phone_raw"])
    before = {field: getattr(lead, field) for field in changes}
    for field, value in changes.items():
        setattr(lead, field, value)
    if "owner" in changes and "team" not in changes and lead.owner is not None:
        before["team"] = lead.team
        lead.team = lead.owner.team
    lead.refresh_derived_fields()
    _check_identifiable(lead)
    diff = {
        field: [_plain(old), _plain(getattr(lead, field))]
        for field, old in before.items()
        if field != "phone_raw" and _plain(old) != _plain(getattr(lead, field))
    }
    if new_tags is not None:
        old_names = sorted(lead.tags.values_list("name", flat=True))
        tag_objects = _tag_objects(new_tags)
        new_names = sorted(t.name for t in tag_objects)
        if old_names != new_names:
            lead.tags.set(tag_objects)
            diff["tags"] = [old_names, new_names]
    if not diff:
        return lead
    lead.updated_at = now
    _save_lead(lead)
    record(kind="lead.updated", lead=lead, actor=actor, occurred_at=now, data={"changes": diff})
    return lead


@transaction.atomic
def delete_lead(*, lead: Lead, actor: User, now: datetime) -> None:
    # The lead's own activities go with it (personal data); this one stays as the audit record.
    record(
        kind="lead.deleted",
        actor=actor,
        company=lead.company,
        occurred_at=now,
        data={"lead_id": lead.pk, "name": lead.display_name},
    )
    lead.delete()


@transaction.atomic
def create_company(*, actor: User | None, fields: Mapping[str, Any], now: datetime) -> Company:
    company = Company(**fields)
    company.created_at = company.updated_at = now
    company.refresh_derived_fields()
    company.save()
    record(
        kind="company.created",
        company=company,
        actor=actor,
        occurred_at=now,
        data={"name": company.name},
    )
    return company


@transaction.atomic
def update_company(
    *, company: Company, actor: User | None, changes: Mapping[str, Any], now: datetime
) -> Company:
    before = {field: getattr(company, field) for field in changes}
    for field, value in changes.items():
        setattr(company, field, value)
    company.refresh_derived_fields()
    diff = {
        field: [_plain(old), _plain(getattr(company, field))]
        for field, old in before.items()
        if _plain(old) != _plain(getattr(company, field))
    }
    if not diff:
        return company
    company.updated_at = now
    company.save()
    if "name" in diff or "name_kana" in diff:
        _refresh_lead_search(company)
    record(
        kind="company.updated",
        company=company,
        actor=actor,
        occurred_at=now,
        data={"changes": diff},
    )
    return company


def _refresh_lead_search(company: Company) -> None:
    """Leads are found by their company's name; rebuild their search text after a rename."""
    leads = list(company.leads.select_related("company"))
    for lead in leads:
        lead.refresh_derived_fields()
    Lead.objects.bulk_update(leads, ["search_text"], batch_size=500)


@transaction.atomic
def delete_company(*, company: Company, actor: User, now: datetime) -> None:
    record(
        kind="company.deleted",
        actor=actor,
        occurred_at=now,
        data={"company_id": company.pk, "name": company.name},
    )
    company.delete()


@transaction.atomic
def record_disclosure(
    *,
    channel: str,
    actor: User | None,
    recipient: str,
    fields: Iterable[str],
    lead_ids: Iterable[int],
    now: datetime,
) -> Disclosure | None:
    """Log that these leads' personal data left kakehashi (LEG-APPI-3); None when no lead did."""
    ids = sorted(set(lead_ids))
    if not ids:
        return None
    disclosure = Disclosure.objects.create(
        occurred_at=now,
        channel=channel,
        actor=actor,
        recipient=recipient[:300],
        fields=sorted(fields),
        lead_count=len(ids),
    )
    DisclosedLead.objects.bulk_create(
        [DisclosedLead(disclosure=disclosure, lead_id=i) for i in ids], batch_size=1000
    )
    return disclosure


def scan_duplicates(*, now: datetime, chunk: int = 20000) -> int:
    """Look at every lead for likely duplicates; new pairs join the review queue."""
    from . import dedupe
    from .models import DuplicateCandidate

    people = (
        dedupe.Person(*row)
        for row in Lead.objects.order_by("pk")
        .values_list(
            "pk",
            "phone",
            "last_name",
            "first_name",
            "last_name_kana",
            "first_name_kana",
            "company_id",
        )
        .iterator(chunk_size=chunk)
    )
    found = dedupe.find(people)
    before = DuplicateCandidate.objects.count()
    for start in range(0, len(found), 1000):
        DuplicateCandidate.objects.bulk_create(
            [DuplicateCandidate(lead_a_id=c.lead_a, lead_b_id=c.lead_b, reason=c.reason,
                                confidence=c.confidence, created_at=now)
             for c in found[start : start + 1000]],
            ignore_conflicts=True,  # pairs already queued, merged or dismissed stay as they are
        )  # fmt: skip
    return DuplicateCandidate.objects.count() - before


@transaction.atomic
def dismiss_duplicate(*, candidate: Any, actor: User, now: datetime) -> None:
    candidate.status = candidate.Status.DISMISSED
    candidate.resolved_by, candidate.resolved_at = actor, now
    candidate.save(update_fields=["status", "resolved_by", "resolved_at"])
