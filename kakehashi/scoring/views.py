from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kakehashi.accounts.decorators import internal_required
from kakehashi.accounts.http import AuthedHttpRequest
from kakehashi.leads.models import Lead
from kakehashi.timeline import kinds

from . import actions, predict, queries
from .forms import CapacityForm, EngagementRuleForm, FitRuleForm, MqlForm, ScoreForm
from .models import EngagementRule, FitRule, ModelVersion, Score
from .permissions import can_edit


def _require_edit(request: AuthedHttpRequest) -> None:
    if not can_edit(request.user):
        raise PermissionDenied


@internal_required
def score_list(request: AuthedHttpRequest) -> HttpResponse:
    scores = Score.objects.filter(active=True).order_by("position", "id")
    return render(
        request,
        "scoring/score_list.html",
        {"scores": scores, "can_edit": can_edit(request.user), "model": _model_summary()},
    )


def _model_summary() -> ModelVersion | None:
    return ModelVersion.objects.filter(in_use=True).defer("payload").first()


@require_POST
@internal_required
def score_starter(request: AuthedHttpRequest) -> HttpResponse:
    _require_edit(request)
    name = _("Lead score") if not Score.objects.filter(name=_("Lead score")).exists() else None
    name = name or _("Lead score %(n)s") % {"n": Score.objects.count() + 1}
    score = actions.create_starter_score(actor=request.user, name=name, now=timezone.now())
    messages.success(request, _("Score created with typical rules. Adjust them to your market."))
    return redirect("scoring:detail", pk=score.pk)


@internal_required
def score_create(request: AuthedHttpRequest) -> HttpResponse:
    _require_edit(request)
    form = ScoreForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        score = actions.create_score(
            actor=request.user, fields=form.cleaned_data, now=timezone.now()
        )
        messages.success(request, _("Score created."))
        return redirect("scoring:detail", pk=score.pk)
    return render(request, "scoring/score_form.html", {"form": form})


@internal_required
def score_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    _require_edit(request)
    score = get_object_or_404(Score, pk=pk, active=True)
    form = ScoreForm(request.POST or None, instance=score)
    if request.method == "POST" and form.is_valid():
        actions.update_score(
            score=Score.objects.get(pk=pk),
            actor=request.user,
            changes=form.cleaned_data,
            now=timezone.now(),
        )
        messages.success(request, _("Score saved. Every lead is being rescored."))
        return redirect("scoring:detail", pk=pk)
    return render(request, "scoring/score_form.html", {"form": form, "score": score})


