"""API authentication: personal tokens (Bearer) for scripts, the session for the browser."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth

from . import actions, permissions
from .models import ApiToken


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = actions.authenticate_token(token, now=timezone.now())
        if user is not None:
            request.user = user
        return user


class InternalSessionAuth(SessionAuth):
    """Session auth (with CSRF) for pages that call the API from the browser."""


API_AUTH = [TokenAuth(), InternalSessionAuth()]


def require_internal(request: HttpRequest) -> None:
    if not permissions.can_read(request.user):
        raise HttpError(403, "Your account has no access to lead data.")


def require_write(request: HttpRequest) -> None:
    require_internal(request)
    token = getattr(request.user, "api_token", None)
    if token is not None and token.scope != ApiToken.Scope.WRITE:
        raise HttpError(403, "This token is read-only.")
