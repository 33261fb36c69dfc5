from __future__ import annotations

from datetime import datetime, time
from typing import Any, cast

from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router, Status
from ninja.errors import HttpError

from kakehashi.accounts import permissions
from kakehashi.accounts.auth import require_internal, require_write
from kakehashi.accounts.http import AuthedHttpRequest
from kakehashi.accounts.models import Team
from kakehashi.core.schemas import ERRORS, READ_ERRORS, Error
from kakehashi.lib.paging import paginate

from . import actions, merge, queries
from .forms import SORTS
from .models import Company, DuplicateCandidate, Lead, LeadQuerySet, Tag
from .schemas import (
    CompanyIn,
    CompanyOut,
    CompanyPage,
    CompanyPatch,
    DuplicatePage,
    LeadFilters,
    LeadIn,
    LeadOut,
    LeadPage,
    LeadPatch,
    MergeIn,
)

leads_router = Router(tags=["leads"])
companies_router = Router(tags=["companies"])
User = get_user_model()


def _lead_queryset() -> LeadQuerySet:
    qs = Lead.objects.select_related("company").prefetch_related(
        Prefetch("tags", queryset=Tag.objects.only("id", "name"))
    )
    return cast(LeadQuerySet, qs)


def _resolve_refs(data: dict[str, Any]) -> dict[str, Any]:
    """Turn *_id inputs into objects, with a 400 for ids that do not exist."""
    if "company_id" in data:
        company_id = data.pop("company_id")
        if company_id is None:
            data["company"] = None
        else:
            data["company"] = Company.objects.filter(pk=company_id).first()
            if data["company"] is None:
                raise HttpError(400, f"company {company_id} does not exist")
    if "owner_id" in data:
        owner_id = data.pop("owner_id")
        data["owner"] = (
            User.objects.filter(pk=owner_id, is_active=True).first() if owner_id else None
        )
        if owner_id and data["owner"] is None:
            raise HttpError(400, f"user {owner_id} does not exist or is deactivated")
    if "team_id" in data:
        team_id = data.pop("team_id")
        data["team"] = Team.objects.filter(pk=team_id).first() if team_id else None
        if team_id and data["team"] is None:
            raise HttpError(400, f"team {team_id} does not exist")
    for name in ("do_not_email", "do_not_call", "do_not_mail"):
        if name in data and data[name] is None:
            data.pop(name)
    if "custom_attributes" in data and data["custom_attributes"] is None:
        data["custom_attributes"] = {}
    # null clears a text field; text columns store "" rather than NULL.
    nullable = {"company", "owner", "team", "prefecture"}
    return {k: ("" if v is None and k not in nullable else v) for k, v in data.items()}


PERSONAL_FIELDS = sorted(LeadOut.model_fields)


def _log_api_pull(request: AuthedHttpRequest, lead_ids: list[int]) -> None:
    """A token is another system taking personal data out: log it (LEG-APPI-3).

    Pages a signed-in person reads in the browser stay inside kakehashi and are not logged.
    """
    token = getattr(request.user, "api_token", None)
    if token is None:
        return
    actions.record_disclosure(
        channel="api",
        actor=request.user,
        recipient=f"API token {token.name} (kk_{token.key_prefix}_…)",
        fields=PERSONAL_FIELDS,
        lead_ids=lead_ids,
        now=timezone.now(),
    )


def _field_names(data: dict[str, Any]) -> set[str]:
    names = set()
    for key in data:
        names.add(key.removesuffix("_id") if key.endswith("_id") else key)
    return {"company" if n == "company_name" else n for n in names}


@leads_router.get("", response={200: LeadPage, **READ_ERRORS, 400: Error})
def list_leads(
    request: AuthedHttpRequest, filters: Query[LeadFilters], page: int = 1, page_size: int = 50
) -> dict[str, Any]:
    require_internal(request)
    qs = _lead_queryset()
    if filters.q:
        qs = qs.search(filters.q)
    if filters.owner_id:
        qs = qs.filter(owner_id=filters.owner_id)
    if filters.team_id:
        qs = qs.filter(team_id=filters.team_id)
    if filters.tag:
        qs = qs.filter(tags__name=filters.tag)
    if filters.source:
        qs = qs.filter(source=filters.source)
    tz = timezone.get_current_timezone()
    if filters.created_after:
        qs = qs.filter(created_at__gte=datetime.combine(filters.created_after, time.min, tz))
    if filters.created_before:
        qs = qs.filter(created_at__lte=datetime.combine(filters.created_before, time.max, tz))
    result = paginate(qs.order_by(*SORTS[filters.ordering][0]), page, page_size)
    _log_api_pull(request, [lead.pk for lead in result["results"]])
    return result


@leads_router.post("", response={201: LeadOut, **ERRORS})
def create_lead(request: AuthedHttpRequest, payload: LeadIn) -> Status[Lead]:
    require_write(request)
    data = _resolve_refs(payload.dict(exclude_unset=True))
    tags = data.pop("tags", None) or []
    data.setdefault("source", payload.source)
    try:
        lead = actions.create_lead(actor=request.user, fields=data, tags=tags, now=timezone.now())
    except actions.LeadEmailTaken as exc:
        raise HttpError(409, f"lead {exc.existing_id} already has this e-mail address") from None
    except actions.NotIdentifiable:
        raise HttpError(400, "a lead needs a name, an e-mail address or a phone") from None
    return Status(201, _lead_queryset().get(pk=lead.pk))


