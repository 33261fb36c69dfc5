from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kakehashi.accounts import permissions
from kakehashi.accounts.decorators import internal_required
from kakehashi.accounts.http import AuthedHttpRequest
from kakehashi.lib import spreadsheet
from kakehashi.lib.paging import DeferredJoinPaginator
from kakehashi.scoring.queries import with_grades
from kakehashi.timeline import views as timeline_views
from kakehashi.timeline.forms import NoteForm

from . import actions, exports, merge, queries
from .forms import CompanyForm, ExportForm, LeadFilterForm, LeadForm
from .models import Company, Disclosure, DuplicateCandidate, Industry, Lead, Tag


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
        {
            "form": form,
            "page_obj": page,
            "filtered": filtered,
            "can_export": permissions.can_export(request.user),
        },
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
    lead = (
        Lead.objects.select_related("company", "owner", "owner__team", "team").filter(pk=pk).first()
    )
    if lead is None:
        # A merged-away id keeps working: old links, bookmarks and e-mails land on the survivor.
        survivor = queries.survivor_id(pk)
        if survivor is None:
            raise Http404
        return redirect("leads:detail", pk=survivor)
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
    company = Company.objects.select_related("owner").filter(pk=pk).first()
    if company is None:
        survivor = queries.company_survivor_id(pk)
        if survivor is None:
            raise Http404
        return redirect("leads:company_detail", pk=survivor)
    leads = company.leads.select_related("owner").order_by("sort_name", "id")
    context = {
        "company": company,
        "page_obj": _page(request, leads, 25),
        "can_edit": bool(permissions.editable_company_fields(request.user, company)),
        "can_delete": permissions.can_delete(request.user),
        "note_form": NoteForm(),
        "duplicates": company_duplicates(company),
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


# --- export ----------------------------------------------------------------------------------


@internal_required
def lead_export(request: AuthedHttpRequest) -> HttpResponse:
    """Managers and admins export the filtered list; every export is logged (LEG-APPI-3)."""
    if not permissions.can_export(request.user):
        raise PermissionDenied
    filters = LeadFilterForm(request.POST if request.method == "POST" else request.GET)
    form = ExportForm(request.POST or None)
    leads = Lead.objects.select_related("company", "owner", "team").prefetch_related("tags")
    leads = (
        filters.filter(leads, request.user) if filters.is_valid() else leads.order_by("-created_at")
    )
    if request.method == "POST" and form.is_valid():
        columns, fmt = form.cleaned_data["columns"], form.cleaned_data["format"]
        rows = list(leads.iterator(chunk_size=2000))
        header, values = exports.table(rows, columns)
        if fmt == "xlsx":
            body = spreadsheet.xlsx_bytes(header, values)
            content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        else:
            body = spreadsheet.csv_bytes(
                header, values, encoding="cp932" if fmt == "csv_cp932" else "utf-8-sig"
            )
            content_type = "text/csv; charset=" + ("shift_jis" if fmt == "csv_cp932" else "utf-8")
        actions.record_disclosure(
            channel="export",
            actor=request.user,
            recipient=f"{request.user.email} ({fmt})",
            fields=columns,
            lead_ids=[lead.pk for lead in rows],
            now=timezone.now(),
        )
        extension = "xlsx" if fmt == "xlsx" else "csv"
        response = HttpResponse(body, content_type=content_type)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="leads-{stamp}.{extension}"'
        return response
    return render(
        request,
        "leads/lead_export.html",
        {
            "form": form,
            "filters": filters,
            "count": leads.count(),
            "query": request.GET.urlencode(),
        },
    )


@require_POST
@internal_required
def lead_subject_export(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Everything kakehashi holds on one person, for a disclosure request (LEG-APPI-2)."""
    lead = get_object_or_404(Lead, pk=pk)
    if not permissions.can_export(request.user):
        raise PermissionDenied
    data = exports.subject_export(lead)
    actions.record_disclosure(
        channel="export",
        actor=request.user,
        recipient=f"{request.user.email} (data-subject request)",
        fields=[*sorted(data["related"]), "lead"],
        lead_ids=[lead.pk],
        now=timezone.now(),
    )
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2, cls=DjangoJSONEncoder),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="lead-{lead.pk}.json"'
    return response


# --- duplicates and merge ----------------------------------------------------------------------


def company_duplicates(company: Company) -> list[Company]:
    """Other companies with the same folded name, or the same web domain."""
    from django.db.models import Q

    query = Q(normalized_name=company.normalized_name)
    if company.domain:
        query |= Q(domain=company.domain)
    return list(Company.objects.filter(query).exclude(pk=company.pk)[:10])


def _can_merge(user: Any, *leads: Lead) -> bool:
    return all(
        permissions.editable_lead_fields(user, lead) == permissions.LEAD_FIELDS for lead in leads
    )


@internal_required
def duplicate_list(request: AuthedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        found = actions.scan_duplicates(now=timezone.now())
        messages.success(request, _("Scan finished: %(n)s new possible duplicates.") % {"n": found})
        return redirect("leads:duplicates")
    candidates = DuplicateCandidate.objects.filter(
        status=DuplicateCandidate.Status.OPEN
    ).select_related("lead_a", "lead_a__company", "lead_b", "lead_b__company")
    page = Paginator(candidates, 30).get_page(request.GET.get("page"))
    return render(request, "leads/duplicate_list.html", {"page_obj": page})


@internal_required
def duplicate_review(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    candidate = get_object_or_404(
        DuplicateCandidate.objects.select_related(
            "lead_a__company", "lead_b__company", "lead_a__owner", "lead_b__owner"
        ),
        pk=pk,
        status=DuplicateCandidate.Status.OPEN,
    )
    a, b = candidate.lead_a, candidate.lead_b
    if not _can_merge(request.user, a, b):
        raise PermissionDenied
    if request.method == "POST":
        now = timezone.now()
        if request.POST.get("action") == "dismiss":
            actions.dismiss_duplicate(candidate=candidate, actor=request.user, now=now)
            messages.success(request, _("Marked as not a duplicate."))
            return redirect("leads:duplicates")
        keep = a if request.POST.get("survivor", "a") == "a" else b
        other = b if keep is a else a
        choices = {}
        for field in merge.LEAD_MERGE_FIELDS:
            picked = request.POST.get(f"field_{field}")
            if picked in ("a", "b"):
                choices[field] = "survivor" if (picked == "a") == (keep is a) else "loser"
        survivor = merge.merge_leads(
            survivor=keep, loser=other, choices=choices, actor=request.user, now=now
        )
        messages.success(request, _("Merged. Everything the two records held is now on this one."))
        return redirect("leads:detail", pk=survivor.pk)
    rows = [
        (
            field,
            str(getattr(Lead._meta.get_field(field), "verbose_name", field)),
            _show(getattr(a, field)),
            _show(getattr(b, field)),
        )
        for field in merge.LEAD_MERGE_FIELDS
    ]
    counts = {lead.pk: lead.activities.count() for lead in (a, b)}
    return render(
        request,
        "leads/duplicate_review.html",
        {
            "candidate": candidate,
            "a": a,
            "b": b,
            "rows": rows,
            "count_a": counts[a.pk],
            "count_b": counts[b.pk],
        },
    )


def _show(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        from kakehashi.lib.jp import prefecture_name

        return prefecture_name(value) or str(value)
    return str(value)


@require_POST
@internal_required
def company_merge(request: AuthedHttpRequest, pk: int, other: int) -> HttpResponse:
    survivor = get_object_or_404(Company, pk=pk)
    loser = get_object_or_404(Company, pk=other)
    editable = permissions.COMPANY_FIELDS
    if not (
        permissions.editable_company_fields(request.user, survivor) == editable
        and permissions.editable_company_fields(request.user, loser) == editable
    ):
        raise PermissionDenied
    merge.merge_companies(survivor=survivor, loser=loser, actor=request.user, now=timezone.now())
    messages.success(request, _("Companies merged; their leads and timelines are together now."))
    return redirect("leads:company_detail", pk=survivor.pk)
