"""Staff pages: the form list and builder, publishing (URL, embed code, QR code), submissions,
survey results with charts and cross-tabs, exports and the purpose-of-use text.

Answers, names and URLs shown here came from the public: templates never mark any of it safe
(SEC-XSS-1).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kakehashi.accounts.decorators import internal_required
from kakehashi.accounts.http import AuthedHttpRequest
from kakehashi.lib import spreadsheet

from . import actions, exports, publishing, queries, stats
from .forms import CrossTabForm, ExportForm, FieldForm, FormSettingsForm, PurposeTextForm
from .models import COUNTED_KINDS, TEXT_KINDS, Field, Form, Kind, PurposeText, Status
from .permissions import can_export_answers, can_manage_forms

PER_PAGE = 50
FREE_TEXT_SHOWN = 100


def _require_manager(request: AuthedHttpRequest) -> None:
    if not can_manage_forms(request.user):
        raise PermissionDenied


def _language() -> str:
    return "en" if (get_language() or "ja").startswith("en") else "ja"


@internal_required
def form_list(request: AuthedHttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    forms_qs = Form.objects.annotate(responses=Count("submissions")).order_by("-created_at", "-id")
    if kind in Kind.values:
        forms_qs = forms_qs.filter(kind=kind)
    page = Paginator(forms_qs, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "webforms/form_list.html",
        {"page_obj": page, "kind": kind, "kinds": Kind.choices,
         "can_manage": can_manage_forms(request.user)},
    )  # fmt: skip


@internal_required
def form_create(request: AuthedHttpRequest) -> HttpResponse:
    _require_manager(request)
    form = FormSettingsForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        created = actions.create_form(
            actor=request.user,
            fields={k: v for k, v in form.cleaned_data.items() if v not in (None, "")},
            now=timezone.now(),
        )
        messages.success(request, _("Form created. Add its fields, then publish it."))
        return redirect("webforms:detail", pk=created.pk)
    return render(request, "webforms/form_create.html", {"form": form})


@internal_required
def form_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    webform = get_object_or_404(Form.objects.select_related("tracking_source"), pk=pk)
    can_manage = can_manage_forms(request.user)
    settings_form = FormSettingsForm(request.POST or None, request.FILES or None, instance=webform)
    if request.method == "POST":
        _require_manager(request)
        if settings_form.is_valid():
            actions.update_form(
                form=Form.objects.get(pk=pk),
                actor=request.user,
                changes={f: settings_form.cleaned_data[f] for f in settings_form.changed_data},
                now=timezone.now(),
            )
            messages.success(request, _("Form saved."))
            return redirect("webforms:detail", pk=pk)
    fields = list(webform.fields.all())
    context = {
        "webform": webform,
        "fields": fields,
        "settings_form": settings_form,
        "can_manage": can_manage,
        "publish": publishing.snippets(webform),
        "responses": webform.submissions.count(),
        "keys": {f.key: f.label_ja for f in fields},
    }
    return render(request, "webforms/form_detail.html", context)


@require_POST
@internal_required
def form_status(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    webform = get_object_or_404(Form, pk=pk)
    status = request.POST.get("status", "")
    if status not in Status.values:
        raise Http404
    if status == Status.PUBLISHED and not webform.fields.exists():
        messages.error(request, _("Add at least one field before publishing."))
        return redirect("webforms:detail", pk=pk)
    actions.set_status(form=webform, actor=request.user, status=status, now=timezone.now())
    messages.success(
        request, _("Status changed to “%(status)s”.") % {"status": webform.get_status_display()}
    )
    return redirect("webforms:detail", pk=pk)


@require_POST
@internal_required
def form_delete(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    webform = get_object_or_404(Form, pk=pk)
    try:
        actions.delete_form(form=webform, actor=request.user, now=timezone.now())
    except actions.FormHasSubmissions:
        messages.error(
            request, _("This form has submissions and cannot be deleted. Close it instead.")
        )
        return redirect("webforms:detail", pk=pk)
    messages.success(request, _("Form deleted."))
    return redirect("webforms:list")


# --- fields -----------------------------------------------------------------------------------


@internal_required
def field_edit(request: AuthedHttpRequest, pk: int, field_pk: int | None = None) -> HttpResponse:
    _require_manager(request)
    webform = get_object_or_404(Form, pk=pk)
    instance = get_object_or_404(Field, pk=field_pk, form=webform) if field_pk else None
    form = FieldForm(request.POST or None, instance=instance, form=webform)
    if request.method == "POST" and form.is_valid():
        now = timezone.now()
        try:
            if instance is None:
                actions.add_field(form=webform, actor=request.user, values=form.values(), now=now)
            else:
                actions.update_field(
                    f=Field.objects.get(pk=instance.pk), actor=request.user,
                    changes=form.values(), now=now,
                )  # fmt: skip
        except actions.FieldHasAnswers:
            form.add_error(
                "kind", _("People already answered this question: its type cannot change.")
            )
        else:
            messages.success(request, _("Field saved."))
            return redirect("webforms:detail", pk=pk)
    return render(
        request, "webforms/field_form.html", {"webform": webform, "form": form, "field": instance}
    )


@require_POST
@internal_required
def field_delete(request: AuthedHttpRequest, pk: int, field_pk: int) -> HttpResponse:
    _require_manager(request)
    f = get_object_or_404(Field.objects.select_related("form"), pk=field_pk, form_id=pk)
    try:
        actions.delete_field(f=f, actor=request.user, now=timezone.now())
    except actions.FieldHasAnswers:
        messages.error(
            request,
            _(
                "People already answered this question, so it stays. Hide it by making it depend on another answer, or close the form."
            ),
        )
    else:
        messages.success(request, _("Field deleted."))
    return redirect("webforms:detail", pk=pk)


@require_POST
@internal_required
def field_move(request: AuthedHttpRequest, pk: int, field_pk: int) -> HttpResponse:
    _require_manager(request)
    f = get_object_or_404(Field.objects.select_related("form"), pk=field_pk, form_id=pk)
    actions.move_field(
        f=f, actor=request.user, up=request.POST.get("to") == "up", now=timezone.now()
    )
    return redirect("webforms:detail", pk=pk)


# --- publishing -------------------------------------------------------------------------------


@internal_required
def qr_code(request: AuthedHttpRequest, pk: int, fmt: str) -> HttpResponse:
    webform = get_object_or_404(Form, pk=pk)
    body, content_type = publishing.qr(webform, fmt)
    response = HttpResponse(body, content_type=content_type)
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="form-{webform.slug}-qr.{fmt}"'
    return response


# --- submissions and results ------------------------------------------------------------------


@internal_required
def submissions(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    webform = get_object_or_404(Form, pk=pk)
    rows = webform.submissions.select_related("lead", "purpose").order_by("-submitted_at", "-id")
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "webforms/submissions.html",
        {"webform": webform, "page_obj": page, "can_export": can_export_answers(request.user)},
    )


@internal_required
def results(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    webform = get_object_or_404(Form, pk=pk)
    language = _language()
    fields = list(webform.fields.all())
    counts, answered = queries.answer_counts(webform), queries.answered_counts(webform)
    counted = [f for f in fields if f.kind in COUNTED_KINDS]
    summaries = [stats.summarize(f, counts.get(f.pk, {}), answered.get(f.pk, 0), language)
                 for f in counted]  # fmt: skip
    texts = [(f, f.answer_rows.exclude(text="").order_by("-id").values_list("text", flat=True)[:FREE_TEXT_SHOWN])
             for f in fields if f.kind in TEXT_KINDS]  # fmt: skip
    crosstab_form = CrossTabForm(request.GET or None, questions=counted)
    table = _crosstab(crosstab_form, counted, language) if request.GET else None
    context = {
        "webform": webform,
        "responses": webform.submissions.count(),
        "summaries": summaries,
        "texts": texts,
        "crosstab_form": crosstab_form,
        "crosstab": table,
        "can_export": can_export_answers(request.user),
    }
    return render(request, "webforms/results.html", context)


def _crosstab(form: CrossTabForm, counted: list[Field], language: str) -> stats.CrossTab | None:
    if not form.is_valid():
        return None
    by_pk = {str(f.pk): f for f in counted}
    a = by_pk[form.cleaned_data["rows"]]
    column = form.cleaned_data["columns"]
    a_choices = stats.choices_of(a, language, _seen(a))
    if column.startswith("lead:"):
        dimension = queries.LEAD_DIMENSIONS[column.removeprefix("lead:")]
        counts = queries.lead_crosstab(a, column.removeprefix("lead:"))
        present = {c for _v, c in counts}
        columns = [c for c in dimension.choices(language) if c[0] in present]
        if queries.UNKNOWN in present:
            columns.append((queries.UNKNOWN, _("Unknown")))
    else:
        b = by_pk[column]
        counts = queries.question_crosstab(a, b)
        columns = stats.choices_of(b, language, {c for _v, c in counts})
    return stats.crosstab(counts, a_choices, columns)


def _seen(f: Field) -> set[str]:
    return set(f.answer_rows.exclude(value="").values_list("value", flat=True).distinct())


@internal_required
def export(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Managers and admins download the answers; every export is logged (LEG-APPI-3)."""
    if not can_export_answers(request.user):
        raise PermissionDenied
    webform = get_object_or_404(Form, pk=pk)
    form = ExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fmt = form.cleaned_data["format"]
        header, rows, lead_ids = exports.table(webform)
        if fmt == "xlsx":
            body = spreadsheet.xlsx_bytes(header, rows, title=webform.slug)
            content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        else:
            encoding = "cp932" if fmt == "csv_cp932" else "utf-8-sig"
            body = spreadsheet.csv_bytes(header, rows, encoding=encoding)
            content_type = "text/csv; charset=" + ("shift_jis" if fmt == "csv_cp932" else "utf-8")
        actions.log_export(form=webform, actor=request.user, fmt=fmt, columns=header,
                           lead_ids=lead_ids, now=timezone.now())  # fmt: skip
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response = HttpResponse(body, content_type=content_type)
        extension = "xlsx" if fmt == "xlsx" else "csv"
        response["Content-Disposition"] = (
            f'attachment; filename="form-{webform.slug}-{stamp}.{extension}"'
        )
        return response
    return render(
        request,
        "webforms/export.html",
        {"webform": webform, "form": form, "responses": webform.submissions.count()},
    )


# --- purpose-of-use text ----------------------------------------------------------------------


@internal_required
def purpose(request: AuthedHttpRequest) -> HttpResponse:
    current = actions.current_purpose()
    initial = {"text_ja": current.text_ja, "text_en": current.text_en} if current else None
    form = PurposeTextForm(request.POST or None, initial=initial)
    if request.method == "POST":
        _require_manager(request)
        if form.is_valid():
            actions.publish_purpose_text(
                actor=request.user,
                text_ja=form.cleaned_data["text_ja"],
                text_en=form.cleaned_data["text_en"],
                now=timezone.now(),
            )
            messages.success(request, _("New version published. Forms show it from now on."))
            return redirect("webforms:purpose")
    versions = PurposeText.objects.annotate(uses=Count("submissions")).select_related("created_by")
    return render(
        request,
        "webforms/purpose.html",
        {"form": form, "versions": versions[:20], "can_manage": can_manage_forms(request.user)},
    )
