"""The one way anything writes to the timeline: ``record(...)``, plus notes."""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from . import kinds
from .models import Activity, Department, Note
from .signals import activity_recorded

if TYPE_CHECKING:
    from kakehashi.accounts.models import User
    from kakehashi.leads.models import Company, Lead

KIND_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")


class InvalidKind(ValueError):
    """Activity kinds are dotted lowercase words: 'email.clicked'."""


class EmptyNote(ValueError):
    """A note needs some text."""


def department_for(actor: User | None, kind: str) -> str:
    function = actor.function if actor is not None else None
    if function in Department.values:
        return str(function)
    return kinds.get(kind).department


def record(
    *,
    kind: str,
    lead: Lead | None = None,
    company: Company | None = None,
    actor: User | None = None,
    department: str | None = None,
    occurred_at: datetime | None = None,
    data: dict[str, Any] | None = None,
    idempotency_key: str | None = None,
) -> Activity:
    """Record one activity; with an idempotency key, a repeat returns the first one unchanged."""
    if not KIND_RE.match(kind):
        raise InvalidKind(kind)
    now = timezone.now()
    if company is None and lead is not None and lead.company_id:
        company = lead.company
    activity = Activity(
        kind=kind,
        lead=lead,
        company=company,
        actor=actor,
        department=department or department_for(actor, kind),
        occurred_at=occurred_at or now,
        recorded_at=now,
        data=data or {},
        idempotency_key=idempotency_key,
    )
    with transaction.atomic():
        if idempotency_key:
            try:
                with transaction.atomic():
                    activity.save()
            except IntegrityError:
                return Activity.objects.get(idempotency_key=idempotency_key)
        else:
            activity.save()
        if lead is not None and not kinds.get(kind).audit:
            _touch_lead(lead, activity.occurred_at)
        activity_recorded.send(sender=Activity, activity=activity)
    return activity


def _touch_lead(lead: Lead, occurred_at: datetime) -> None:
    # Conditional UPDATE: concurrent writers can only move last_activity_at forward.
    type(lead).objects.filter(pk=lead.pk).filter(
        Q(last_activity_at__isnull=True) | Q(last_activity_at__lt=occurred_at)
    ).update(last_activity_at=occurred_at)
    if lead.last_activity_at is None or lead.last_activity_at < occurred_at:
        lead.last_activity_at = occurred_at


@transaction.atomic
def add_note(
    *,
    author: User,
    body: str,
    lead: Lead | None = None,
    company: Company | None = None,
    now: datetime,
) -> Note:
    body = body.strip()
    if not body:
        raise EmptyNote()
    department = department_for(author, "note.added")
    note = Note.objects.create(
        lead=lead,
        company=company if lead is None else (company or lead.company),
        author=author,
        department=department,
        body=body,
        created_at=now,
    )
    record(
        kind="note.added",
        lead=lead,
        company=note.company,
        actor=author,
        department=department,
        occurred_at=now,
        data={"note_id": note.pk, "body": body},
    )
    return note


class NotYourNote(PermissionError):
    """Only a note's author, a manager or an admin may change or delete it."""


def _check_note_owner(note: Note, actor: User) -> None:
    if note.author_id != actor.pk and not actor.is_manager_or_admin:
        raise NotYourNote()


def _note_activity(note: Note) -> Activity | None:
    scope = Activity.objects.filter(kind="note.added", data__note_id=note.pk)
    scope = scope.filter(lead=note.lead) if note.lead_id else scope.filter(company=note.company)
    return scope.first()


@transaction.atomic
def edit_note(*, note: Note, actor: User, body: str, now: datetime) -> Note:
    _check_note_owner(note, actor)
    body = body.strip()
    if not body:
        raise EmptyNote()
    if body == note.body:
        return note
    note.body = body
    note.save(update_fields=["body"])
    # The timeline shows the note through its note.added activity: keep them in step.
    activity = _note_activity(note)
    if activity is not None:
        activity.data = {**activity.data, "body": body, "edited_at": now.isoformat()}
        activity.save(update_fields=["data"])
    return note


@transaction.atomic
def delete_note(*, note: Note, actor: User, now: datetime) -> None:
    _check_note_owner(note, actor)
    activity = _note_activity(note)
    if activity is not None:
        activity.delete()
    record(
        kind="note.deleted",
        lead=note.lead,
        company=note.company,
        actor=actor,
        occurred_at=now,
        data={"note_id": note.pk},
    )
    note.delete()
