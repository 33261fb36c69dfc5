from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kakehashi.accounts.decorators import internal_required
from kakehashi.accounts.http import AuthedHttpRequest
from kakehashi.accounts.models import Team
from kakehashi.journey.forms import PeriodForm
from kakehashi.journey.models import Stage
from kakehashi.leads.models import LeadSource

from . import actions, queries
from .forms import (
    EMAIL_OUTCOMES,
    OUTCOME_LABELS,
    AcceptForm,
    AssignmentRuleForm,
    PolicyForm,
    ReasonForm,
    RejectForm,
    TouchForm,
)
from .models import AssignmentRule, Handoff, HandoffPolicy, Notification, RejectReason
from .permissions import can_configure


def _require_configure(request: AuthedHttpRequest) -> None:
    if not can_configure(request.user):
        raise PermissionDenied


# --- the work queue -----------------------------------------------------------------------------


def _queue_context(request: AuthedHttpRequest) -> dict[str, Any]:
    now = timezone.now()
    return {
        "rows": queries.queue(request.user, now),
        "reasons": RejectReason.objects.filter(active=True),
        "call_outcomes": list(OUTCOME_LABELS.items()),
        "email_outcomes": list(EMAIL_OUTCOMES.items()),
        "now": now,
    }


@internal_required
def queue(request: AuthedHttpRequest) -> HttpResponse:
    """Inside sales' work queue: my leads by priority, each with its SLA countdown."""
    context = _queue_context(request)
    context["unread"] = Notification.objects.filter(user=request.user, read_at__isnull=True).count()
    context["waiting"] = Handoff.objects.open().filter(owner__isnull=True).count()
    context["can_configure"] = can_configure(request.user)
    template = "handoff/_queue_rows.html" if request.htmx else "handoff/queue.html"
    return render(request, template, context)


def _handoff_for(request: AuthedHttpRequest, pk: int) -> Handoff:
    handoff = get_object_or_404(Handoff.objects.select_related("policy__stage"), pk=pk)
    if not actions.may_act(request.user, handoff):
        raise PermissionDenied
    return handoff


def _back(request: AuthedHttpRequest) -> HttpResponse:
    if request.htmx:
        return render(request, "handoff/_queue_rows.html", _queue_context(request))
    return redirect("handoff:queue")


