"""Public form submissions through Django's test client, next to same-run baselines.

`floor` is /healthz through the same client and middleware (what any request costs);
`create_lead` is `leads.actions.create_lead` alone (what a new lead costs anyway, without the
form, answers, consent and visitor link). A refused submission (honeypot) should cost about the
floor: refusals do no database work.
"""

from __future__ import annotations

import itertools
import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from kakehashi.leads import actions as lead_actions
from kakehashi.webforms import actions, tokens
from kakehashi.webforms.models import FieldKind, Form, Status

from . import percentiles, time_calls

FIELDS: list[dict[str, Any]] = [
    {"key": "email", "kind": FieldKind.EMAIL, "label_ja": "メール", "required": True,
     "maps_to": "lead:email"},
    {"key": "姓", "kind": FieldKind.TEXT, "label_ja": "姓", "required": True, "maps_to": "lead:last_name"},
    {"key": "名", "kind": FieldKind.TEXT, "label_ja": "名", "maps_to": "lead:first_name"},
    {"key": "会社名", "kind": FieldKind.TEXT, "label_ja": "会社名", "maps_to": "company:name"},
    {"key": "導入時期", "kind": FieldKind.SELECT, "label_ja": "導入時期", "maps_to": "custom:導入時期",
     "options": [{"value": v, "ja": v, "en": ""} for v in ("3か月以内", "半年以内", "未定")]},
    {"key": "評価", "kind": FieldKind.RATING, "label_ja": "関心度"},
    {"key": "ご質問", "kind": FieldKind.FREE_TEXT, "label_ja": "ご質問"},
    {"key": "consent", "kind": FieldKind.CONSENT, "label_ja": "同意します", "required": True},
]  # fmt: skip


def _form() -> Form:
    now = timezone.now()
    existing = Form.objects.filter(slug="bench-shiryo").first()
    if existing is not None:
        return existing
    actions.publish_purpose_text(actor=None, text_ja="利用目的", text_en="Purpose", now=now)
    form = actions.create_form(
        actor=None,
        fields={"name": "資料請求", "slug": "bench-shiryo", "title_ja": "資料請求"},
        now=now,
    )
    for spec in FIELDS:
        actions.add_field(form=form, actor=None, values=spec, now=now)
    actions.set_status(form=form, actor=None, status=Status.PUBLISHED, now=now)
    return form


def run(*, repeat: int) -> dict[str, Any]:
    call_command("migrate", interactive=False, verbosity=0)
    logging.getLogger("django.request").setLevel(logging.ERROR)  # the refusals are expected
    settings.WEBFORMS_RATE_LIMIT = 10**9  # one client address sends everything here
    form = _form()
    names = {f.key: f"f{f.pk}" for f in form.fields.all()}
    purpose = actions.current_purpose()
    client = Client(HTTP_HOST="127.0.0.1", HTTP_ACCEPT_LANGUAGE="ja")
    counter = itertools.count()
    run_id = timezone.now().strftime("%H%M%S%f")

    def body(email: str, **extra: str) -> dict[str, str]:
        token = tokens.form_token(
            form_id=form.pk, shown_at=timezone.now() - timedelta(seconds=20), language="ja",
            purpose_version=purpose.version if purpose else None,
        )  # fmt: skip
        return {"token": token, names["email"]: email, names["姓"]: "山田", names["名"]: "花子",
                names["会社名"]: "株式会社山田商事", names["導入時期"]: "3か月以内",
                names["評価"]: "4", names["ご質問"]: "価格表をください", names["consent"]: "on",
                **extra}  # fmt: skip

    def post(data: dict[str, str], expect: int) -> None:
        response = client.post("/f/bench-shiryo/", data)
        if response.status_code != expect:
            raise RuntimeError(f"form answered {response.status_code}, expected {expect}")

    def new_lead() -> None:
        post(body(f"bench-{run_id}-{next(counter)}@example.co.jp"), 303)

    def known_lead() -> None:
        post(body(f"bench-{run_id}-known@example.co.jp"), 303)

    def refused() -> None:
        post(body("bot@example.com", website="http://spam.example"), 400)

    def page() -> None:
        if client.get("/f/bench-shiryo/").status_code != 200:
            raise RuntimeError("hosted page failed")

    def healthz() -> None:
        client.get("/healthz")

    def create_lead() -> None:
        lead_actions.create_lead(
            actor=None,
            fields={"email": f"direct-{run_id}-{next(counter)}@example.co.jp", "last_name": "山田"},
            now=timezone.now(),
        )

    floor = percentiles(time_calls(healthz, repeat=repeat))
    direct = percentiles(time_calls(create_lead, repeat=repeat))
    result: dict[str, Any] = {"database": connection.vendor, "repeat": repeat,
                              "floor_healthz": floor, "create_lead_only": direct}  # fmt: skip
    pages: dict[str, Any] = {}
    for name, fn in (("hosted_page", page), ("submit_new_lead", new_lead),
                     ("submit_known_lead", known_lead), ("refused_honeypot", refused)):  # fmt: skip
        figures = percentiles(time_calls(fn, repeat=repeat))
        figures["x_floor"] = round(figures["p50_ms"] / max(floor["p50_ms"], 0.01), 1)
        pages[name] = {"url": "/f/bench-shiryo/", **figures}
    result["pages"] = pages
    new = pages["submit_new_lead"]["p50_ms"]
    result["submit_new_lead_x_create_lead"] = round(new / max(direct["p50_ms"], 0.01), 1)
    result["submissions_per_s_one_process"] = round(1000 / max(new, 0.01))
    return result
