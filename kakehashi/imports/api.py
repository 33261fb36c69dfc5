from __future__ import annotations

import json

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import File, Form, Router, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from kakehashi.accounts.auth import require_internal, require_write
from kakehashi.accounts.http import AuthedHttpRequest
from kakehashi.core.schemas import ERRORS, READ_ERRORS

from . import actions, mapping, readers
from .models import ImportRun
from .schemas import ImportOut

router = Router(tags=["imports"])


@router.post("", response={201: ImportOut, 202: ImportOut, **ERRORS})
def create_import(
    request: AuthedHttpRequest,
    file: File[UploadedFile],
    columns: Form[str] = "",
    consent_basis: Form[str] = "",
    source: Form[str] = "",
    on_match: Form[str] = "update",
    encoding: Form[str] = "",
    delimiter: Form[str] = "",
    dry_run: Form[bool] = False,
) -> Status[ImportRun]:
    """Import a CSV or XLSX file. `columns` is a JSON object header → field (default: suggested).

    Small files are imported at once (201); large ones run in the worker (202): poll the import.
    """
    require_write(request)
    if on_match not in ("update", "skip"):
        raise HttpError(400, "on_match must be update or skip")
    now = timezone.now()
    raw = file.read()
    try:
        run = actions.upload(raw=raw, filename=file.name or "upload.csv", encoding=encoding,
                             delimiter=delimiter, actor=request.user, now=now)  # fmt: skip
    except readers.UnreadableFile as exc:
        raise HttpError(400, str(exc)) from None
    header = actions.read_header(raw, run.filename, encoding=run.encoding, delimiter=run.delimiter)
    chosen = mapping.suggest(header)
    if columns:
        try:
            given = json.loads(columns)
        except json.JSONDecodeError:
            raise HttpError(400, "columns must be a JSON object of header → field") from None
        if not isinstance(given, dict):
            raise HttpError(400, "columns must be a JSON object of header → field")
        chosen = {i: str(given.get(name, chosen[i])) for i, name in enumerate(header)}
    try:
        actions.configure(run=run, columns=chosen, consent_basis=consent_basis or run.consent_basis,
                          source=source or run.source, on_match=on_match, actor=request.user, now=now)  # fmt: skip
    except actions.InvalidMapping as exc:
        raise HttpError(400, "; ".join(exc.problems)) from None
    run.refresh_from_db()
    run = actions.start(run=run, dry_run=dry_run, now=now)
    return Status(201 if run.is_finished else 202, run)


@router.get("/{import_id}", response={200: ImportOut, **READ_ERRORS})
def get_import(request: AuthedHttpRequest, import_id: int) -> ImportRun:
    require_internal(request)
    run = get_object_or_404(ImportRun, pk=import_id)
    if run.created_by_id != request.user.pk and not request.user.is_manager_or_admin:
        raise HttpError(404, "Not Found")
    return run
