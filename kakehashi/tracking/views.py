"""Staff pages: sources (write key, snippet, pixel, disclosure text), debugger and visitors.

Everything shown here came from the public (user agents, URLs, titles, traits, properties):
templates never mark any of it safe (SEC-XSS-1).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kakehashi.accounts.decorators import internal_required
from kakehashi.accounts.http import AuthedHttpRequest

from . import actions, disclosure, pixel
from .forms import NewSourceForm, SourceForm
from .models import DailyCount, DropReason, Event, Source, Visitor
from .permissions import can_manage_sources

DEBUGGER_ROWS = 50


def _require_manager(request: AuthedHttpRequest) -> None:
    if not can_manage_sources(request.user):
        raise PermissionDenied


@internal_required
def source_list(request: AuthedHttpRequest) -> HttpResponse:
    can_manage = can_manage_sources(request.user)
    form = NewSourceForm(request.POST or None)
    if request.method == "POST":
        _require_manager(request)
        if form.is_valid():
            source = actions.create_source(
                name=form.cleaned_data["name"], actor=request.user, now=timezone.now()
            )
            messages.success(request, _("Source created. Paste the snippet into your site."))
            return redirect("tracking:source", pk=source.pk)
    since = timezone.localdate() - timedelta(days=6)
    totals = dict(
        DailyCount.objects.filter(day__gte=since)
        .values_list("source")
        .annotate(total=Sum("count"))
        .values_list("source", "total")
    )
    sources = list(Source.objects.all())
    for source in sources:
        source.events_this_week = totals.get(source.pk, 0)  # type: ignore[attr-defined]
    return render(
        request,
        "tracking/source_list.html",
        {"sources": sources, "form": form, "can_manage": can_manage},
    )


def _snippet(request: AuthedHttpRequest, source: Source) -> dict[str, str]:
    base = settings.BASE_URL
    script = f'<script async src="{base}{reverse("tracking:script")}" data-write-key="{source.write_key}"></script>'
    consent = (
        f'<script async src="{base}{reverse("tracking:script")}" '
        f'data-write-key="{source.write_key}" data-consent="required"></script>'
    )
    noscript = f'<noscript><img src="{pixel.url(source_id=source.pk)}" alt="" width="1" height="1"></noscript>'
    return {"script": script, "consent_script": consent, "noscript": noscript}


@internal_required
def source_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    source = get_object_or_404(Source, pk=pk)
    can_manage = can_manage_sources(request.user)
    form = SourceForm(request.POST or None, instance=source)
    if request.method == "POST":
        _require_manager(request)
        if form.is_valid():
            actions.update_source(
                source=Source.objects.get(pk=pk),
                actor=request.user,
                changes={f: form.cleaned_data[f] for f in form.changed_data},
                now=timezone.now(),
            )
            messages.success(request, _("Source saved."))
            return redirect("tracking:source", pk=pk)
    since = timezone.localdate() - timedelta(days=29)
    reasons = dict(DropReason.choices)
    drops = [
        (reasons.get(reason, reason), count)
        for reason, count in actions.drop_counts(source, since=since)
    ]
    outcomes = dict(
        DailyCount.objects.filter(source=source, day__gte=since)
        .exclude(outcome__startswith="dropped:")
        .values_list("outcome")
        .annotate(n=Sum("count"))
        .values_list("outcome", "n")
    )
    context = {
        "source": source,
        "form": form,
        "can_manage": can_manage,
        "snippet": _snippet(request, source),
        "disclosure_ja": disclosure.JA,
        "disclosure_en": disclosure.EN,
        "drops": drops,
        "attributed": outcomes.get("attributed", 0),
        "anonymous": outcomes.get("anonymous", 0),
        "endpoint": settings.BASE_URL,
    }
    return render(request, "tracking/source_detail.html", context)


@require_POST
@internal_required
def source_rotate(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    source = get_object_or_404(Source, pk=pk)
    actions.rotate_write_key(source=source, actor=request.user, now=timezone.now())
    messages.success(
        request, _("New write key issued. Update the snippet: the old key no longer works.")
    )
    return redirect("tracking:source", pk=pk)


def _debugger_rows(source: Source) -> list[Event]:
    return list(
        Event.objects.filter(source=source).select_related("lead").newest_first()[:DEBUGGER_ROWS]
    )


@internal_required
def debugger(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    source = get_object_or_404(Source, pk=pk)
    return render(
        request, "tracking/debugger.html", {"source": source, "events": _debugger_rows(source)}
    )


@internal_required
def debugger_events(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """The debugger's rows, polled by htmx every few seconds."""
    source = get_object_or_404(Source, pk=pk)
    return render(
        request,
        "tracking/_debugger_rows.html",
        {"source": source, "events": _debugger_rows(source)},
    )


@internal_required
def visitors(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Anonymous traffic by where it came from (UTM source, else referrer); no IP database."""
    source = get_object_or_404(Source, pk=pk)
    anonymous = Visitor.objects.filter(source=source, lead__isnull=True)
    by_origin = (
        anonymous.values("utm_source", "utm_medium", "referrer_domain")
        .annotate(n=Count("id"))
        .order_by("-n")[:20]
    )
    page = Paginator(
        Visitor.objects.filter(source=source)
        .select_related("lead")
        .order_by("-last_seen_at", "-id"),
        50,
    ).get_page(request.GET.get("page"))
    context: dict[str, Any] = {"source": source, "by_origin": by_origin, "page_obj": page}
    return render(request, "tracking/visitors.html", context)
