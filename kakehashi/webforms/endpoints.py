"""The public side: the hosted form page (also what embeds frame), thank-you, download,
double opt-in confirmation, and the embed script. (plotly.js for the results page is the static
file ``plotly/plotly.min.js``, found in the installed wheel by journey's PlotlyFinder.)

No login, no session, no cookie and no CSRF cookie: a per-form signed token (tokens.py) stands
in for CSRF, so the form works inside an iframe on the company's own site. Refusals (rate limit,
size, honeypot, speed, invalid answers) store nothing and say why in the visitor's language.
"""

from __future__ import annotations

import contextlib
import os
from functools import cache
from pathlib import Path
from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt

from kakehashi.tracking.endpoints import client_ip

from . import actions, guards, tokens
from .models import FieldKind, Form, PurposeText, Status, Submission, SubmissionStatus
from .permissions import can_view_forms
from .public_form import PublicForm

UTM_KEYS = ("source", "medium", "campaign", "term", "content")


def _language(value: str | None) -> str:
    if value in ("ja", "en"):
        return value
    return "en" if (get_language() or "ja").startswith("en") else "ja"


def _frame_headers(response: HttpResponse, form: Form) -> HttpResponse:
    """Framable by the form's own sites (or anywhere when it names none); never cached."""
    origins = form.tracking_source.origins if form.tracking_source is not None else []
    ancestors = " ".join(["'self'", *origins]) if origins else "*"
    response["Content-Security-Policy"] = f"frame-ancestors {ancestors}"
    response["Cache-Control"] = "private, no-store"
    return response


def _visit_inputs(source: Any) -> dict[str, Any]:
    """What the page carries from its address to the submission: anonymous id, page, UTM."""
    utm = {k: str(source.get(f"utm_{k}", ""))[:200] for k in UTM_KEYS if source.get(f"utm_{k}")}
    return {
        "aid": str(source.get("aid", ""))[:100],
        "ref": str(source.get("ref", ""))[:500],
        "utm": utm,
        "embed": source.get("embed") == "1",
    }


def _page(
    request: HttpRequest,
    form: Form,
    public: PublicForm,
    *,
    token: str,
    inputs: dict[str, Any],
    status: int = 200,
    message: str = "",
    preview: bool = False,
) -> HttpResponse:
    consent = next((f for f in public.form_fields if f.kind == FieldKind.CONSENT), None)
    context = {
        "webform": form,
        "public": public,
        "pages": public.pages(),
        "language": public.language,
        "title": form.title(public.language),
        "intro": form.intro(public.language),
        "token": token,
        "inputs": inputs,
        "message": message,
        "preview": preview,
        "honeypot": guards.HONEYPOT,
        "purpose": public.purpose if consent is not None else None,
        "purpose_text": public.purpose.text(public.language) if consent and public.purpose else "",
        "target_top": bool(form.redirect_url) and inputs.get("embed"),
    }
    response = render(request, "webforms/public/form.html", context, status=status)
    return _frame_headers(response, form)


def _refused(request: HttpRequest, form: Form, status: int, message: str) -> HttpResponse:
    response = render(
        request,
        "webforms/public/refused.html",
        {"webform": form, "message": message, "title": form.title(_language(None))},
        status=status,
    )
    return _frame_headers(response, form)


def _token(form: Form, language: str, purpose: PurposeText | None) -> str:
    return tokens.form_token(
        form_id=form.pk,
        shown_at=timezone.now(),
        language=language,
        purpose_version=purpose.version if purpose else None,
    )


@csrf_exempt
@xframe_options_exempt
def hosted(request: HttpRequest, slug: str) -> HttpResponse:
    """GET shows the form (works without JavaScript); POST receives it."""
    form = get_object_or_404(Form.objects.select_related("tracking_source"), slug=slug)
    preview = form.status == Status.DRAFT and can_view_forms(request.user)
    if request.method == "POST" and form.is_open:
        return _receive(request, form)
    if form.status == Status.CLOSED:
        with override(_language(request.GET.get("lang"))):
            return _refused(
                request, form, 410, _("This form is closed. Thank you for your interest.")
            )
    if not (form.is_open or preview) or request.method not in ("GET", "HEAD"):
        raise Http404
    language = _language(request.GET.get("lang"))
    with override(language):
        fields = list(form.fields.all())
        purpose = actions.current_purpose()
        initial = {
            f"f{f.pk}": str(request.GET.get(f.param, ""))[:200]
            for f in fields
            if f.kind == FieldKind.HIDDEN
        }
        public = PublicForm(fields, language, purpose=purpose, initial=initial)
        return _page(
            request, form, public, token=_token(form, language, purpose),
            inputs=_visit_inputs(request.GET), preview=preview,
        )  # fmt: skip


def _receive(request: HttpRequest, form: Form) -> HttpResponse:
    ip = client_ip(request)
    with override(_language(request.GET.get("lang") or None)):
        if not guards.within_rate(ip):
            return _refused(request, form, 429, _(
                "Too many submissions came from your network. Please wait a few minutes and "
                "send the form again."))  # fmt: skip
        try:
            too_large = int(request.META.get("CONTENT_LENGTH") or 0) > guards.MAX_BODY_BYTES
        except ValueError:
            too_large = True
        if too_large:
            return _refused(request, form, 413, _(
                "The form is too large to send. Please shorten your answers and try again."))  # fmt: skip
    data = request.POST
    inputs = _visit_inputs(data)
    fields = list(form.fields.all())
    try:
        shown = tokens.read_form_token(str(data.get("token", "")), form_id=form.pk)
    except tokens.ExpiredToken:
        language = _language(str(data.get("lang", "")) or None)
        with override(language):
            purpose = actions.current_purpose()
            public = PublicForm(fields, language, purpose=purpose, data=data)
            public.is_valid()
            return _page(request, form, public, token=_token(form, language, purpose),
                         inputs=inputs, status=400, message=_(
                "This page was open for a long time. Please check your answers and send the "
                "form again."))  # fmt: skip
    except tokens.BadToken:
        with override(_language(str(data.get("lang", "")) or None)):
            return _refused(request, form, 400, _(
                "This form could not be verified. Please reload the page and send it again."))  # fmt: skip
    with override(shown.language):
        return _validate_and_submit(request, form, fields, shown, inputs, ip)


