from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Status
from ninja.errors import HttpError

from kakehashi.accounts.auth import require_internal, require_write
from kakehashi.accounts.http import AuthedHttpRequest
from kakehashi.core.schemas import ERRORS, READ_ERRORS, Error
from kakehashi.leads.models import Company, Lead
from kakehashi.lib.paging import paginate

from . import actions, permissions
from .models import CloseReason, Deal, DealLead, Stage, Task
from .schemas import (
    ActivityRef,
    CloseIn,
    DealIn,
    DealOut,
    DealPage,
    DealPatch,
    LogIn,
    ReasonOut,
    StageOut,
    TaskIn,
    TaskOut,
    TaskPage,
)

deals_router = Router(tags=["deals"])
tasks_router = Router(tags=["tasks"])
User = get_user_model()


def _deals() -> Any:
    return Deal.objects.select_related("stage").prefetch_related(
        Prefetch("deal_leads", queryset=DealLead.objects.only("id", "deal_id", "lead_id"))
    )


def _editable(request: AuthedHttpRequest, deal: Deal) -> None:
    require_write(request)
    if not permissions.can_edit(request.user, deal):
        raise HttpError(403, "only the owner, their sales team or a manager may change this deal")


def _user(user_id: int | None, default: Any) -> Any:
    if user_id is None:
        return default
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise HttpError(400, f"user {user_id} does not exist or is deactivated")
    return user


@deals_router.get("", response={200: DealPage, **READ_ERRORS, 400: Error})
def list_deals(
    request: AuthedHttpRequest, status: str = "", owner_id: int | None = None, stage_id: int | None = None,
    page: int = 1, page_size: int = 50,
) -> dict[str, Any]:  # fmt: skip
    require_internal(request)
    deals = _deals()
    if status:
        if status not in Deal.Status.values:
            raise HttpError(400, f"status must be one of {', '.join(Deal.Status.values)}")
        deals = deals.filter(status=status)
    if owner_id:
        deals = deals.filter(owner_id=owner_id)
    if stage_id:
        deals = deals.filter(stage_id=stage_id)
    return paginate(deals.order_by("-created_at", "-id"), page, page_size)


@deals_router.get("/stages", response={200: list[StageOut], **READ_ERRORS})
def list_stages(request: AuthedHttpRequest) -> Any:
    require_internal(request)
    actions.ensure_defaults()
    return list(Stage.objects.all())


@deals_router.get("/reasons", response={200: list[ReasonOut], **READ_ERRORS})
def list_reasons(request: AuthedHttpRequest) -> Any:
    require_internal(request)
    actions.ensure_defaults()
    return list(CloseReason.objects.filter(active=True))


@deals_router.post("", response={201: DealOut, **ERRORS})
def create_deal(request: AuthedHttpRequest, payload: DealIn) -> Status[Deal]:
    require_write(request)
    if not permissions.can_create(request.user):
        raise HttpError(403, "only sales teams and managers create deals")
    leads = list(Lead.objects.filter(pk__in=payload.lead_ids).select_related("company"))
    if len(leads) != len(set(payload.lead_ids)):
        raise HttpError(400, "some lead_ids do not exist")
    company = Company.objects.filter(pk=payload.company_id).first() if payload.company_id else None
    if payload.company_id and company is None:
        raise HttpError(400, f"company {payload.company_id} does not exist")
    stage = Stage.objects.filter(pk=payload.stage_id).first() if payload.stage_id else None
    if payload.stage_id and (stage is None or stage.kind != Stage.Kind.OPEN):
        raise HttpError(400, "stage_id must be an open stage")
    deal = actions.create_deal(
        name=payload.name, owner=_user(payload.owner_id, request.user), leads=leads, company=company,
        amount=payload.amount, currency=payload.currency.upper(), expected_close_date=payload.expected_close_date,
        probability=payload.probability, stage=stage, source=payload.source, description=payload.description,
        actor=request.user, now=timezone.now(),
    )  # fmt: skip
    return Status(201, _deals().get(pk=deal.pk))


@deals_router.get("/{deal_id}", response={200: DealOut, **READ_ERRORS})
def get_deal(request: AuthedHttpRequest, deal_id: int) -> Deal:
    require_internal(request)
    return get_object_or_404(_deals(), pk=deal_id)


