"""The shared timeline, embedded in lead and company pages (rendered here, routed there)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kakehashi.accounts.http import AuthedHttpRequest

from . import actions, kinds
from .forms import NoteForm
from .models import Activity, Department

if TYPE_CHECKING:
    from kakehashi.leads.models import Company, Lead

PER_PAGE = 30


def timeline_context(
    request: AuthedHttpRequest, *, lead: Lead | None = None, company: Company | None = None
) -> dict[str, Any]:
    activities = Activity.objects.select_related("actor", "actor__team", "lead")
    if lead is not None:
        activities = activities.for_lead(lead)
        url = reverse("leads:timeline", args=[lead.pk])
        note_url = reverse("leads:note", args=[lead.pk])
    elif company is not None:
        activities = activities.for_company(company)
        url = reverse("leads:company_timeline", args=[company.pk])
        note_url = reverse("leads:company_note", args=[company.pk])
    else:  # pragma: no cover - callers always pass one
        raise ValueError("timeline_context needs a lead or a company")
    department = request.GET.get("department", "")
    if department in Department.values:
        activities = activities.in_department(department)
    else:
        department = ""
    family = request.GET.get("kind", "")
    if family in kinds.families():
        activities = activities.of_kind(family)
    else:
        family = ""
    page = Paginator(activities.newest_first(), PER_PAGE).get_page(request.GET.get("tpage"))
    for activity in page:
        activity.spec = kinds.get(activity.kind)  # type: ignore[attr-defined]
    return {
        "timeline": page,
        "timeline_url": url,
        "note_url": note_url,
        "timeline_department": department,
        "timeline_kind": family,
        "departments": Department.choices,
        "kind_families": kinds.FAMILIES.items(),
        "show_lead": lead is None,
    }


def timeline_partial(
    request: AuthedHttpRequest, *, lead: Lead | None = None, company: Company | None = None
) -> HttpResponse:
    context = timeline_context(request, lead=lead, company=company)
    return render(request, "timeline/_timeline.html", context)


def add_note(
    request: AuthedHttpRequest, *, lead: Lead | None = None, company: Company | None = None
) -> HttpResponse:
    form = NoteForm(request.POST)
    if form.is_valid():
        actions.add_note(
            author=request.user,
            body=form.cleaned_data["body"],
            lead=lead,
            company=company,
            now=timezone.now(),
        )
        if not request.htmx:
            messages.success(request, _("Note added."))
    elif not request.htmx:
        messages.error(request, _("A note needs some text."))
    if request.htmx:
        context = timeline_context(request, lead=lead, company=company)
        context["note_form"] = form if not form.is_valid() else NoteForm()
        return render(request, "timeline/_notes_and_timeline.html", context)
    if lead is not None:
        return redirect("leads:detail", pk=lead.pk)
    assert company is not None
    return redirect("leads:company_detail", pk=company.pk)
