from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Status
from ninja.errors import HttpError

from kakehashi.accounts.auth import require_internal, require_write
from kakehashi.accounts.http import AuthedHttpRequest
from kakehashi.core.schemas import ERRORS, READ_ERRORS, Error
from kakehashi.leads.models import Company, Lead
from kakehashi.lib.paging import paginate

from . import actions
from .models import Activity, Department, Note
from .schemas import ActivityPage, NoteIn, NoteOut, NotePage, NotePatch

timeline_router = Router(tags=["timeline"])
notes_router = Router(tags=["notes"])


@timeline_router.get("", response={200: ActivityPage, **READ_ERRORS, 400: Error})
def list_activities(
    request: AuthedHttpRequest,
    lead_id: int | None = None,
    company_id: int | None = None,
    kind: str = "",
    department: str = "",
    page: int = 1,
    page_size: int = 50,
) -> dict[str, Any]:
    """The shared timeline of a lead or a company, newest first."""
    require_internal(request)
    if (lead_id is None) == (company_id is None):
        raise HttpError(400, "give exactly one of lead_id or company_id")
    qs = Activity.objects.all()
    if lead_id is not None:
        qs = qs.for_lead(get_object_or_404(Lead, pk=lead_id))
    else:
        qs = qs.for_company(get_object_or_404(Company, pk=company_id))
    if kind:
        qs = qs.of_kind(kind)
    if department:
        if department not in Department.values:
            raise HttpError(400, f"department must be one of {', '.join(Department.values)}")
        qs = qs.in_department(department)
    return paginate(qs.newest_first(), page, page_size)


@notes_router.get("", response={200: NotePage, **READ_ERRORS, 400: Error})
def list_notes(
    request: AuthedHttpRequest,
    lead_id: int | None = None,
    company_id: int | None = None,
    page: int = 1,
    page_size: int = 50,
) -> dict[str, Any]:
    require_internal(request)
    qs = Note.objects.all()
    if lead_id is not None:
        qs = qs.filter(lead_id=lead_id)
    if company_id is not None:
        qs = qs.filter(company_id=company_id)
    return paginate(qs.order_by("-created_at", "-id"), page, page_size)


@notes_router.post("", response={201: NoteOut, **ERRORS})
def create_note(request: AuthedHttpRequest, payload: NoteIn) -> Status[Note]:
    """Any internal user may note on any lead or company: sharing knowledge is the point."""
    require_write(request)
    if (payload.lead_id is None) == (payload.company_id is None):
        raise HttpError(400, "give exactly one of lead_id or company_id")
    lead = get_object_or_404(Lead, pk=payload.lead_id) if payload.lead_id else None
    company = get_object_or_404(Company, pk=payload.company_id) if payload.company_id else None
    try:
        note = actions.add_note(
            author=request.user,
            body=payload.body,
            lead=lead,
            company=company,
            now=timezone.now(),
        )
    except actions.EmptyNote:
        raise HttpError(400, "a note needs some text") from None
    return Status(201, note)


@notes_router.patch("/{note_id}", response={200: NoteOut, **ERRORS})
def edit_note(request: AuthedHttpRequest, note_id: int, payload: NotePatch) -> Note:
    """The author (or a manager) corrects a note; the timeline shows the new text."""
    require_write(request)
    note = get_object_or_404(Note, pk=note_id)
    try:
        return actions.edit_note(
            note=note, actor=request.user, body=payload.body, now=timezone.now()
        )
    except actions.NotYourNote:
        raise HttpError(403, "only the author or a manager may change this note") from None
    except actions.EmptyNote:
        raise HttpError(400, "a note needs some text") from None


@notes_router.delete("/{note_id}", response={204: None, **READ_ERRORS})
def delete_note(request: AuthedHttpRequest, note_id: int) -> Status[None]:
    require_write(request)
    note = get_object_or_404(Note, pk=note_id)
    try:
        actions.delete_note(note=note, actor=request.user, now=timezone.now())
    except actions.NotYourNote:
        raise HttpError(403, "only the author or a manager may delete this note") from None
    return Status(204, None)