@require_POST
@internal_required
def touch(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    handoff = _handoff_for(request, pk)
    form = TouchForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what happened."))
        return _back(request)
    actions.log_touch(
        handoff=handoff, actor=request.user, channel=form.cleaned_data["channel"],
        outcome=form.cleaned_data["outcome"], summary=form.cleaned_data["summary"],
        now=timezone.now(),
    )  # fmt: skip
    messages.success(request, _("Logged on the lead's timeline."))
    return _back(request)


@require_POST
@internal_required
def accept(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    handoff = _handoff_for(request, pk)
    form = AcceptForm(request.POST, policy=handoff.policy)
    if not form.is_valid():
        messages.error(request, _("Choose a later stage."))
        return _back(request)
    try:
        actions.accept(
            handoff=handoff, actor=request.user, now=timezone.now(),
            stage=form.cleaned_data.get("stage"), comment=form.cleaned_data.get("comment") or "",
        )  # fmt: skip
        messages.success(request, _("Accepted. The lead is yours."))
    except actions.HandoffClosed:
        messages.error(request, _("This hand-off was already decided."))
    except actions.NotALaterStage:
        messages.error(request, _("Choose a later stage."))
    return _back(request)


@require_POST
@internal_required
def reject(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    handoff = _handoff_for(request, pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a reason: marketing learns from it."))
        return _back(request)
    try:
        actions.reject(
            handoff=handoff, actor=request.user, reason=form.cleaned_data["reason"],
            comment=form.cleaned_data.get("comment") or "", now=timezone.now(),
        )  # fmt: skip
        messages.success(request, _("Rejected. The lead is back in nurturing with your reason."))
    except actions.HandoffClosed:
        messages.error(request, _("This hand-off was already decided."))
    return _back(request)


@internal_required
def notifications(request: AuthedHttpRequest) -> HttpResponse:
    notices = Notification.objects.filter(user=request.user).select_related("lead")
    page = Paginator(notices, 50).get_page(request.GET.get("page"))
    return render(request, "handoff/notifications.html", {"page_obj": page})


@require_POST
@internal_required
def notifications_read(request: AuthedHttpRequest) -> HttpResponse:
    Notification.objects.filter(user=request.user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    return redirect("handoff:notifications")


# --- the feedback loop ----------------------------------------------------------------------------


def _period(
    request: AuthedHttpRequest,
) -> tuple[PeriodForm, dt.date, dt.date, dt.datetime, dt.datetime]:
    form = PeriodForm(request.GET or None)
    since, until = form.period(timezone.localdate())
    tz = ZoneInfo(settings.TIME_ZONE)
    start = dt.datetime.combine(since, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return form, since, until, start, end


@internal_required
def feedback(request: AuthedHttpRequest) -> HttpResponse:
    """The page marketing and sales read together: acceptance, reasons, SLA, lost chances."""
    form, since, until, start, end = _period(request)
    now = timezone.now()
    source = request.GET.get("source", "")
    campaign = request.GET.get("campaign")
    qs = queries.in_period(start, end, source=source, campaign=campaign)
    people, teams = queries.sla_compliance(qs, now)
    context = {
        "form": form, "since": since, "until": until, "source": source, "campaign": campaign,
        "sources": dict(LeadSource.choices),
        "by_source": queries.acceptance_by(qs, "source"),
        "by_campaign": queries.acceptance_by(qs, "campaign")[:30],
        "by_week": queries.by_week(qs),
        "reasons": queries.reasons(qs),
        "people": people, "teams": teams,
        "loss": {
            "untouched": queries.untouched_in_time(qs, now).count(),
            "hot_unowned": len(queries.hot_without_owner(now)),
            "cold": len(queries.gone_cold(qs, now)),
        },
    }  # fmt: skip
    return render(request, "handoff/feedback.html", context)


@internal_required
def loss(request: AuthedHttpRequest, kind: str) -> HttpResponse:
    if kind not in queries.LOSS_KINDS:
        raise Http404
    _form, since, until, start, end = _period(request)
    now = timezone.now()
    qs = queries.in_period(start, end, source=request.GET.get("source", ""),
                           campaign=request.GET.get("campaign"))  # fmt: skip
    titles = {
        "untouched": _("MQLs not touched within the SLA"),
        "hot_unowned": _("Hot leads without an owner"),
        "cold": _("Leads that went cold before the first touch"),
    }
    context: dict[str, Any] = {"kind": kind, "title": titles[kind], "since": since, "until": until}
    if kind == "hot_unowned":
        context["hot_rows"] = queries.hot_without_owner(now)
    elif kind == "untouched":
        context["handoffs"] = list(
            queries.untouched_in_time(qs, now)
            .select_related("lead__company", "owner")
            .order_by("due_at")[:500]
        )
    else:
        context["handoffs"] = queries.gone_cold(qs, now)[:500]
    return render(request, "handoff/loss.html", context)


# --- settings ------------------------------------------------------------------------------------


@internal_required
def settings_page(request: AuthedHttpRequest) -> HttpResponse:
    _require_configure(request)
    stages = (
        Stage.objects.filter(is_handoff=True, journey__active=True)
        .select_related("journey", "handoff_policy__team")
        .order_by("journey__position", "position")
    )
    policies = HandoffPolicy.objects.prefetch_related("rules__members__user")
    return render(
        request,
        "handoff/settings.html",
        {"stages": stages, "policies": {p.stage_id: p for p in policies},
         "reasons": RejectReason.objects.all(),
         "teams": Team.objects.filter(function="inside_sales")},
    )  # fmt: skip


@require_POST
@internal_required
def policy_create(request: AuthedHttpRequest, stage_pk: int) -> HttpResponse:
    _require_configure(request)
    stage = get_object_or_404(Stage, pk=stage_pk, is_handoff=True)
    team = get_object_or_404(Team, pk=request.POST.get("team") or 0)
    if HandoffPolicy.objects.filter(stage=stage).exists():
        return redirect("handoff:settings")
    policy = actions.create_default_policy(
        stage=stage, team=team, actor=request.user, now=timezone.now()
    )
    messages.success(request, _("Hand-off set up: round robin over the team, 4 business hours."))
    return redirect("handoff:policy_edit", pk=policy.pk)


@internal_required
def policy_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    _require_configure(request)
    policy = get_object_or_404(HandoffPolicy.objects.select_related("stage"), pk=pk)
    form = PolicyForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid():
        actions.save_policy(policy=form.save(commit=False), actor=request.user, now=timezone.now())
        messages.success(request, _("Hand-off settings saved."))
        return redirect("handoff:settings")
    return render(request, "handoff/policy_form.html", {"form": form, "policy": policy})


@internal_required
def rule_edit(request: AuthedHttpRequest, pk: int, rule_pk: int | None = None) -> HttpResponse:
    _require_configure(request)
    policy = get_object_or_404(HandoffPolicy, pk=pk)
    rule = (
        get_object_or_404(AssignmentRule, pk=rule_pk, policy=policy)
        if rule_pk
        else AssignmentRule(policy=policy)
    )
    form = AssignmentRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        actions.save_rule(
            rule=form.save(commit=False), members=form.cleaned_data["members_text"],
            actor=request.user, now=timezone.now(),
        )  # fmt: skip
        messages.success(request, _("Assignment rule saved."))
        return redirect("handoff:settings")
    return render(request, "handoff/rule_form.html", {"form": form, "policy": policy, "rule": rule})


@internal_required
def reason_edit(request: AuthedHttpRequest, pk: int | None = None) -> HttpResponse:
    _require_configure(request)
    reason = get_object_or_404(RejectReason, pk=pk) if pk else RejectReason()
    form = ReasonForm(request.POST or None, instance=reason)
    if request.method == "POST" and form.is_valid():
        actions.save_reason(reason=form.save(commit=False), actor=request.user, now=timezone.now())
        messages.success(request, _("Reason saved."))
        return redirect("handoff:settings")
    return render(request, "handoff/reason_form.html", {"form": form, "reason": reason})
