"""The areas in the left-hand navigation; each later area adds one line here."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    namespace: str
    url_name: str
    label: str | Promise
    icon: str


MAIN = [
    NavItem("core", "core:home", _("Home"), "⌂"),
    NavItem("leads", "leads:list", _("Leads"), "◎"),
    NavItem("companies", "leads:company_list", _("Companies"), "▦"),
    NavItem("scoring", "scoring:list", _("Scoring"), "★"),
    NavItem("journey", "journey:list", _("Buyer's journey"), "⇢"),
    NavItem("handoff", "handoff:queue", _("Work queue"), "☎"),
    NavItem("deals", "deals:board", _("Deals"), "¥"),
    NavItem("tracking", "tracking:sources", _("Web tracking"), "↯"),
    NavItem("webforms", "webforms:list", _("Forms and surveys"), "✎"),
]
SETTINGS = NavItem("settings", "accounts:settings", _("Settings"), "⚙")
