"""Merging two leads (or two companies) into one without losing a row (REL-MRG-1).

Every model with a foreign key to Lead says here what a merge does with its rows: move them to
the survivor, or let them go with the loser because they are derived and rebuilt. A relation
nobody registered stops the merge — and the test that enumerates all relations fails — so a new
model cannot silently orphan or lose data.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from django.db import models, transaction
from django.db.models import Max, Min

from kakehashi.timeline.actions import record

from .models import Company, CompanyRedirect, DisclosedLead, Lead, LeadRedirect

if TYPE_CHECKING:
    from kakehashi.accounts.models import User

Handler = Callable[[models.QuerySet[Any], Any, Any], None]
MOVE = "move"
CASCADE = "cascade"
LEAD_HANDLERS: dict[tuple[str, str], str | Handler] = {}
COMPANY_HANDLERS: dict[tuple[str, str], str | Handler] = {}

# Fields a person chooses between when merging; the rest follow the rules in `merge_leads`.
LEAD_MERGE_FIELDS = (
    "email", "phone", "last_name", "first_name", "last_name_kana", "first_name_kana", "company",
    "department", "title", "postal_code", "prefecture", "city", "address_line", "source",
    "first_touch", "owner", "team",
)  # fmt: skip
COMPANY_MERGE_FIELDS = (
    "name", "name_kana", "domain", "industry", "employee_band", "prefecture", "city",
    "address_line", "phone", "website", "owner",
)  # fmt: skip


class UnhandledRelation(RuntimeError):
    """A model points at Lead (or Company) but merge does not know what to do with its rows."""


class SameRecord(ValueError):
    """A record cannot be merged into itself."""


def on_lead_merge(label: str, field: str, strategy: str | Handler = MOVE) -> None:
    LEAD_HANDLERS[(label, field)] = strategy


def on_company_merge(label: str, field: str, strategy: str | Handler = MOVE) -> None:
    COMPANY_HANDLERS[(label, field)] = strategy


def relations(model: type[models.Model]) -> list[tuple[str, str, type[models.Model]]]:
    """(model label, field name, model) for every foreign key that points at ``model``: hidden
    ones (related_name='+') and the foreign keys of many-to-many through tables included."""
    found: list[tuple[str, str, type[models.Model]]] = []
    for rel in model._meta.get_fields(include_hidden=True):
        if not (rel.is_relation and rel.auto_created and not rel.concrete):
            continue
        if rel.many_to_many:
            continue  # counted through the through table's own foreign key, which is listed too
        related = cast(type[models.Model], rel.related_model)
        found.append((related._meta.label, rel.field.name, related))  # type: ignore[union-attr]
    return sorted(set(found), key=lambda item: (item[0], item[1]))


def _apply_handlers(
    model: type[models.Model],
    handlers: dict[tuple[str, str], str | Handler],
    survivor: Any,
    loser: Any,
) -> None:
    for label, field, related in relations(model):
        strategy = handlers.get((label, field))
        if strategy is None:
            raise UnhandledRelation(
                f"{label}.{field} → {model._meta.label}: register a merge handler"
            )
        if strategy == CASCADE:
            continue
        rows = related._default_manager.filter(**{field: loser})
        if strategy == MOVE:
            rows.update(**{field: survivor})
        else:
            strategy(rows, survivor, loser)  # type: ignore[operator]


def _move_tags(rows: models.QuerySet[Any], survivor: Lead, loser: Lead) -> None:
    have = set(rows.model.objects.filter(lead=survivor).values_list("tag_id", flat=True))
    rows.exclude(tag_id__in=have).update(lead=survivor)


def _move_redirects(rows: models.QuerySet[Any], survivor: Any, loser: Any) -> None:
    rows.update(survivor=survivor)


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _pick(field: str, survivor: Any, loser: Any, choices: dict[str, str]) -> Any:
    mine, theirs = getattr(survivor, field), getattr(loser, field)
    if choices.get(field) == "loser":
        return theirs
    if choices.get(field) == "survivor":
        return mine
    return mine if mine not in (None, "") else theirs


@transaction.atomic
def merge_leads(
    *,
    survivor: Lead,
    loser: Lead,
    choices: dict[str, str] | None = None,
    actor: User | None,
    now: datetime,
) -> Lead:
    """Fold ``loser`` into ``survivor``; ``choices`` maps a field to 'survivor' or 'loser'."""
    if survivor.pk == loser.pk:
        raise SameRecord()
    from kakehashi.consent import actions as consent_actions
    from kakehashi.consent import rules

    choices = choices or {}
    # Lock both rows (PostgreSQL): two people merging the same pair queue instead of racing.
    locked = {
        lead.pk: lead
        for lead in Lead.objects.select_for_update().filter(pk__in=[survivor.pk, loser.pk])
    }
    survivor, loser = locked[survivor.pk], locked[loser.pk]
    snapshot = {f: _plain(getattr(loser, f)) for f in LEAD_MERGE_FIELDS}
    snapshot["custom_attributes"] = loser.custom_attributes
    snapshot["tags"] = sorted(loser.tags.values_list("name", flat=True))
    # A refusal on either record stays a refusal (REL-MRG-1); grants count for their address only.
    refused = rules.refusal(
        consent_actions.state_for(survivor.pk), consent_actions.state_for(loser.pk)
    )
    picked = {f: _pick(f, survivor, loser, choices) for f in LEAD_MERGE_FIELDS}

    _apply_handlers(Lead, LEAD_HANDLERS, survivor, loser)
    DisclosedLead.objects.filter(lead_id=loser.pk).update(lead_id=survivor.pk)
    loser_id, loser_name = loser.pk, loser.display_name
    dates = Lead.objects.filter(pk__in=[survivor.pk, loser.pk]).aggregate(
        first=Min("created_at"), last=Max("last_activity_at")
    )
    Lead.objects.filter(pk=loser.pk).delete()
    LeadRedirect.objects.create(old_id=loser_id, survivor=survivor, merged_at=now)

    for field, value in picked.items():
        setattr(survivor, field, value)
    survivor.custom_attributes = {**loser.custom_attributes, **survivor.custom_attributes}
    survivor.do_not_email = survivor.do_not_email or loser.do_not_email
    survivor.do_not_call = survivor.do_not_call or loser.do_not_call
    survivor.do_not_mail = survivor.do_not_mail or loser.do_not_mail
    survivor.created_at = dates["first"] or survivor.created_at
    survivor.last_activity_at = dates["last"] or survivor.last_activity_at
    survivor.updated_at = now
    survivor.refresh_derived_fields()
    survivor.save()
    _keep_refusal(survivor, refused, actor, now)
    record(
        kind="lead.merged",
        lead=survivor,
        actor=actor,
        occurred_at=now,
        data={"loser_id": loser_id, "loser_name": loser_name, "loser": snapshot,
              "chosen": {f: c for f, c in choices.items() if c in ("survivor", "loser")}},
    )  # fmt: skip
    return survivor


def _keep_refusal(survivor: Lead, refused: str | None, actor: User | None, now: datetime) -> None:
    from kakehashi.consent import actions as consent_actions
    from kakehashi.consent import rules
    from kakehashi.consent.models import Action, Basis

    current = consent_actions.state_for(survivor.pk)
    if refused and rules.most_restrictive(current, refused) != current:
        # One of the two records had said no: write it down for the survivor's address, so it
        # stays the newest word until the person says otherwise.
        consent_actions.record_consent(
            lead=survivor,
            action=Action.REFUSE if refused == "refused" else Action.WITHDRAW,
            method="staff",
            basis=Basis.NONE,
            source="merge",
            actor=actor,
            now=now,
        )
    else:
        Lead.objects.filter(pk=survivor.pk).update(email_consent=current)


@transaction.atomic
def merge_companies(
    *,
    survivor: Company,
    loser: Company,
    choices: dict[str, str] | None = None,
    actor: User | None,
    now: datetime,
) -> Company:
    if survivor.pk == loser.pk:
        raise SameRecord()
    choices = choices or {}
    snapshot = {f: _plain(getattr(loser, f)) for f in COMPANY_MERGE_FIELDS}
    picked = {f: _pick(f, survivor, loser, choices) for f in COMPANY_MERGE_FIELDS}
    _apply_handlers(Company, COMPANY_HANDLERS, survivor, loser)
    loser_id, loser_name = loser.pk, loser.name
    Company.objects.filter(pk=loser.pk).delete()
    CompanyRedirect.objects.create(old_id=loser_id, survivor=survivor, merged_at=now)
    for field, value in picked.items():
        setattr(survivor, field, value)
    survivor.custom_attributes = {**loser.custom_attributes, **survivor.custom_attributes}
    survivor.updated_at = now
    survivor.refresh_derived_fields()
    survivor.save()
    record(
        kind="company.merged",
        company=survivor,
        actor=actor,
        occurred_at=now,
        data={"loser_id": loser_id, "loser_name": loser_name, "loser": snapshot},
    )
    return survivor


def register_defaults() -> None:
    """The relations the foundation apps own; other apps register theirs in AppConfig.ready."""
    on_lead_merge("timeline.Activity", "lead")
    on_lead_merge("timeline.Note", "lead")
    on_lead_merge("consent.ConsentEvent", "lead")
    on_lead_merge("leads.Lead_tags", "lead", _move_tags)
    on_lead_merge("leads.LeadRedirect", "survivor", _move_redirects)
    # Pairs involving the loser are resolved by this merge; a later scan finds new ones.
    on_lead_merge("leads.DuplicateCandidate", "lead_a", CASCADE)
    on_lead_merge("leads.DuplicateCandidate", "lead_b", CASCADE)
    on_company_merge("leads.Lead", "company")
    on_company_merge("timeline.Activity", "company")
    on_company_merge("timeline.Note", "company")
    on_company_merge("leads.CompanyRedirect", "survivor", _move_redirects)