@leads_router.get("/duplicates", response={200: DuplicatePage, **READ_ERRORS, 400: Error})
def list_duplicates(
    request: AuthedHttpRequest, status: str = "open", page: int = 1, page_size: int = 50
) -> dict[str, Any]:
    """Pairs of leads that look like one person (same phone, same name at a company)."""
    require_internal(request)
    if status not in DuplicateCandidate.Status.values:
        raise HttpError(400, f"status must be one of {', '.join(DuplicateCandidate.Status.values)}")
    return paginate(DuplicateCandidate.objects.filter(status=status), page, page_size)


@leads_router.get("/{lead_id}", response={200: LeadOut, **READ_ERRORS})
def get_lead(request: AuthedHttpRequest, lead_id: int) -> Lead:
    """A merged-away id answers with the lead it was merged into (its `id` tells)."""
    require_internal(request)
    lead = queries.lead_or_survivor(_lead_queryset(), lead_id)
    _log_api_pull(request, [lead.pk])
    return lead


@leads_router.patch("/{lead_id}", response={200: LeadOut, **ERRORS})
def update_lead(request: AuthedHttpRequest, lead_id: int, payload: LeadPatch) -> Lead:
    require_write(request)
    lead = queries.lead_or_survivor(Lead.objects.select_related("company"), lead_id)
    data = payload.dict(exclude_unset=True)
    refused = _field_names(data) - permissions.editable_lead_fields(request.user, lead)
    if refused:
        raise HttpError(403, f"you may not change: {', '.join(sorted(refused))}")
    data = _resolve_refs(data)
    try:
        actions.update_lead(lead=lead, actor=request.user, changes=data, now=timezone.now())
    except actions.LeadEmailTaken as exc:
        raise HttpError(409, f"lead {exc.existing_id} already has this e-mail address") from None
    except actions.NotIdentifiable:
        raise HttpError(400, "a lead needs a name, an e-mail address or a phone") from None
    return _lead_queryset().get(pk=lead.pk)


@leads_router.post("/{lead_id}/merge", response={200: LeadOut, **ERRORS})
def merge_lead(request: AuthedHttpRequest, lead_id: int, payload: MergeIn) -> Lead:
    """Fold another lead into this one: every row moves here, the other id keeps resolving."""
    require_write(request)
    survivor = queries.lead_or_survivor(Lead.objects.all(), lead_id)
    loser = get_object_or_404(Lead, pk=payload.loser_id)
    for lead in (survivor, loser):
        if permissions.editable_lead_fields(request.user, lead) != permissions.LEAD_FIELDS:
            raise HttpError(403, f"you may not merge lead {lead.pk}")
    unknown = set(payload.choices) - set(merge.LEAD_MERGE_FIELDS)
    if unknown:
        raise HttpError(400, f"cannot choose: {', '.join(sorted(unknown))}")
    try:
        merge.merge_leads(survivor=survivor, loser=loser, choices=dict(payload.choices),
                          actor=request.user, now=timezone.now())  # fmt: skip
    except merge.SameRecord:
        raise HttpError(400, "a lead cannot be merged into itself") from None
    return _lead_queryset().get(pk=survivor.pk)


@leads_router.delete("/{lead_id}", response={204: None, **READ_ERRORS})
def delete_lead(request: AuthedHttpRequest, lead_id: int) -> Status[None]:
    require_write(request)
    lead = get_object_or_404(Lead, pk=lead_id)
    if not permissions.can_delete(request.user):
        raise HttpError(403, "only managers and admins delete leads")
    actions.delete_lead(lead=lead, actor=request.user, now=timezone.now())
    return Status(204, None)


# --- companies -------------------------------------------------------------------------------


@companies_router.get("", response={200: CompanyPage, **READ_ERRORS, 400: Error})
def list_companies(
    request: AuthedHttpRequest, q: str = "", industry: str = "", page: int = 1, page_size: int = 50
) -> dict[str, Any]:
    require_internal(request)
    qs = Company.objects.search(q)
    if industry:
        qs = qs.filter(industry=industry)
    return paginate(qs.order_by("normalized_name", "id"), page, page_size)


@companies_router.post("", response={201: CompanyOut, **ERRORS})
def create_company(request: AuthedHttpRequest, payload: CompanyIn) -> Status[Company]:
    require_write(request)
    data = _resolve_refs(payload.dict(exclude_unset=True))
    company = actions.create_company(actor=request.user, fields=data, now=timezone.now())
    return Status(201, company)


@companies_router.get("/{company_id}", response={200: CompanyOut, **READ_ERRORS})
def get_company(request: AuthedHttpRequest, company_id: int) -> Company:
    require_internal(request)
    return get_object_or_404(Company, pk=company_id)


@companies_router.patch("/{company_id}", response={200: CompanyOut, **ERRORS})
def update_company(request: AuthedHttpRequest, company_id: int, payload: CompanyPatch) -> Company:
    require_write(request)
    company = get_object_or_404(Company, pk=company_id)
    data = payload.dict(exclude_unset=True)
    refused = _field_names(data) - permissions.editable_company_fields(request.user, company)
    if refused:
        raise HttpError(403, f"you may not change: {', '.join(sorted(refused))}")
    data = _resolve_refs(data)
    return actions.update_company(
        company=company,
        actor=request.user,
        changes=data,
        now=timezone.now(),
    )


@companies_router.delete("/{company_id}", response={204: None, **READ_ERRORS})
def delete_company(request: AuthedHttpRequest, company_id: int) -> Status[None]:
    require_write(request)
    company = get_object_or_404(Company, pk=company_id)
    if not permissions.can_delete(request.user):
        raise HttpError(403, "only managers and admins delete companies")
    actions.delete_company(company=company, actor=request.user, now=timezone.now())
    return Status(204, None)