def _validate_and_submit(
    request: HttpRequest,
    form: Form,
    fields: list[Any],
    shown: tokens.Shown,
    inputs: dict[str, Any],
    ip: str | None,
) -> HttpResponse:
    data, language, now = request.POST, shown.language, timezone.now()
    if data.get(guards.HONEYPOT):
        return _refused(request, form, 400, _(
            "Your submission could not be accepted. If you are a person, please reload the page "
            "and send the form again."))  # fmt: skip
    purpose = None
    if shown.purpose_version is not None:
        purpose = PurposeText.objects.filter(version=shown.purpose_version).first()
    public = PublicForm(fields, language, purpose=purpose, data=data)
    valid = public.is_valid()
    if now - shown.shown_at < tokens.MIN_FILL_TIME:
        return _page(request, form, public, token=_token(form, language, purpose), inputs=inputs,
                     status=400, message=_(
            "The form was sent faster than a person can fill it in. Please check your answers "
            "and send it again."))  # fmt: skip
    if not valid:
        token = str(data.get("token", ""))
        return _page(request, form, public, token=token, inputs=inputs, status=400,
                     message=_("Please correct the marked fields."))  # fmt: skip
    visit = actions.Visit(
        language=language,
        purpose_version=shown.purpose_version,
        page_url=inputs["ref"] or request.headers.get("Referer", "")[:500],
        anonymous_id=inputs["aid"],
        ip=ip,
        user_agent=request.headers.get("User-Agent", "").replace("\x00", "")[:500],
        utm=inputs["utm"],
    )
    submission = actions.submit(form=form, values=public.values(), visit=visit, now=now)
    return _after(form, submission, inputs)


def _after(form: Form, submission: Submission, inputs: dict[str, Any]) -> HttpResponse:
    if form.redirect_url and guards.is_allowed_redirect(
        form.redirect_url, guards.redirect_hosts(form)
    ):
        return HttpResponseRedirect(form.redirect_url, status=303)
    token = tokens.submission_token(submission.pk, tokens.THANKS_SALT)
    url = reverse("webforms:thanks", args=[form.slug, token])
    return HttpResponseRedirect(url + ("?embed=1" if inputs.get("embed") else ""), status=303)


@xframe_options_exempt
def thanks(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    form, submission = _submission_for(slug, token)
    with override(submission.language):
        response = render(
            request,
            "webforms/public/thanks.html",
            {
                "webform": form,
                "title": form.title(submission.language),
                "message": form.thank_you(submission.language),
                "download_url": reverse("webforms:download", args=[slug, token])
                if form.download
                else "",
                "pending": submission.status == SubmissionStatus.PENDING,
                "embed": request.GET.get("embed") == "1",
            },
        )
    return _frame_headers(response, form)


def _submission_for(slug: str, token: str) -> tuple[Form, Submission]:
    form = get_object_or_404(Form.objects.select_related("tracking_source"), slug=slug)
    try:
        submission_id = tokens.read_submission_token(
            token, tokens.THANKS_SALT, tokens.THANKS_MAX_AGE
        )
    except tokens.BadToken:
        raise Http404 from None
    return form, get_object_or_404(Submission, pk=submission_id, form=form)


def download(request: HttpRequest, slug: str, token: str) -> FileResponse:
    """The document offered after a 資料請求, for whoever holds the thank-you link."""
    form, _submission = _submission_for(slug, token)
    if not form.download:
        raise Http404
    return FileResponse(
        form.download.open("rb"),
        as_attachment=True,
        filename=os.path.basename(form.download.name or ""),
    )


@csrf_exempt
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """Double opt-in. GET only shows a button (mail scanners follow links, LEG-MBX-2);
    the POST, authenticated by the signed token, confirms."""
    try:
        submission_id = tokens.read_submission_token(
            token, tokens.CONFIRM_SALT, tokens.CONFIRM_MAX_AGE
        )
    except tokens.BadToken:
        return render(request, "webforms/public/confirm.html", {"invalid": True}, status=404)
    submission = get_object_or_404(Submission.objects.select_related("form"), pk=submission_id)
    with override(submission.language):
        done = submission.status == SubmissionStatus.CONFIRMED
        if request.method == "POST" and not done:
            with contextlib.suppress(actions.NotPending):  # confirmed by a second tab
                actions.confirm_submission(
                    submission=submission,
                    ip=client_ip(request),
                    user_agent=request.headers.get("User-Agent", "")[:500],
                    now=timezone.now(),
                )
            done = True
        return render(
            request,
            "webforms/public/confirm.html",
            {"webform": submission.form, "title": submission.form.title(submission.language),
             "done": done, "token": token},
        )  # fmt: skip


@cache
def _static(name: str) -> bytes:
    return (Path(__file__).parent / "static" / "webforms" / name).read_bytes()


def embed_js(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(
        _static("embed.js"), content_type="application/javascript; charset=utf-8"
    )
    response["Cache-Control"] = "public, max-age=3600"
    response["Access-Control-Allow-Origin"] = "*"
    return response