@require_POST
@internal_required
def score_delete(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    _require_edit(request)
    score = get_object_or_404(Score, pk=pk, active=True)
    actions.archive_score(score=score, actor=request.user, now=timezone.now())
    messages.success(request, _("Score deleted."))
    return redirect("scoring:list")


@internal_required
def score_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    score = get_object_or_404(Score, pk=pk, active=True)
    now = timezone.now()
    capacity_form = CapacityForm(request.GET or None)
    capacity = 50
    if capacity_form.is_valid() and capacity_form.cleaned_data.get("capacity"):
        capacity = capacity_form.cleaned_data["capacity"]
    mql_count = (
        queries.at_least(score, score.mql_threshold, now).count()
        if score.mql_threshold is not None
        else None
    )
    context = {
        "score": score,
        "engagement_rules": score.engagement_rules.order_by("id"),
        "fit_rules": score.fit_rules.order_by("id"),
        "can_edit": can_edit(request.user),
        "mql_form": MqlForm(initial={"mql_threshold": score.mql_threshold}),
        "capacity_form": capacity_form,
        "suggestion": queries.suggest_mql(score, capacity, now),
        "mql_count": mql_count,
    }
    return render(request, "scoring/score_detail.html", context)


@require_POST
@internal_required
def score_mql(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    _require_edit(request)
    score = get_object_or_404(Score, pk=pk, active=True)
    form = MqlForm(request.POST)
    if form.is_valid():
        actions.set_mql_threshold(
            score=score,
            actor=request.user,
            threshold=form.cleaned_data["mql_threshold"],
            now=timezone.now(),
        )
        messages.success(request, _("MQL threshold saved."))
    else:
        messages.error(request, _("The MQL threshold must be a number of 0 or more."))
    return redirect("scoring:detail", pk=pk)


def _rule_form_view(
    request: AuthedHttpRequest, score: Score, form_class: Any, instance: Any, template: str
) -> HttpResponse:
    form = form_class(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        rule = form.save(commit=False)
        rule.score = score
        save = (
            actions.save_engagement_rule
            if isinstance(rule, EngagementRule)
            else actions.save_fit_rule
        )
        save(rule=rule, actor=request.user, now=timezone.now())
        messages.success(request, _("Rule saved. Every lead is being rescored."))
        return redirect("scoring:detail", pk=score.pk)
    context = {"form": form, "score": score, "rule": instance, "kinds": sorted(kinds.KINDS)}
    return render(request, template, context)


@internal_required
def engagement_rule_edit(
    request: AuthedHttpRequest, pk: int, rule_pk: int | None = None
) -> HttpResponse:
    _require_edit(request)
    score = get_object_or_404(Score, pk=pk, active=True)
    rule = get_object_or_404(EngagementRule, pk=rule_pk, score=score) if rule_pk else None
    return _rule_form_view(
        request, score, EngagementRuleForm, rule, "scoring/engagement_rule_form.html"
    )


@internal_required
def fit_rule_edit(request: AuthedHttpRequest, pk: int, rule_pk: int | None = None) -> HttpResponse:
    _require_edit(request)
    score = get_object_or_404(Score, pk=pk, active=True)
    rule = get_object_or_404(FitRule, pk=rule_pk, score=score) if rule_pk else None
    return _rule_form_view(request, score, FitRuleForm, rule, "scoring/fit_rule_form.html")


@require_POST
@internal_required
def engagement_rule_delete(request: AuthedHttpRequest, pk: int, rule_pk: int) -> HttpResponse:
    _require_edit(request)
    rule = get_object_or_404(EngagementRule, pk=rule_pk, score_id=pk)
    actions.delete_engagement_rule(rule=rule, actor=request.user, now=timezone.now())
    messages.success(request, _("Rule deleted. Every lead is being rescored."))
    return redirect("scoring:detail", pk=pk)


@require_POST
@internal_required
def fit_rule_delete(request: AuthedHttpRequest, pk: int, rule_pk: int) -> HttpResponse:
    _require_edit(request)
    rule = get_object_or_404(FitRule, pk=rule_pk, score_id=pk)
    actions.delete_fit_rule(rule=rule, actor=request.user, now=timezone.now())
    messages.success(request, _("Rule deleted. Every lead is being rescored."))
    return redirect("scoring:detail", pk=pk)


@internal_required
def lead_panel(request: AuthedHttpRequest, lead_pk: int) -> HttpResponse:
    """The lead page's scoring card (loaded by htmx): grades, why, and the likelihood."""
    lead = get_object_or_404(Lead, pk=lead_pk)
    now = timezone.now()
    explanations = [
        queries.explain(lead.pk, score, now)
        for score in Score.objects.filter(active=True).order_by("position", "id")
    ]
    context = {
        "lead": lead,
        "explanations": explanations,
        "likelihood": predict.likelihood(lead.pk, now=now),
        "min_outcomes": predict.MIN_OUTCOMES,
    }
    return render(request, "scoring/_lead_panel.html", context)


@internal_required
def hot(request: AuthedHttpRequest) -> HttpResponse:
    score = queries.primary_score()
    window = "7d" if request.GET.get("window") == "7d" else "24h"
    rows: list[dict[str, Any]] = []
    if score is not None:
        rows = queries.velocity(score, timezone.now(), days=7 if window == "7d" else 1)
        leads = Lead.objects.select_related("company", "owner").in_bulk(
            [r["lead_id"] for r in rows]
        )
        rows = [{**r, "lead": leads[r["lead_id"]]} for r in rows if r["lead_id"] in leads]
    return render(request, "scoring/hot.html", {"score": score, "rows": rows, "window": window})


@internal_required
def model_page(request: AuthedHttpRequest) -> HttpResponse:
    versions = ModelVersion.objects.defer("payload").order_by("-version")[:10]
    in_use = next((v for v in versions if v.in_use), None)
    return render(
        request,
        "scoring/model.html",
        {
            "in_use": in_use,
            "versions": versions,
            "can_edit": can_edit(request.user),
            "min_outcomes": predict.MIN_OUTCOMES,
            "report_keys": REPORT_KEYS,
        },
    )


REPORT_KEYS = (
    "n_train", "n_test", "auc_model", "auc_rules", "precision_at_top_10pct", "calibration_error",
)  # fmt: skip


@require_POST
@internal_required
def model_train(request: AuthedHttpRequest) -> HttpResponse:
    _require_edit(request)
    from .tasks import train_task

    train_task()
    messages.success(request, _("Training started. The report appears here when it is done."))
    return redirect("scoring:model")
