from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from .models import User


class AuthedHttpRequest(HttpRequest):
    """A request behind login_required/internal_required: ``user`` is a real User."""

    user: User
    htmx: HtmxDetails
