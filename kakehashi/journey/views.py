from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import ProtectedError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kakehashi.accounts.decorators import internal_required
from kakehashi.accounts.http import AuthedHttpRequest
from kakehashi.leads.models import Lead

from . import actions, blueprints, queries
from .forms import EntryRuleForm, JourneyForm, MoveForm, PeriodForm, StageForm
from .models import EntryRule, Journey, LeadStage, Stage
from .permissions import can_edit, can_move


def _require_edit(request: AuthedHttpRequest) -> None:
    if not can_edit(request.user):
        raise PermissionDenied


@internal_required
def journey_list(request: AuthedHttpRequest) -> HttpResponse:
    journeys = Journey.objects.order_by("position", "id")
    first = journeys.filter(active=True).first()
    if first is not None and not request.GET.get("all"):
        return redirect("journey:map", pk=first.pk)
    return render(
        request,
        "journey/journey_list.html",
        {
            "journeys": journeys,
            "can_edit": can_edit(request.user),
            "blueprints": blueprints.BLUEPRINTS,
        },
    )


@require_POST
@internal_required
def from_blueprint(request: AuthedHttpRequest, key: str) -> HttpResponse:
    _require_edit(request)
    if key not in blueprints.BLUEPRINTS:
        raise Http404
    journey = actions.create_from_blueprint(key=key, actor=request.user, now=timezone.now())
    messages.success(
        request, _("Journey created from the template. Every stage and rule can be edited.")
    )
    return redirect("journey:map", pk=journey.pk)


