from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kakehashi.accounts.decorators import internal_required
from kakehashi.accounts.http import AuthedHttpRequest
from kakehashi.consent.models import Basis
from kakehashi.leads.models import LeadSource
from kakehashi.lib import spreadsheet

from . import actions, mapping, readers
from .models import ImportRun, SavedMapping

ENCODINGS = [
    ("", gettext_lazy("Detect")), ("utf-8", "UTF-8"), ("cp932", "Shift_JIS (CP932)"),
    ("utf-16", "UTF-16"),
]  # fmt: skip
DELIMITERS = [("", gettext_lazy("Detect")), (",", ","), ("\t", "Tab"), (";", ";"), ("|", "|")]


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV or Excel file"),
        help_text=gettext_lazy("UTF-8, Shift_JIS (CP932) or UTF-16 CSV, or .xlsx; up to 100 MB."),
    )
    encoding = forms.ChoiceField(label=gettext_lazy("Encoding"), choices=ENCODINGS, required=False)
    delimiter = forms.ChoiceField(
        label=gettext_lazy("Delimiter"), choices=DELIMITERS, required=False
    )


class MappingForm(forms.Form):
    consent_basis = forms.ChoiceField(
        label=gettext_lazy("May these people receive marketing mail?"),
        required=False,
        choices=[
            ("", gettext_lazy("No basis given: import as not marketable")),
            *Basis.choices[:-1],
        ],
        help_text=gettext_lazy("Used for rows whose own consent column is empty."),
    )
    source = forms.ChoiceField(
        label=gettext_lazy("Lead source"),
        required=False,
        choices=[("", gettext_lazy("Import")), *LeadSource.choices],
    )
    on_match = forms.ChoiceField(
        label=gettext_lazy("When a lead with the same e-mail exists"),
        choices=[
            ("update", gettext_lazy("Update it with the file's values")),
            ("skip", gettext_lazy("Leave it as it is")),
        ],
    )
    save_as = forms.CharField(
        label=gettext_lazy("Save this mapping as"), required=False, max_length=100
    )

    def __init__(
        self, *args: Any, header: list[str], initial_columns: dict[int, str], **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self.header = header
        base = [(key, label) for key, label in mapping.FIELDS.items()]
        for index, name in enumerate(header):
            custom = mapping.CUSTOM_PREFIX + (name or f"column {index + 1}")
            choices = [*base, (custom, _("Custom attribute “%(name)s”") % {"name": name})]
            self.fields[f"col_{index}"] = forms.ChoiceField(
                label=name or f"#{index + 1}", choices=choices, initial=initial_columns.get(index)
            )

    def column_fields(self) -> list[forms.BoundField]:
        return [self[f"col_{i}"] for i in range(len(self.header))]

    def columns(self) -> dict[int, str]:
        return {i: self.cleaned_data[f"col_{i}"] for i in range(len(self.header))}


def _own(request: AuthedHttpRequest, run: ImportRun) -> None:
    if run.created_by_id != request.user.pk and not request.user.is_manager_or_admin:
        raise PermissionDenied


@internal_required
def import_list(request: AuthedHttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            run = actions.upload(
                raw=upload.read(),
                filename=upload.name,
                encoding=form.cleaned_data["encoding"],
                delimiter=form.cleaned_data["delimiter"],
                actor=request.user,
                now=timezone.now(),
            )
        except readers.UnreadableFile as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("imports:map", pk=run.pk)
    runs = ImportRun.objects.select_related("created_by")
    if not request.user.is_manager_or_admin:
        runs = runs.filter(created_by=request.user)
    page = Paginator(runs.exclude(status=ImportRun.Status.DRAFT), 20).get_page(
        request.GET.get("page")
    )
    return render(request, "imports/import_list.html", {"form": form, "page_obj": page})


@internal_required
def import_map(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(ImportRun, pk=pk, status=ImportRun.Status.DRAFT)
    _own(request, run)
    raw = run.read_file()
    saved = SavedMapping.objects.filter(pk=request.GET.get("saved") or 0).first()
    found = actions.preview(raw, run.filename, encoding=run.encoding, delimiter=run.delimiter)
    columns = {int(k): v for k, v in run.mapping.items()}
    if saved is not None:
        columns = actions.mapping_from_saved(saved, found.header)
    initial = {"consent_basis": saved.consent_basis if saved else run.consent_basis,
               "source": saved.source if saved else run.source, "on_match": run.on_match}  # fmt: skip
    form = MappingForm(
        request.POST or None, header=found.header, initial_columns=columns, initial=initial
    )
    samples = [
        ", ".join(row[i] for row in found.samples if i < len(row) and row[i])[:80]
        for i in range(len(found.header))
    ]
    context: dict[str, Any] = {
        "run": run,
        "form": form,
        "found": found,
        "columns": list(zip(form.column_fields(), samples, strict=True)),
        "saved_mappings": SavedMapping.objects.all(),
    }
    if request.method == "POST" and form.is_valid():
        chosen = form.columns()
        action = request.POST.get("action", "preview")
        if action == "preview":
            context["preview"] = actions.preview(
                raw, run.filename, encoding=run.encoding, delimiter=run.delimiter, columns=chosen,
                consent_basis=form.cleaned_data["consent_basis"], source=form.cleaned_data["source"],
            )  # fmt: skip
            template = "imports/_preview.html" if request.htmx else "imports/import_map.html"
            return render(request, template, context)
        try:
            actions.configure(
                run=run, columns=chosen, consent_basis=form.cleaned_data["consent_basis"],
                source=form.cleaned_data["source"], on_match=form.cleaned_data["on_match"],
                save_as=form.cleaned_data["save_as"], actor=request.user, now=timezone.now(),
            )  # fmt: skip
        except actions.InvalidMapping as exc:
            for problem in exc.problems:
                form.add_error(None, problem)
        else:
            actions.start(run=run, dry_run=action == "dry_run", now=timezone.now())
            return redirect("imports:detail", pk=run.pk)
    return render(request, "imports/import_map.html", context)


@internal_required
def import_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(ImportRun.objects.select_related("created_by"), pk=pk)
    _own(request, run)
    template = "imports/_status.html" if request.htmx else "imports/import_detail.html"
    return render(request, template, {"run": run, "errors": run.errors[:200]})


@internal_required
def import_errors(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """The refused rows as a CSV to fix and import again: the original cells plus the reason."""
    run = get_object_or_404(ImportRun, pk=pk)
    _own(request, run)
    header = actions.read_header(
        run.read_file(), run.filename, encoding=run.encoding, delimiter=run.delimiter
    )
    rows = ([*e.get("cells", []), e["reason"]] for e in run.errors)
    body = spreadsheet.csv_bytes([*header, _("Reason")], rows)
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="refused-rows-{run.pk}.csv"'
    return response


@require_POST
@internal_required
def import_discard(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(ImportRun, pk=pk, status=ImportRun.Status.DRAFT)
    _own(request, run)
    run.file.delete(save=False)
    run.delete()
    messages.success(request, _("The uploaded file was discarded."))
    return redirect("imports:list")
