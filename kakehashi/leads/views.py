from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kakehashi.accounts import permissions
from kakehashi.accounts.decorators import internal_required
from kakehashi.accounts.http import AuthedHttpRequest
from kakehashi.lib.paging import DeferredJoinPaginator
from kakehashi.scoring.queries import with_grades
from kakehashi.timeline import views as timeline_views
from kakehashi.timeline.forms import NoteForm

from . import actions
from .forms import CompanyForm, LeadFilterForm, LeadForm
from .models import Company, Disclosure, Industry, Lead, Tag


def _page(request: AuthedHttpRequest, queryset: Any, per_page: int) -> Any:
    return DeferredJoinPaginator(queryset, per_page).get_page(request.GET.get("page"))


@internal_required
def lead_list(request: AuthedHttpRequest) -> HttpResponse:
    form = LeadFilterForm(request.GET or None)
    leads = Lead.objects.select_related("company", "owner", "team").prefetch_related(
        Prefetch("tags", queryset=Tag.objects.only("id", "name"))
    )
    leads = with_grades(leads)  # each lead's score grades: one query per page
    if form.is_valid():
        leads = form.filter(leads, request.user)
    else:
        leads = leads.order_by("-created_at", "-id")
    page = _page(request, leads, settings.LEADS_PER_PAGE)
    filtered = any(v for k, v in request.GET.items() if k not in ("page", "sort"))
    return render(
        request,
        "leads/lead_list.html",
        {"form": form, "page_obj": page, "filtered": filtered},
    )


def _lead_form_context(form: LeadForm) -> dict[str, Any]:
    return {"form": form, "companies": Company.objects.order_by("-created_at")[:50]}


@internal_required
def lead_create(request: AuthedHttpRequest) -> HttpResponse:
    editable = permissions.LEAD_FIELDS
    form = LeadForm(request.POST or None, editable=editable, initial={"owner": request.user})
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        tags = changes.pop("tags", [])
        try:
            lead = actions.create_lead(
                actor=request.user, fields=changes, tags=tags, now=timezone.now()
            )
        except actions.LeadEmailTaken:
            form.add_error("email", _("A lead with this e-mail address already exists."))
        else:
            messages.success(request, _("Lead created."))
            return redirect("leads:detail", pk=lead.pk)
    return render(request, "leads/lead_form.html", _lead_form_context(form))


@internal_required
def lead_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    lead = get_object_or_404(
        Lead.objects.select_related("company", "owner", "owner__team", "team"), pk=pk
    )
    context = {
        "lead": lead,
        "tags": list(lead.tags.all()),
        "can_edit": permissions.can_edit_lead(request.user, lead),
        "can_delete": permissions.can_delete(request.user),
        "note_form": NoteForm(),
        **timeline_views.timeline_context(request, lead=lead),
    }
    if permissions.can_export(request.user):
        # Who took this person's data out, and when (LEG-APPI-3); managers and admins only.
        context["disclosures"] = Disclosure.objects.filter(leads__lead_id=lead.pk).select_related(
            "actor"
        )[:10]
    return render(request, "leads/lead_detail.html", context)


@internal_required
def lead_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    lead = get_object_or_404(Lead.objects.select_related("company"), pk=pk)
    editable = permissions.editable_lead_fields(request.user, lead)
    if not editable:
        raise PermissionDenied
    form = LeadForm(request.POST or None, instance=lead, editable=editable)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_lead(
                lead=Lead.objects.get(pk=pk),
                actor=request.user,
                changes=form.changes(),
                now=timezone.now(),
            )
        except actions.LeadEmailTaken:
            form.add_error("email", _("A lead with this e-mail address already exists."))
        else:
            messages.success(request, _("Lead saved."))
            return redirect("leads:detail", pk=pk)
    context = _lead_form_context(form)
    context["lead"] = lead
    context["limited"] = editable != permissions.LEAD_FIELDS
    return render(request, "leads/lead_form.html", context)


@require_POST
@internal_required
def lead_delete(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    lead = get_object_or_404(Lead, pk=pk)
    if not permissions.can_delete(request.user):
        raise PermissionDenied
    actions.delete_lead(lead=lead, actor=request.user, now=timezone.now())
    messages.success(request, _("Lead deleted."))
    return redirect("leads:list")


@require_POST
@internal_required
def lead_note(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    lead = get_object_or_404(Lead.objects.select_related("company"), pk=pk)
    return timeline_views.add_note(request, lead=lead)


@internal_required
def lead_timeline(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    lead = get_object_or_404(Lead, pk=pk)
    return timeline_views.timeline_partial(request, lead=lead)


# --- companies -------------------------------------------------------------------------------


@internal_required
def company_list(request: AuthedHttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")
    companies = Company.objects.search(q).select_related("owner")
    industry = request.GET.get("industry", "")
    if industry:
        companies = companies.filter(industry=industry)
    page = _page(request, companies.order_by("normalized_name", "id"), settings.LEADS_PER_PAGE)
    # Count leads for this page's companies only, not for every company before paging.
    counts = dict(
        Lead.objects.filter(company__in=[c.pk for c in page])
        .values_list("company")
        .annotate(n=Count("id"))
        .values_list("company", "n")
    )
    for company in page:
        company.lead_count = counts.get(company.pk, 0)
    return render(
        request,
        "leads/company_list.html",
        {"page_obj": page, "q": q, "industry": industry, "industries": Industry.choices},
    )


@internal_required
def company_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    company = get_object_or_404(Company.objects.select_related("owner"), pk=pk)
    leads = company.leads.select_related("owner").order_by("sort_name", "id")
    context = {
        "company": company,
        "page_obj": _page(request, leads, 25),
        "can_edit": bool(permissions.editable_company_fields(request.user, company)),
        "can_delete": permissions.can_delete(request.user),
        "note_form": NoteForm(),
        **timeline_views.timeline_context(request, company=company),
    }
    return render(request, "leads/company_detail.html", context)


@internal_required
def company_create(request: AuthedHttpRequest) -> HttpResponse:
    form = CompanyForm(request.POST or None, editable=permissions.COMPANY_FIELDS)
    if request.method == "POST" and form.is_valid():
        company = actions.create_company(
            actor=request.user, fields=form.cleaned_data, now=timezone.now()
        )
        messages.success(request, _("Company created."))
        return redirect("leads:company_detail", pk=company.pk)
    return render(request, "leads/company_form.html", {"form": form})


@internal_required
def company_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    company = get_object_or_404(Company, pk=pk)
    editable = permissions.editable_company_fields(request.user, company)
    if not editable:
        raise PermissionDenied
    form = CompanyForm(request.POST or None, instance=company, editable=editable)
    if request.method == "POST" and form.is_valid():
        actions.update_company(
            company=Company.objects.get(pk=pk),
            actor=request.user,
            changes=form.cleaned_data,
            now=timezone.now(),
        )
        messages.success(request, _("Company saved."))
        return redirect("leads:company_detail", pk=pk)
    return render(request, "leads/company_form.html", {"form": form, "company": company})


@require_POST
@internal_required
def company_delete(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    company = get_object_or_404(Company, pk=pk)
    if not permissions.can_delete(request.user):
        raise PermissionDenied
    actions.delete_company(company=company, actor=request.user, now=timezone.now())
    messages.success(request, _("Company deleted. Its leads were kept."))
    return redirect("leads:company_list")


@require_POST
@internal_required
def company_note(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    company = get_object_or_404(Company, pk=pk)
    return timeline_views.add_note(request, company=company)


@internal_required
def company_timeline(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    company = get_object_or_404(Company, pk=pk)
    return timeline_views.timeline_partial(request, company=company)