def _bounds(since: dt.date, until: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = ZoneInfo(settings.TIME_ZONE)
    start = dt.datetime.combine(since, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


@internal_required
def journey_map(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """The shared picture: stages in swimlanes by team, live counts, conversion, time in stage,
    drop-off for a period, and a Sankey of the actual flows."""
    journey = get_object_or_404(Journey, pk=pk)
    form = PeriodForm(request.GET or None)
    since, until = form.period(timezone.localdate())
    start, end = _bounds(since, until)
    figures = queries.figures(journey, start, end)
    stages = [f.stage for f in figures]
    moves = queries.flows(journey, start, end)
    context = {
        "journey": journey,
        "journeys": Journey.objects.order_by("position", "id"),
        "figures": figures,
        "lanes": queries.lanes(stages),
        "columns": len(stages),
        "form": form,
        "since": since,
        "until": until,
        "sankey": queries.sankey(stages, moves, _("New leads")),
        "has_flows": bool(moves),
        "unplaced": queries.unplaced(journey),
        "can_edit": can_edit(request.user),
    }
    return render(request, "journey/map.html", context)


@internal_required
def stage_leads(request: AuthedHttpRequest, stage_pk: int) -> HttpResponse:
    stage = get_object_or_404(Stage.objects.select_related("journey"), pk=stage_pk)
    rows = (
        LeadStage.objects.filter(stage=stage)
        .select_related("lead__company", "lead__owner")
        .order_by("-entered_at", "-id")
    )
    page = Paginator(rows, settings.LEADS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "journey/stage_leads.html", {"stage": stage, "page_obj": page})


@internal_required
def journey_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    _require_edit(request)
    journey = get_object_or_404(Journey, pk=pk)
    form = JourneyForm(request.POST or None, instance=journey)
    if request.method == "POST" and form.is_valid():
        actions.update_journey(
            journey=Journey.objects.get(pk=pk), actor=request.user,
            changes=form.cleaned_data, now=timezone.now(),
        )  # fmt: skip
        messages.success(request, _("Journey saved."))
        return redirect("journey:edit", pk=pk)
    stages = (
        Stage.objects.filter(journey=journey)
        .prefetch_related("entry_rules__from_stages", "entry_rules__score")
        .order_by("position", "id")
    )
    return render(
        request, "journey/journey_edit.html", {"journey": journey, "form": form, "stages": stages}
    )


@internal_required
def stage_edit(request: AuthedHttpRequest, pk: int, stage_pk: int | None = None) -> HttpResponse:
    _require_edit(request)
    journey = get_object_or_404(Journey, pk=pk)
    stage = (
        get_object_or_404(Stage, pk=stage_pk, journey=journey)
        if stage_pk
        else Stage(journey=journey)
    )
    form = StageForm(request.POST or None, instance=stage)
    if request.method == "POST" and form.is_valid():
        actions.save_stage(stage=form.save(commit=False), actor=request.user, now=timezone.now())
        messages.success(request, _("Stage saved."))
        return redirect("journey:edit", pk=pk)
    return render(
        request, "journey/stage_form.html", {"journey": journey, "form": form, "stage": stage}
    )


@require_POST
@internal_required
def stage_delete(request: AuthedHttpRequest, pk: int, stage_pk: int) -> HttpResponse:
    _require_edit(request)
    stage = get_object_or_404(Stage, pk=stage_pk, journey_id=pk)
    try:
        actions.delete_stage(stage=stage, actor=request.user, now=timezone.now())
        messages.success(request, _("Stage deleted."))
    except actions.StageInUse:
        messages.error(request, _("Leads are in this stage: move them before deleting it."))
    except ProtectedError:  # a hand-off policy points at it
        messages.error(request, _("This stage is used by a hand-off policy."))
    return redirect("journey:edit", pk=pk)


@internal_required
def rule_edit(
    request: AuthedHttpRequest, pk: int, stage_pk: int, rule_pk: int | None = None
) -> HttpResponse:
    _require_edit(request)
    stage = get_object_or_404(Stage.objects.select_related("journey"), pk=stage_pk, journey_id=pk)
    rule = (
        get_object_or_404(EntryRule, pk=rule_pk, stage=stage) if rule_pk else EntryRule(stage=stage)
    )
    form = EntryRuleForm(request.POST or None, instance=rule, journey=stage.journey)
    if request.method == "POST" and form.is_valid():
        actions.save_rule(
            rule=form.save(commit=False), from_stages=form.cleaned_data["from_stages"],
            actor=request.user, now=timezone.now(),
        )  # fmt: skip
        messages.success(request, _("Entry rule saved."))
        return redirect("journey:edit", pk=pk)
    return render(request, "journey/rule_form.html", {"stage": stage, "form": form, "rule": rule})


@require_POST
@internal_required
def rule_delete(request: AuthedHttpRequest, pk: int, stage_pk: int, rule_pk: int) -> HttpResponse:
    _require_edit(request)
    rule = get_object_or_404(EntryRule, pk=rule_pk, stage_id=stage_pk, stage__journey_id=pk)
    actions.delete_rule(rule=rule, actor=request.user, now=timezone.now())
    messages.success(request, _("Entry rule deleted."))
    return redirect("journey:edit", pk=pk)


@internal_required
def lead_journey(request: AuthedHttpRequest, lead_pk: int) -> HttpResponse:
    """A lead's place in each journey, its stage history, and the manual move form."""
    lead = get_object_or_404(Lead, pk=lead_pk)
    current = queries.current_stages(lead.pk)
    journeys = list(Journey.objects.filter(active=True).order_by("position", "id"))
    forms = (
        [(j, MoveForm(journey=j, prefix=f"j{j.pk}")) for j in journeys]
        if can_move(request.user, lead)
        else []
    )
    context: dict[str, Any] = {
        "lead": lead,
        "current": current,
        "history": queries.history(lead.pk),
        "move_forms": forms,
    }
    template = "journey/_lead_panel.html" if request.htmx else "journey/lead_journey.html"
    return render(request, template, context)


@require_POST
@internal_required
def lead_move(request: AuthedHttpRequest, lead_pk: int, pk: int) -> HttpResponse:
    lead = get_object_or_404(Lead, pk=lead_pk)
    journey = get_object_or_404(Journey, pk=pk)
    if not can_move(request.user, lead):
        raise PermissionDenied
    form = MoveForm(request.POST, journey=journey, prefix=f"j{journey.pk}")
    if not form.is_valid():
        messages.error(request, _("Choose a stage and give a reason for the move."))
        return redirect("journey:lead", lead_pk=lead.pk)
    try:
        actions.move_lead(
            lead=lead, stage=form.cleaned_data["stage"], actor=request.user,
            reason=form.cleaned_data["reason"], now=timezone.now(),
        )  # fmt: skip
        messages.success(request, _("Lead moved."))
    except actions.ReasonRequired:
        messages.error(request, _("Give a reason for the move."))
    except actions.AlreadyInStage:
        messages.error(request, _("The lead is already in that stage."))
    return redirect("journey:lead", lead_pk=lead.pk)
