from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

register = template.Library()
SYMBOLS = {"JPY": "¥", "USD": "$", "EUR": "€", "CNY": "元", "KRW": "₩"}


@register.filter
def money(amount: Any, currency: str = "JPY") -> str:
    """¥1,200,000 for yen (no decimals); $1,234.50 for currencies with cents."""
    if amount in (None, ""):
        return "—"
    value = Decimal(amount)
    symbol = SYMBOLS.get(currency or "JPY", (currency or "") + " ")
    if currency in ("JPY", "KRW", None, ""):
        return f"{symbol}{value:,.0f}"
    return f"{symbol}{value:,.2f}"


@register.filter
def man_yen(amount: Any) -> str:
    """Charts and totals in 万円: 1,200,000 → 120万円."""
    value = Decimal(amount or 0)
    return f"{value / 10000:,.0f}万円"


@register.filter
def may_create_deals(user: Any) -> bool:
    """Whether to show "New deal": only to those the deal form would let in."""
    from kakehashi.deals import permissions

    return permissions.can_create(user)


@register.inclusion_tag("deals/_lead_section.html", takes_context=True)
def lead_deals(context: Any, lead: Any) -> dict[str, Any]:
    """The deals a lead takes part in, with the buttons to start one, for the lead page."""
    from kakehashi.deals import permissions
    from kakehashi.deals.models import Deal

    user = context["request"].user
    deals = (
        Deal.objects.filter(deal_leads__lead=lead)
        .select_related("stage")
        .order_by("-created_at")[:10]
    )
    return {
        "lead": lead,
        "deals": deals,
        "can_create": permissions.can_create(user),
        "request": context["request"],
    }
