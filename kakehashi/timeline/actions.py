"""The one way anything writes to the timeline: ``record(...)``, plus notes."""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from kakehashi.lib import pgcursor

from . import kinds
from .models import Activity, Department, Note
from .signals import Companion, activity_recorded, companion_writers

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
        touch = lead if lead is not None and not kinds.get(kind).audit else None
        companions = [c for writer in companion_writers for c in writer(activity)]
        _write_along(touch, activity.occurred_at, companions)
        activity_recorded.send(sender=Activity, activity=activity)
    return activity


# Conditional UPDATE: concurrent writers can only move last_activity_at forward.
TOUCH = (
    "UPDATE {table} SET last_activity_at = %s "
    "WHERE id = %s AND (last_activity_at IS NULL OR last_activity_at < %s)"
)


def _write_along(lead: Lead | None, occurred_at: datetime, companions: list[Companion]) -> None:
    """Move the lead's ``last_activity_at`` forward and make the companions' writes: one
    statement on PostgreSQL (sent on a server-bound cursor, so it is prepared), one each on
    SQLite (no data-modifying CTEs there, but no network either)."""
    if lead is not None:
        at = connection.ops.adapt_datetimefield_value(occurred_at)
        touch = (TOUCH.format(table=type(lead)._meta.db_table), [at, lead.pk, at])
        if lead.last_activity_at is None or lead.last_activity_at < occurred_at:
            lead.last_activity_at = occurred_at
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            if lead is not None:
                cursor.execute(*touch)
            for companion in companions:
                cursor.execute(companion.sql, companion.params)
                companion.done(cursor.rowcount)
        return
    if not companions:
        if lead is not None:
            with pgcursor.server_bound() as raw:
                raw.execute(*touch)
        return
    ctes = [f"c{i} AS ({c.sql} RETURNING 1)" for i, c in enumerate(companions)]
    params = [value for c in companions for value in c.params]
    if lead is not None:
        ctes.insert(0, f"touched AS ({touch[0]})")
        params = [*touch[1], *params]
    counts = ", ".join(f"(SELECT count(*) FROM c{i})" for i in range(len(companions)))
    with pgcursor.server_bound() as raw:
        raw.execute(f"WITH {', '.join(ctes)} SELECT {counts}", params)
        row = raw.fetchone()
    for companion, count in zip(companions, row, strict=True):
        companion.done(int(count))


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
