"""The public front door: /v1/* (the Segment HTTP Tracking API), /t.js and /t.gif.

Plain function views, deliberately thin: read the body, check the write key, validate, store
and commit, answer. No session is written and no cookie is set or read here; processing
happens behind the door (actions.process_pending). A 2xx means the events are committed
(REL-ING-1). Bad input is a 400 with a reason per event, never a 5xx.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import ipaddress
import json
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from . import actions, pixel, sources, spec

TYPES = {"track", "identify", "page", "screen", "group", "alias"}


def _json(status: int, body: dict[str, Any], origin: str | None = None) -> HttpResponse:
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type="application/json"
    )
    if origin:
        response["Access-Control-Allow-Origin"] = origin
        response["Vary"] = "Origin"
    return response


def _error(status: int, code: str, message: str, origin: str | None = None) -> HttpResponse:
    return _json(status, {"success": False, "code": code, "message": message}, origin)


def _basic_auth_key(request: HttpRequest) -> str:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _sep, value = header.partition(" ")
    if scheme.lower() != "basic" or not value:
        return ""
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return ""
    return decoded.split(":", 1)[0]


def client_ip(request: HttpRequest) -> str | None:
    address = request.META.get("REMOTE_ADDR", "")
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        # Behind our own reverse proxy, the client is the first hop it recorded.
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        address = forwarded.split(",")[0].strip() or address
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def _preflight(origin: str | None) -> HttpResponse:
    response = HttpResponse(status=204)
    if origin and sources.any_allows(origin):
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Allow-Methods"] = "POST, OPTIONS"
        response["Access-Control-Allow-Headers"] = "Content-Type, Authorization, Content-Encoding"
        response["Access-Control-Max-Age"] = "86400"
        response["Vary"] = "Origin"
    return response


@csrf_exempt
def receive(request: HttpRequest, kind: str | None = None) -> HttpResponse:
    """POST /v1/<kind> (one event) or /v1/batch and /v1/import (``kind`` None)."""
    origin = request.headers.get("Origin")
    if request.method == "OPTIONS":
        return _preflight(origin)
    if request.method != "POST":
        return _error(405, "method_not_allowed", _("Use POST."))
    received_at = timezone.now()
    limit = spec.MAX_BATCH_BYTES if kind is None else spec.MAX_EVENT_BYTES
    try:
        if int(request.META.get("CONTENT_LENGTH") or 0) > limit:
            raise spec.BadRequest(
                _("The request is larger than %(kb)d KB.") % {"kb": limit // 1024}
            )
        body = spec.decode_body(
            request.body,
            content_encoding=request.headers.get("Content-Encoding", ""),
            limit=limit,
        )
        data = spec.load_json(body)
        parsed = spec.parse(
            data, path_type=kind, body_size=len(body), received_at=received_at, build=False
        )
    except (spec.BadRequest, ValueError) as exc:
        return _error(400, "bad_request", str(exc), origin)
    source = sources.by_write_key(_basic_auth_key(request) or parsed.write_key)
    if source is None:
        return _error(401, "invalid_write_key", _("Unknown write key."), origin)
    if origin and origin.rstrip("/") not in source.origins:
        # Browsers may post only from the source's own sites; servers send no Origin.
        return _error(403, "origin_not_allowed", _("This site may not send to this source."))
    if parsed.accepted:
        actions.store_request(
            source_id=source.id,
            body=body,
            kind=kind,
            received_at=received_at,
            ip=client_ip(request),
            user_agent=request.headers.get("User-Agent", "").replace("\x00", ""),
        )
    if parsed.rejected:
        return _json(
            400,
            {
                "success": False,
                "code": "invalid_events",
                "message": _("%(n)d event(s) were rejected; the others were stored.")
                % {"n": len(parsed.rejected)},
                "accepted": parsed.accepted,
                "rejected": [r.as_dict() for r in parsed.rejected],
            },
            origin,
        )
    return _json(200, {"success": True}, origin)


@csrf_exempt
def floor(request: HttpRequest) -> HttpResponse:
    """The benchmark's baseline: parse the JSON and answer, storing nothing (off by default)."""
    if not settings.TRACKING_BENCH_ENDPOINT:
        raise Http404
    json.loads(request.body)
    return _json(200, {"success": True})


@cache
def _script() -> bytes:
    return (Path(__file__).parent / "static" / "tracking" / "t.js").read_bytes()


def script(request: HttpRequest) -> HttpResponse:
    """/t.js: the snippet's script, our own and dependency-free."""
    response = HttpResponse(_script(), content_type="application/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=3600"
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _pixel_visitor(request: HttpRequest, day: date) -> str:
    # No cookie: a daily, salted hash of address and browser tells visits apart (Plausible's way).
    seed = (
        f"{settings.SECRET_KEY}|{day}|{client_ip(request)}|{request.headers.get('User-Agent', '')}"
    )
    return "px-" + hashlib.sha256(seed.encode()).hexdigest()[:32]


def gif(request: HttpRequest) -> HttpResponse:
    """/t.gif?d=<signed>: a page view or event for no-JS pages and e-mail opens."""
    data = pixel.unsign(request.GET.get("d", ""))
    if data is not None:
        _record_pixel(request, data)
    response = HttpResponse(pixel.GIF, content_type="image/gif")
    response["Cache-Control"] = "no-store, max-age=0"
    return response


def _record_pixel(request: HttpRequest, data: dict[str, Any]) -> None:
    from .models import Source

    source = Source.objects.filter(pk=data["s"]).only("id").first()
    if source is None:
        return
    received_at = timezone.now()
    given = data.get("p")
    properties: dict[str, Any] = given if isinstance(given, dict) else {}
    referrer = request.headers.get("Referer", "")
    if data["t"] == "page" and referrer and "url" not in properties:
        properties = {**properties, "url": referrer[:2000]}
    event = {
        "type": data["t"],
        "userId": data.get("u") or None,
        "anonymousId": None if data.get("u") else _pixel_visitor(request, received_at.date()),
        "event": data.get("n") or None,
        "name": data.get("n") or None,
        "properties": properties,
        "context": {"library": {"name": "kakehashi-pixel"}},
    }
    body = json.dumps(event, ensure_ascii=False).encode()
    parsed = spec.parse(event, path_type=data["t"], body_size=len(body), received_at=received_at)
    if parsed.events:
        actions.store_request(
            source_id=source.pk,
            body=body,
            kind=data["t"],
            received_at=received_at,
            ip=client_ip(request),
            user_agent=request.headers.get("User-Agent", "").replace("\x00", ""),
        )