@deals_router.patch("/{deal_id}", response={200: DealOut, **ERRORS})
def update_deal(request: AuthedHttpRequest, deal_id: int, payload: DealPatch) -> Deal:
    deal = get_object_or_404(Deal, pk=deal_id)
    _editable(request, deal)
    data = payload.dict(exclude_unset=True)
    now = timezone.now()
    stage_id = data.pop("stage_id", None)
    if "owner_id" in data:
        owner = _user(data.pop("owner_id"), deal.owner)
        deal.owner, deal.team = owner, owner.team
    for field, value in data.items():
        if value is not None:
            setattr(deal, field, value.upper() if field == "currency" else value)
    if "probability" in data:
        deal.probability = data["probability"]
    deal.updated_at = now
    deal.save()
    if stage_id is not None:
        stage = Stage.objects.filter(pk=stage_id, pipeline=deal.pipeline).first()
        if stage is None:
            raise HttpError(400, "stage_id is not a stage of this deal's pipeline")
        try:
            actions.move_deal(deal=deal, stage=stage, actor=request.user, now=now)
        except actions.ClosingStage:
            raise HttpError(400, "won and lost need a reason: POST …/win or …/lose") from None
        except actions.DealClosed:
            raise HttpError(409, "this deal is closed") from None
    return _deals().get(pk=deal.pk)


def _close(request: AuthedHttpRequest, deal_id: int, payload: CloseIn, outcome: str) -> Deal:
    deal = get_object_or_404(Deal, pk=deal_id)
    _editable(request, deal)
    reason = CloseReason.objects.filter(pk=payload.reason_id, outcome=outcome, active=True).first()
    try:
        if outcome == "won":
            actions.win_deal(deal=deal, reason=reason, actor=request.user, now=timezone.now())
        else:
            actions.lose_deal(deal=deal, reason=reason, competitor=payload.competitor, actor=request.user,
                              now=timezone.now())  # fmt: skip
    except actions.ReasonRequired:
        raise HttpError(
            400,
            f"a {outcome} reason from /v1/deals/reasons is required (and the competitor, if it asks)",
        ) from None
    except actions.DealClosed:
        raise HttpError(409, "this deal is already closed") from None
    return _deals().get(pk=deal.pk)


@deals_router.post("/{deal_id}/win", response={200: DealOut, **ERRORS})
def win_deal(request: AuthedHttpRequest, deal_id: int, payload: CloseIn) -> Deal:
    return _close(request, deal_id, payload, "won")


@deals_router.post("/{deal_id}/lose", response={200: DealOut, **ERRORS})
def lose_deal(request: AuthedHttpRequest, deal_id: int, payload: CloseIn) -> Deal:
    return _close(request, deal_id, payload, "lost")


@deals_router.post("/{deal_id}/activities", response={201: ActivityRef, **ERRORS})
def log_activity(request: AuthedHttpRequest, deal_id: int, payload: LogIn) -> Status[Any]:
    """Log a call, meeting, visit or e-mail on the deal (and its main lead's timeline)."""
    deal = get_object_or_404(Deal, pk=deal_id)
    _editable(request, deal)
    if payload.next_due and not payload.next_step:
        raise HttpError(400, "next_due needs a next_step")
    activity = actions.log_sales_activity(kind=payload.kind, deal=deal, actor=request.user, outcome=payload.outcome,
                                          summary=payload.summary, next_step=payload.next_step,
                                          next_due=payload.next_due, now=timezone.now())  # fmt: skip
    return Status(201, activity)


@tasks_router.get("", response={200: TaskPage, **READ_ERRORS, 400: Error})
def list_tasks(
    request: AuthedHttpRequest, open_only: bool = True, page: int = 1, page_size: int = 50
) -> Any:
    """The caller's own tasks, soonest first."""
    require_internal(request)
    tasks = Task.objects.filter(owner=request.user)
    if open_only:
        tasks = tasks.filter(done_at__isnull=True)
    return paginate(tasks.order_by("due_at", "id"), page, page_size)


@tasks_router.post("", response={201: TaskOut, **ERRORS})
def create_task(request: AuthedHttpRequest, payload: TaskIn) -> Status[Task]:
    require_write(request)
    deal = get_object_or_404(Deal, pk=payload.deal_id) if payload.deal_id else None
    if deal is not None and not permissions.can_edit(request.user, deal):
        raise HttpError(403, "you may not add tasks to this deal")
    lead = get_object_or_404(Lead, pk=payload.lead_id) if payload.lead_id else None
    task = actions.create_task(kind=payload.kind, title=payload.title, due_at=payload.due_at,
                               owner=_user(payload.owner_id, request.user), lead=lead, deal=deal,
                               notes=payload.notes, actor=request.user, now=timezone.now())  # fmt: skip
    return Status(201, task)


@tasks_router.post("/{task_id}/done", response={200: TaskOut, **ERRORS})
def complete_task(request: AuthedHttpRequest, task_id: int) -> Task:
    require_write(request)
    task = get_object_or_404(Task, pk=task_id)
    if task.owner_id != request.user.pk and not request.user.is_manager_or_admin:
        raise HttpError(403, "only the owner or a manager completes this task")
    return actions.complete_task(task=task, actor=request.user, now=timezone.now())
