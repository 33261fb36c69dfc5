from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kakehashi.accounts.decorators import internal_required
from kakehashi.accounts.http import AuthedHttpRequest
from kakehashi.leads.models import Company, Lead
from kakehashi.timeline import kinds
from kakehashi.timeline.models import Activity

from . import actions, permissions, queries
from .forms import (
    AppointmentForm,
    CloseForm,
    DealFilterForm,
    DealForm,
    FollowStepFormSet,
    LogForm,
    ReasonFormSet,
    StageFormSet,
    TaskForm,
)
from .models import (
    AfterFollow,
    CloseReason,
    Deal,
    FollowStep,
    FollowTemplate,
    Pipeline,
    Stage,
    Task,
)


def _pipeline(pk: int | None = None) -> Pipeline:
    default = actions.ensure_defaults()
    return get_object_or_404(Pipeline, pk=pk) if pk else default


def _deal(pk: int) -> Deal:
    return get_object_or_404(
        Deal.objects.select_related(
            "stage", "pipeline", "company", "owner", "team", "close_reason"
        ),
        pk=pk,
    )


def _editable(request: AuthedHttpRequest, deal: Deal) -> None:
    if not permissions.can_edit(request.user, deal):
        raise PermissionDenied


@internal_required
def board(request: AuthedHttpRequest, pipeline_id: int | None = None) -> HttpResponse:
    pipeline = _pipeline(pipeline_id)
    now = timezone.now()
    filters = DealFilterForm(request.GET or None)
    recent = now - timedelta(days=30)
    deals = filters.filter(
        Deal.objects.filter(pipeline=pipeline).filter(
            Q(status=Deal.Status.OPEN) | Q(closed_at__gte=recent)
        )
    )
    columns = queries.board(pipeline, deals, now=now)
    return render(request, "deals/board.html", {
        "pipeline": pipeline, "pipelines": Pipeline.objects.all(), "columns": columns,
        "filters": filters, "can_create": permissions.can_create(request.user),
    })  # fmt: skip


@internal_required
def deal_list(request: AuthedHttpRequest) -> HttpResponse:
    filters = DealFilterForm(request.GET or None)
    status = request.GET.get("status", "open")
    deals = Deal.objects.select_related("stage", "company", "owner")
    if status in Deal.Status.values:
        deals = deals.filter(status=status)
    if request.GET.get("stale"):
        deals = queries.stale(deals, now=timezone.now())
    deals = filters.filter(deals).order_by("expected_close_date", "id")
    page = Paginator(deals, 50).get_page(request.GET.get("page"))
    limit = timezone.now() - timedelta(days=queries.STALE_DAYS)
    for deal in page:
        deal.is_stale = deal.status == "open" and (deal.last_activity_at or deal.created_at) < limit
    return render(
        request, "deals/deal_list.html", {"page_obj": page, "filters": filters, "status": status}
    )


@internal_required
def deal_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    deal = _deal(pk)
    activity_ids = deal.deal_activities.values("activity_id")
    activities = Activity.objects.filter(pk__in=activity_ids).select_related(
        "actor", "actor__team", "lead"
    )
    timeline = Paginator(activities.order_by("-occurred_at", "-id"), 30).get_page(
        request.GET.get("tpage")
    )
    for activity in timeline:
        activity.spec = kinds.get(activity.kind)  # type: ignore[attr-defined]
    can_edit = permissions.can_edit(request.user, deal)
    return render(request, "deals/deal_detail.html", {
        "deal": deal, "leads": deal.deal_leads.select_related("lead", "lead__company").order_by("-is_primary", "id"),
        "tasks": deal.tasks.select_related("owner").order_by("done_at", "due_at"),
        "timeline": timeline, "show_lead": True, "can_edit": can_edit,
        "stages": deal.pipeline.stages.filter(kind=Stage.Kind.OPEN),
        "log_form": LogForm(), "task_form": TaskForm(initial={"owner": deal.owner, "due_at": timezone.localtime() + timedelta(days=1)}),
        "follow": getattr(deal, "after_follow", None), "follow_statuses": AfterFollow.Status.choices,
    })  # fmt: skip


