"""Reads other apps need: finding a lead or company by an id that may have been merged away."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from .models import Company, CompanyRedirect, Lead, LeadRedirect


def lead_or_survivor(queryset: Any, pk: int) -> Lead:
    """The lead with this id, or the lead it was merged into (REL-MRG-1); else Http404."""
    lead = queryset.filter(pk=pk).first()
    if lead is None:
        survivor_id = (
            LeadRedirect.objects.filter(old_id=pk).values_list("survivor_id", flat=True).first()
        )
        lead = queryset.filter(pk=survivor_id).first() if survivor_id else None
    if lead is None:
        raise Http404("No lead with this id")
    return lead


def survivor_id(pk: int) -> int | None:
    """The id a merged-away lead now lives under, or None if it was never merged."""
    return LeadRedirect.objects.filter(old_id=pk).values_list("survivor_id", flat=True).first()


def company_survivor_id(pk: int) -> int | None:
    return CompanyRedirect.objects.filter(old_id=pk).values_list("survivor_id", flat=True).first()


def company_or_survivor(queryset: Any, pk: int) -> Company:
    company = queryset.filter(pk=pk).first()
    if company is None:
        survivor = company_survivor_id(pk)
        company = queryset.filter(pk=survivor).first() if survivor else None
    if company is None:
        raise Http404("No company with this id")
    return company
