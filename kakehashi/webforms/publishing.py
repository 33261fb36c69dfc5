"""How a form reaches people: its hosted URL, the embed code for the company's site, and a
QR code for print and event booths."""

from __future__ import annotations

import io
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.urls import reverse

from .models import Form


def hosted_url(form: Form, **params: str) -> str:
    url = settings.BASE_URL + reverse("webforms:hosted", args=[form.slug])
    query = {k: v for k, v in params.items() if v}
    return f"{url}?{urlencode(query)}" if query else url


def qr_target(form: Form) -> str:
    """Printed codes say where the visitor came from, so results can tell print from web."""
    return hosted_url(form, utm_source="qr", utm_medium="print", utm_campaign=form.campaign)


def snippets(form: Form) -> dict[str, str]:
    script_url = settings.BASE_URL + reverse("webforms:embed_js")
    return {
        "url": hosted_url(form),
        "qr_target": qr_target(form),
        # The script adds the visitor's anonymous id (set by the tracking snippet) to the form,
        # so their earlier page views join the lead; it also sizes the frame to its content.
        "script": f'<script async src="{script_url}" data-kakehashi-form="{form.slug}"></script>',
        "iframe": (
            f'<iframe src="{hosted_url(form, embed="1")}" title="{form.slug}" '
            'style="width:100%;min-height:640px;border:0" loading="lazy"></iframe>'
        ),
        "link": (f'<a href="{hosted_url(form)}">…</a>\n<script async src="{script_url}"></script>'),
    }


def qr(form: Form, fmt: str) -> tuple[bytes, str]:
    code = segno.make(qr_target(form), error="m")
    out = io.BytesIO()
    if fmt == "png":
        code.save(out, kind="png", scale=10, border=4)
        return out.getvalue(), "image/png"
    code.save(out, kind="svg", scale=6, border=4, xmldecl=False, svgns=True)
    return out.getvalue(), "image/svg+xml"