@internal_required
def deal_create(request: AuthedHttpRequest) -> HttpResponse:
    if not permissions.can_create(request.user):
        raise PermissionDenied
    pipeline = _pipeline()
    lead = Lead.objects.filter(pk=request.GET.get("lead") or 0).select_related("company").first()
    company = Company.objects.filter(pk=request.GET.get("company") or 0).first() or (
        lead.company if lead else None
    )
    initial = {
        "owner": request.user,
        "name": (company.name if company else lead.display_name if lead else ""),
    }
    form = DealForm(request.POST or None, pipeline=pipeline, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        deal = actions.create_deal(
            name=data["name"], owner=data["owner"], leads=[lead] if lead else [], company=company,
            amount=data["amount"], currency=data["currency"], expected_close_date=data["expected_close_date"],
            probability=data["probability"], stage=data.get("stage"), source=data["source"],
            description=data["description"], actor=request.user, now=timezone.now(),
        )  # fmt: skip
        if data.get("committed"):
            Deal.objects.filter(pk=deal.pk).update(committed=True)
        messages.success(request, _("Deal created."))
        return redirect("deals:detail", pk=deal.pk)
    return render(request, "deals/deal_form.html", {"form": form, "lead": lead, "company": company})


@internal_required
def deal_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    deal = _deal(pk)
    _editable(request, deal)
    before_stage = deal.stage
    form = DealForm(request.POST or None, instance=deal, pipeline=deal.pipeline)
    if request.method == "POST" and form.is_valid():
        stage = form.cleaned_data.get("stage")
        updated = form.save(commit=False)
        updated.stage = before_stage
        updated.updated_at = timezone.now()
        updated.save()
        if stage is not None and stage != before_stage:
            actions.move_deal(deal=updated, stage=stage, actor=request.user, now=timezone.now())
        messages.success(request, _("Deal saved."))
        return redirect("deals:detail", pk=pk)
    return render(request, "deals/deal_form.html", {"form": form, "deal": deal})


@require_POST
@internal_required
def deal_move(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Drag and drop on the board: move to an open stage, or ask for a reason to close."""
    deal = _deal(pk)
    if not permissions.can_edit(request.user, deal):
        return JsonResponse({"error": _("You may not move this deal.")}, status=403)
    stage = Stage.objects.filter(pk=request.POST.get("stage") or 0, pipeline=deal.pipeline).first()
    if stage is None:
        return JsonResponse({"error": _("Unknown stage.")}, status=400)
    if stage.kind != Stage.Kind.OPEN:
        return JsonResponse({"close": f"/deals/{deal.pk}/close/{stage.kind}/"})
    try:
        actions.move_deal(deal=deal, stage=stage, actor=request.user, now=timezone.now())
    except actions.DealClosed:
        return JsonResponse({"error": _("This deal is closed.")}, status=400)
    return JsonResponse({"ok": True, "stage": stage.pk})


@internal_required
def deal_close(request: AuthedHttpRequest, pk: int, outcome: str) -> HttpResponse:
    deal = _deal(pk)
    _editable(request, deal)
    if outcome not in ("won", "lost"):
        return HttpResponse(status=404)
    if deal.status != Deal.Status.OPEN:
        messages.error(request, _("This deal is already closed."))
        return redirect("deals:detail", pk=pk)
    form = CloseForm(request.POST if request.method == "POST" else None, outcome=outcome)
    if request.method == "POST" and form.is_valid():
        now = timezone.now()
        if outcome == "won":
            actions.win_deal(
                deal=deal, reason=form.cleaned_data["reason"], actor=request.user, now=now
            )
            messages.success(
                request, _("Won! The customer's after-follow tasks are on the owner's list.")
            )
        else:
            actions.lose_deal(deal=deal, reason=form.cleaned_data["reason"],
                              competitor=form.cleaned_data.get("competitor", ""), actor=request.user, now=now)  # fmt: skip
            messages.success(request, _("Marked as lost. The leads go back to nurturing."))
        return redirect("deals:detail", pk=pk)
    return render(
        request, "deals/deal_close.html", {"deal": deal, "form": form, "outcome": outcome}
    )


@require_POST
@internal_required
def deal_log(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    deal = _deal(pk)
    _editable(request, deal)
    form = LogForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        actions.log_sales_activity(kind=data["kind"], deal=deal, actor=request.user, outcome=data["outcome"],
                                   summary=data["summary"], next_step=data["next_step"],
                                   next_due=data["next_due"], now=timezone.now())  # fmt: skip
        messages.success(request, _("Logged."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("deals:detail", pk=pk)


@require_POST
@internal_required
def deal_task(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    deal = _deal(pk)
    _editable(request, deal)
    form = TaskForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        actions.create_task(kind=data["kind"], title=data["title"], due_at=data["due_at"], owner=data["owner"],
                            deal=deal, notes=data["notes"], actor=request.user, now=timezone.now())  # fmt: skip
        messages.success(request, _("Task added."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("deals:detail", pk=pk)


@require_POST
@internal_required
def follow_status(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    deal = _deal(pk)
    _editable(request, deal)
    follow = get_object_or_404(AfterFollow, deal=deal)
    status = request.POST.get("status", "")
    if status in AfterFollow.Status.values:
        actions.set_follow_status(
            follow=follow, status=status, actor=request.user, now=timezone.now()
        )
    return redirect("deals:detail", pk=pk)


@internal_required
def appointment(request: AuthedHttpRequest, lead_id: int) -> HttpResponse:
    """Inside sales books a first meeting for field sales: deal + meeting task + invitation."""
    lead = get_object_or_404(Lead.objects.select_related("company"), pk=lead_id)
    if not permissions.can_create(request.user):
        raise PermissionDenied
    handoff = _open_handoff(request, lead)
    form = AppointmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        details = {"owner": data["owner"], "starts_at": data["starts_at"], "ends_at": form.ends_at(),
                   "location": data["location"], "deal_name": data["deal_name"],
                   "amount": data["amount"] or 0, "actor": request.user, "now": timezone.now()}  # fmt: skip
        if handoff is not None:
            deal, _task = actions.convert_handoff(handoff=handoff, **details)
        else:
            deal, _task = actions.set_appointment(lead=lead, **details)
        messages.success(
            request,
            _("Appointment set; %(owner)s has the meeting and the invitation.")
            % {"owner": data["owner"].display_name},
        )
        return redirect("deals:detail", pk=deal.pk)
    return render(
        request, "deals/appointment.html", {"form": form, "lead": lead, "handoff": handoff}
    )


def _open_handoff(request: AuthedHttpRequest, lead: Lead) -> Any:
    """The lead's open hand-off when booking from the work queue (converted in one step)."""
    from kakehashi.handoff import actions as handoff_actions
    from kakehashi.handoff.models import Handoff

    pk = request.GET.get("handoff") or request.POST.get("handoff")
    handoff = Handoff.objects.filter(pk=pk or 0, lead=lead, status=Handoff.Status.OPEN).first()
    if handoff is not None and not handoff_actions.may_act(request.user, handoff):
        raise PermissionDenied
    return handoff


@internal_required
def my_tasks(request: AuthedHttpRequest) -> HttpResponse:
    now = timezone.now()
    today_end = timezone.localtime(now).replace(hour=23, minute=59, second=59)
    mine = Task.objects.filter(owner=request.user, done_at__isnull=True).select_related(
        "lead", "deal", "company"
    )
    return render(request, "deals/tasks.html", {
        "overdue": mine.filter(due_at__lt=now), "today": mine.filter(due_at__gte=now, due_at__lte=today_end),
        "upcoming": mine.filter(due_at__gt=today_end)[:100],
        "done": Task.objects.filter(owner=request.user, done_at__isnull=False).order_by("-done_at")[:20],
    })  # fmt: skip


@require_POST
@internal_required
def task_done(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(Task, pk=pk)
    if task.owner_id != request.user.pk and not request.user.is_manager_or_admin:
        raise PermissionDenied
    actions.complete_task(task=task, actor=request.user, now=timezone.now())
    return redirect(request.POST.get("next") or "deals:tasks")


@internal_required
def forecast(request: AuthedHttpRequest) -> HttpResponse:
    filters = DealFilterForm(request.GET or None)
    deals = filters.filter(Deal.objects.all())
    today = timezone.localdate()
    data = queries.forecast(deals, months=6, today=today)
    chart = {
        "months": [m.strftime("%Y/%m") for m in data["months"]],
        "weighted": [float(t["weighted"]) for t in data["totals"]],
        "committed": [float(t["committed"]) for t in data["totals"]],
        "won": [float(t["won"]) for t in data["totals"]],
        "labels": {"weighted": _("Weighted"), "committed": _("Committed"), "won": _("Won")},
    }
    stale = queries.stale(deals, now=timezone.now()).select_related("owner", "company")[:50]
    return render(request, "deals/forecast.html", {
        "data": data, "chart": chart, "filters": filters, "stale": stale,
        "stale_days": queries.STALE_DAYS,
    })  # fmt: skip


@internal_required
def deal_settings(request: AuthedHttpRequest) -> HttpResponse:
    """Managers edit stage names and probabilities, close reasons and the after-follow plan."""
    if not request.user.is_manager_or_admin:
        raise PermissionDenied
    pipeline = _pipeline()
    template = FollowTemplate.objects.filter(is_default=True).first()
    data = request.POST or None
    stages = StageFormSet(data, queryset=pipeline.stages.all(), prefix="stages")
    reasons = ReasonFormSet(data, queryset=CloseReason.objects.all(), prefix="reasons")
    steps = FollowStepFormSet(
        data,
        queryset=template.steps.all() if template else FollowStep.objects.none(),
        prefix="steps",
    )
    if request.method == "POST" and stages.is_valid() and reasons.is_valid() and steps.is_valid():
        stages.save()
        reasons.save()
        for step in steps.save(commit=False):
            if template is not None:
                step.template = template
                step.save()
        for step in steps.deleted_objects:
            step.delete()
        messages.success(request, _("Deal settings saved."))
        return redirect("deals:settings")
    return render(
        request,
        "deals/settings.html",
        {"stages": stages, "reasons": reasons, "steps": steps, "pipeline": pipeline},
    )


def ics(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(Task.objects.select_related("owner", "lead__company"), pk=pk)
    if not request.user.is_authenticated or not (
        task.owner_id == request.user.pk or request.user.is_manager_or_admin
    ):
        raise PermissionDenied
    response = HttpResponse(
        actions.invitation_ics(task), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="meeting-{task.pk}.ics"'
    return response
