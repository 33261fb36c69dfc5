from __future__ import annotations

from django import template

from kakehashi.leads.models import LeadSource

register = template.Library()


@register.filter
def source_label(value: str) -> str:
    """'trade_show' → '展示会' (the stored code shown as its translated label)."""
    try:
        return str(LeadSource(value).label)
    except ValueError:
        return value


@register.filter
def field_label(name: str) -> str:
    """A field's translated name for the audit trail ('title' → '役職')."""
    from django.core.exceptions import FieldDoesNotExist

    from kakehashi.leads.models import Company, Lead

    for model in (Lead, Company):
        try:
            return str(getattr(model._meta.get_field(name), "verbose_name", name))
        except FieldDoesNotExist:
            continue
    return name
