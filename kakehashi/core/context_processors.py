from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from .navigation import MAIN, SETTINGS


def shell(request: HttpRequest) -> dict[str, Any]:
    match = getattr(request, "resolver_match", None)
    namespace = match.namespace if match else ""
    url_name = match.url_name if match else ""
    # Company pages live in the leads app but are their own area in the navigation.
    if namespace == "leads" and url_name and url_name.startswith("company"):
        namespace = "companies"
    if namespace == "accounts":
        namespace = "settings"
    return {
        "nav_items": MAIN,
        "nav_settings": SETTINGS,
        "nav_active": namespace,
        "kakehashi_languages": settings.LANGUAGES,
    }
