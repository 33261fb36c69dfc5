"""The import pipeline shared by the wizard, the CLI and the API.

Rows are read, normalized (pure, `rows.build`), folded when the file repeats a person, matched
against the database by normalized e-mail, and written in chunks: new leads and companies with
bulk inserts, changed leads with bulk updates, one `lead.imported` activity per lead created or
changed (with before/after values), consent ledger entries for rows with a basis, tags, and
possible duplicates (same phone, same name at the same company) for the review queue. Each chunk
commits on its own, so a long import shows progress and a re-run of the same file updates
instead of duplicating.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import json
import logging
import multiprocessing
import threading
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.utils import timezone, translation

from kakehashi.consent import actions as consent_actions
from kakehashi.leads import derive
from kakehashi.leads.models import Company, DuplicateCandidate, Lead, Tag
from kakehashi.lib import gcpause
from kakehashi.lib.bulk import COPY_NULL, RawJSON, copy_line, copy_lines, copy_text, insert_rows
from kakehashi.timeline.models import Activity, Department

from . import rows as rowlib

if TYPE_CHECKING:
    from kakehashi.accounts.models import User

logger = logging.getLogger(__name__)
CHUNK = 10000  # rows per transaction (measured: 5,000 and 20,000 were slower)
FIRST_CHUNK = 500
WRITERS = 2  # chunks written at once (threads, each with its database connection)
UPDATABLE = rowlib.UPDATABLE
GRANTING_BASES = rowlib.GRANTING_BASES
LEAD_COLUMNS = rowlib.LEAD_COLUMNS
ACTIVITY_COLUMNS = (
    "lead_id", "company_id", "kind", "department", "actor_id", "occurred_at", "recorded_at", "data",
)  # fmt: skip
COMPANY_COLUMNS = (
    "id", "name", "name_kana", "normalized_name", "domain", "industry", "employee_band", "city",
    "address_line", "phone", "website", "custom_attributes", "search_text", "created_at",
    "updated_at",
)  # fmt: skip


@dataclass
class Options:
    mapping: dict[int, str]
    filename: str
    consent_basis: str = ""  # for the whole file, when no column says
    source: str = ""
    on_match: str = "update"  # or "skip": leave leads that already exist untouched
    import_id: int | None = None


@dataclass
class Result:
    created: int = 0
    updated: int = 0
    merged: int = 0
    skipped: int = 0
    duplicates_flagged: int = 0
    processed: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    # Leads created or changed: their scores are rebuilt afterwards (leads.signals).
    written: set[int] = field(default_factory=set)

    def as_json(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "merged": self.merged,
            "skipped": self.skipped,
            "errors": self.errors,
        }


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """Lists of ``size`` items; the first ones smaller (FIRST_CHUNK, then twice as many each
    time), so the database starts writing sooner: it waits for the first chunk idle."""
    iterator = iter(items)
    step = min(FIRST_CHUNK, size)
    while chunk := list(itertools.islice(iterator, step)):
        yield chunk
        step = min(step * 2, size)


def _allocate_ids(table: str, count: int) -> list[int]:
    """Reserve primary keys so rows can be bulk-inserted (COPY) and referenced at once."""
    if count == 0:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The sequence looked up once, not once per id (that took 5 times as long).
            cursor.execute(
                "SELECT nextval(seq) FROM CAST(pg_get_serial_sequence(%s, 'id') AS regclass) seq,"
                " generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        # SQLite: the chunk's transaction holds the write lock (BEGIN IMMEDIATE), so MAX is ours.
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")
        start = cursor.fetchone()[0] + 1
        return list(range(start, start + count))


class _Companies:
    """Companies by folded name. New ones get their ids at once and are written with the
    chunk that first needs them."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.by_key: dict[str, tuple[int, str]] = {}
        self.names: dict[int, str] = {}  # the same, by id
        self.created = 0

    def resolve(self, rows: list[rowlib.Row]) -> list[tuple[Any, ...]]:
        """Find or allocate the rows' companies; the records of those still to be inserted."""
        wanted = {r.company_key: r for r in rows if r.company_key}
        missing = [k for k in wanted if k not in self.by_key]
        for key, pk, name in _companies_named(missing):
            self.by_key[key] = (pk, name)
            self.names[pk] = name
        new = [k for k in missing if k not in self.by_key]
        ids = _allocate_ids(Company._meta.db_table, len(new))
        records: list[tuple[Any, ...]] = []
        for pk, key in zip(ids, new, strict=True):
            row = wanted[key]
            # Company.refresh_derived_fields' columns, without a model instance per company.
            name, kana, folded, domain, search_text = derive.company_columns(
                row.company_name, row.company_kana, row.company_domain
            )
            records.append((pk, name, kana, folded, domain, "", "", "", "", "", "", {},
                            search_text, self.now, self.now))  # fmt: skip
            self.by_key[key] = (pk, name)
            self.names[pk] = name
        self.created += len(records)
        return records

    def get(self, key: str) -> tuple[int | None, str]:
        """The company id and name for a row's `company_key`."""
        return self.by_key.get(key, (None, "")) if key else (None, "")


def _companies_named(keys: list[str]) -> list[tuple[str, int, str]]:
    """(folded name, id, name) of the stored companies with these folded names, newest first
    (`resolve` keeps the last of each name: the oldest). On PostgreSQL the names go as one
    text, split by the server (a folded name has no white space): thousands of placeholders
    cost more than the query."""
    if not keys:
        return []
    if connection.vendor != "postgresql":
        found = Company.objects.filter(normalized_name__in=keys).order_by("-pk")
        return list(found.values_list("normalized_name", "pk", "name"))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT normalized_name, id, name FROM leads_company"
            " WHERE normalized_name = ANY(string_to_array(%s, E'\\n')) ORDER BY id DESC",
            ["\n".join(keys)],
        )
        return cursor.fetchall()


class _Builder:
    """Normalizes chunks: in a helper process when asked (another core does the pure work
    while this one prepares the previous chunk), inline otherwise or when the helper fails."""

    def __init__(self, options: Options, parallel: bool, lead_line: rowlib.LeadLine) -> None:
        self.args = (
            options.mapping,
            options.consent_basis,
            options.source,
            translation.get_language() or "ja",
            lead_line,
        )
        self.pool: ProcessPoolExecutor | None = None
        if parallel:
            context = multiprocessing.get_context("spawn")  # no inherited database connections
            self.pool = ProcessPoolExecutor(
                max_workers=1, mp_context=context, initializer=rowlib.start_helper
            )

    def submit(self, chunk: list[Any]) -> Future[list[rowlib.Row]]:
        """Start normalizing the chunk in the helper; without one, it is normalized by the
        first `result` call that needs it."""
        if self.pool is not None:
            try:
                return self.pool.submit(rowlib.build_chunk, chunk, *self.args)
            except BrokenProcessPool:
                self.close()
        return _Later()

    def inline(self, chunk: list[Any]) -> Future[list[rowlib.Row]]:
        future: Future[list[rowlib.Row]] = Future()
        future.set_result(rowlib.build_chunk(chunk, *self.args))
        return future

    def result(self, chunk: list[Any], future: Future[list[rowlib.Row]]) -> list[rowlib.Row]:
        if isinstance(future, _Later) and not future.done():
            future.set_result(rowlib.build_chunk(chunk, *self.args))
        try:
            return future.result()
        except BrokenProcessPool:
            # The helper could not start (or died): carry on in this process.
            logger.warning("import helper process failed; normalizing inline")
            self.close()
            return rowlib.build_chunk(chunk, *self.args)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = None


class _Later(Future[list[rowlib.Row]]):
    """A chunk to normalize in this process when its rows are first needed."""


@contextlib.contextmanager
def _builder(
    options: Options, parallel: bool, lead_line: rowlib.LeadLine | None = None
) -> Iterator[_Builder]:
    if lead_line is None:
        lead_line = rowlib.LeadLine(options.filename, timezone.now(), _copying())
    builder = _Builder(options, parallel, lead_line)
    try:
        yield builder
    finally:
        builder.close()


def _copying() -> bool:
    """Whether rows are written as COPY text (PostgreSQL) rather than as values."""
    return connection.vendor == "postgresql"


class _Writer:
    """Carries out each chunk's writes. In threads with their own database connections when
    it may (PostgreSQL, outside any transaction: a dry run's rollback must cover every write),
    so the main thread reads, matches and prepares the next chunks while the database writes
    the earlier ones, and two chunks are written at once on two connections.

    Chunks are committed in order: each inserts its rows, then waits for the chunk before it to
    commit before it updates anything or commits itself (its rows may refer to the earlier
    chunk's leads and companies, or update them). While the main thread prepares a chunk, the
    `WRITERS` chunks before it may not be committed yet: `_State.recent` holds what they wrote.
    """

    def __init__(self, threads: int) -> None:
        self.threads = threads
        self.pool = ThreadPoolExecutor(max_workers=threads) if threads else None
        self.pending: deque[Future[None]] = deque()

    def submit(self, writes: _Writes, tags_by_name: dict[str, int]) -> None:
        assert self.pool is not None
        while len(self.pending) >= self.threads:
            self.pending.popleft().result()  # a failed chunk's error surfaces here
        before = self.pending[-1] if self.pending else None
        self.pending.append(self.pool.submit(writes.apply, tags_by_name, before))

    def wait(self) -> None:
        while self.pending:
            self.pending.popleft().result()

    def close(self) -> None:
        if self.pool is not None:
            try:
                self.wait()
            finally:
                # One job per thread (the barrier holds each until all have one): each closes
                # that thread's own connection.
                barrier = threading.Barrier(self.threads)
                for done in [
                    self.pool.submit(_close_connection, barrier) for _ in range(self.threads)
                ]:
                    done.result()
                self.pool.shutdown()
                self.pool = None


def _close_connection(barrier: threading.Barrier) -> None:
    barrier.wait(timeout=60)
    connection.close()  # the calling thread's own


def run(
    table_rows: Iterable[tuple[int, list[str]]],
    options: Options,
    *,
    actor: User | None,
    now: datetime,
    progress: Callable[[Result], None] | None = None,
    parallel: bool = False,
    write_in_threads: bool = False,
) -> Result:
    """Import the rows. ``parallel``: normalize in a helper process; ``write_in_threads``:
    write in threads (PostgreSQL, outside a transaction) while this one prepares."""
    result = Result()
    with gcpause.paused():
        # What the import holds (rows, keys, leads by id) is freed when _run returns, before
        # the collector is back on: its first collection would otherwise walk all of it.
        _run(table_rows, options, result, actor, now, progress, parallel, write_in_threads)
    return result


def _run(
    table_rows: Iterable[tuple[int, list[str]]], options: Options, result: Result,
    actor: User | None, now: datetime, progress: Callable[[Result], None] | None,
    parallel: bool, write_in_threads: bool,
) -> None:  # fmt: skip
    state = _State(options, actor, now, rowlib.LeadLine(options.filename, now, _copying()), result)
    tags_by_name: dict[str, int] = {}
    chunks = _chunks(table_rows, CHUNK)
    threaded = write_in_threads and _copying() and not connection.in_atomic_block
    writer = _Writer(WRITERS if threaded else 0)
    # Its one thread only reads, on its own connection (_Writer for the pool and its closing).
    reader = _Writer(1 if threaded else 0)
    lookup: Future[dict[str, dict[str, Any]]] | None = None
    try:
        with _builder(options, parallel, state.lead_line) as builder:
            pending: deque[tuple[list[Any], Future[list[rowlib.Row]]]] = deque()
            first, second = next(chunks, None), next(chunks, None)
            if second is not None:
                # The helper takes a second or so to start: it gets the second chunk while this
                # process builds the first, instead of waiting for it idle.
                pending.append((second, builder.submit(second)))
            if first is not None:
                pending.appendleft((first, builder.inline(first)))
            while pending:
                chunk, future = pending.popleft()
                built = builder.result(chunk, future)
                following = next(chunks, None)
                if following is not None:
                    pending.append((following, builder.submit(following)))
                for row, (_line, cells) in zip(built, chunk, strict=True):
                    if not row.ok:
                        result.errors.append(
                            {"line": row.line, "reason": " ".join(row.errors), "cells": cells}
                        )
                good = [r for r in built if r.ok]
                if writer.pool is not None:
                    found = lookup.result() if lookup is not None else None
                    # The next chunk has its stored leads read on the side while this one is
                    # prepared: from the second chunk on, it is normalized here first if the
                    # helper does not have it. The first goes to the database at once (idle
                    # until then).
                    lookup = None
                    if reader.pool is not None and pending:
                        following_chunk, following_future = pending[0]
                        later = isinstance(following_future, _Later) and result.processed
                        if later or following_future.done():
                            lookup = reader.pool.submit(
                                _stored_leads_of, builder.result(following_chunk, following_future)
                            )
                    writer.submit(state.plan(good, found), tags_by_name)
                else:
                    # One transaction from reading to writing (on SQLite it holds the write
                    # lock that makes the ids _allocate_ids hands out ours).
                    with transaction.atomic():
                        state.plan(good).apply(tags_by_name)
                result.processed += len(chunk)
                if progress:
                    progress(result)
        # The pairs are found while the last chunks are written (the leads they are compared
        # with are older than the import), and saved once those are committed.
        pairs = duplicate_pairs(state.people)
        writer.wait()
    finally:
        writer.close()
        reader.close()
    result.duplicates_flagged = save_duplicate_pairs(pairs, now)


@dataclass
class _Writes:
    """Everything one chunk writes, prepared by the main thread; `apply` writes it in one
    transaction (in the writer thread when there is one: it reads nothing else)."""

    state: _State
    companies: list[tuple[Any, ...]] = field(default_factory=list)
    leads: list[Any] = field(default_factory=list)  # COPY lines, or value tuples
    changed: list[Lead] = field(default_factory=list)
    changed_fields: set[str] = field(default_factory=set)
    activities: list[Any] = field(default_factory=list)
    grants: list[tuple[Any, ...]] = field(default_factory=list)
    late_grants: list[int] = field(default_factory=list)
    tag_links: list[tuple[int, str]] = field(default_factory=list)

    def apply(self, tags_by_name: dict[str, int], before: Future[None] | None = None) -> None:
        """Write the chunk; with ``before`` (the previous chunk, being written in another
        thread), insert first and wait for it to commit before updating or committing."""
        state = self.state
        text = state.lead_line.text
        with transaction.atomic():
            _insert(Company._meta.db_table, COMPANY_COLUMNS, self.companies, text=False)
            _insert(Lead._meta.db_table, LEAD_COLUMNS, self.leads, text=text)
            _insert(Activity._meta.db_table, ACTIVITY_COLUMNS, self.activities, text=text)
            # people only grows (in the main thread): membership tests are safe here.
            stale = consent_actions.record_import_grants(
                grants=self.grants, source=state.options.filename, actor=state.actor,
                now=state.now, new_leads=state.people, refresh=False,
            )  # fmt: skip
            if before is not None:
                before.result()
            if self.changed:
                fields = sorted(
                    self.changed_fields
                    | {"search_text", "sort_name", "updated_at", "last_activity_at"}
                )
                Lead.objects.bulk_update(self.changed, fields, batch_size=500)
            if self.late_grants:
                Lead.objects.filter(pk__in=self.late_grants).exclude(
                    email_consent="granted"
                ).update(email_consent="granted")
            consent_actions.refresh_lead_state(stale)
            _link_tags(self.tag_links, tags_by_name)


def _insert(table: str, columns: tuple[str, ...], rows: list[Any], *, text: bool) -> None:
    if text:
        copy_lines(table, columns, rows)
    else:
        insert_rows(table, columns, rows)


class _State:
    """What an import carries from chunk to chunk, and `plan`, which turns a chunk's rows
    into its `_Writes`."""

    def __init__(
        self,
        options: Options,
        actor: User | None,
        now: datetime,
        lead_line: rowlib.LeadLine,
        result: Result,
    ) -> None:
        self.options, self.actor, self.now, self.lead_line = options, actor, now, lead_line
        self.result = result
        self.seen: dict[tuple[str, str], int] = {}  # row key → lead id, across the whole file
        # The leads this import created (their consent state is known), as duplicates are
        # flagged by.
        self.people: dict[int, Person] = {}
        self.companies = _Companies(now)
        # Leads the last chunks wrote, as they now are: they may not be committed yet.
        self.recent: deque[dict[int, Callable[[], dict[str, Any]]]] = deque(maxlen=WRITERS)
        # A created lead's activity: the same but for its lead, company and line.
        same = ("lead.imported", _department(actor), actor.pk if actor else None, now, now)
        self.activity_tail = (
            copy_line(same)[:-1]
            + "\t"
            + copy_text(_data_prefix(options.filename, options.import_id, True))
        )

    def plan(
        self, rows: list[rowlib.Row], found: dict[str, dict[str, Any]] | None = None
    ) -> _Writes:
        """``found``: the stored leads with the e-mails of ``rows``, when already read."""
        options, result, seen, companies = self.options, self.result, self.seen, self.companies
        people = self.people
        writes = _Writes(self)
        recent: dict[int, Callable[[], dict[str, Any]]] = {}
        # 1. Fold rows that repeat a person already seen in this file (or earlier in this chunk).
        firsts: list[rowlib.Row] = []
        repeats: list[tuple[rowlib.Row, rowlib.Row | int]] = []
        chunk_keys: dict[tuple[str, str], rowlib.Row] = {}
        for row in rows:
            # The strongest key only: e-mail, else phone, else name@company.
            keys = row.match_keys()[:1]
            match: rowlib.Row | int | None = None
            for key in keys:
                match = chunk_keys.get(key) or seen.get(key)
            if match is None:
                firsts.append(row)
                for key in keys:
                    chunk_keys[key] = row
            else:
                repeats.append((row, match))
        for row, first in repeats:
            if isinstance(first, rowlib.Row):
                _fold_into(first, row)
        result.merged += len(repeats)

        # 2. Match the chunk's e-mails against leads already in the database.
        emails = [r.lead["email"] for r in firsts if r.lead["email"]]
        if found is None:
            existing = _leads_by_email(emails)
        else:
            existing = {e: found[e] for e in emails if e in found}
        writes.companies = companies.resolve(
            firsts + [r for r, f in repeats if not isinstance(f, rowlib.Row)]
        )

        creates = [r for r in firsts if r.lead["email"] not in existing or not r.lead["email"]]
        updates = [r for r in firsts if r.lead["email"] and r.lead["email"] in existing]
        ids = _allocate_ids(Lead._meta.db_table, len(creates))
        text = self.lead_line.text
        activity_tail = self.activity_tail
        leads, activities, grants, tag_links = (
            writes.leads,
            writes.activities,
            writes.grants,
            writes.tag_links,
        )
        for pk, row in zip(ids, creates, strict=True):
            company_id, company_name = companies.get(row.company_key)
            segment = row.segment
            if row.refolded or segment is None:
                segment = self.lead_line(
                    row, *derive.normalized_lead_columns(row.lead, company_name)
                )
            if text:
                company = COPY_NULL if company_id is None else company_id
                leads.append(f"{pk}\t{company}\t{segment}")
                activities.append(f"{pk}\t{company}\t{activity_tail}{row.line}}}\n")
            else:
                leads.append((pk, company_id, *segment))
                activities.append(
                    _activity(pk, company_id, self.actor, self.now, options, row, created=True)
                )
            recent[pk] = functools.partial(_as_stored, pk, company_id, row)
            lead = row.lead
            people[pk] = (lead["phone"], company_id, lead["last_name"], lead["first_name"])
            for key in row.match_keys():
                seen[key] = pk
            grants.append((pk, row.lead["email"], row.consent_basis, row.email_hash or None))
            if row.tags:
                tag_links += [(pk, t) for t in row.tags]
        result.created += len(ids)
        created_ids = set(ids)

        # 3. Rows for leads that exist: matched by e-mail in the database, or repeating a lead an
        #    earlier chunk of this file created. Only the first kind counts as "updated"/"skipped".
        targets = [(r, existing[r.lead["email"]], True) for r in updates]
        later = [(r, f) for r, f in repeats if isinstance(f, int)]
        if later:
            current: dict[int, dict[str, Any]] = {}
            for _, pk in later:
                for written in reversed(self.recent):  # the newest values first
                    if pk in written:
                        current[pk] = written[pk]()
                        break
            stored = [pk for _, pk in later if pk not in current]
            current.update(
                (lead["id"], lead)
                for lead in Lead.objects.filter(pk__in=stored).values(*MATCH_COLUMNS)
            )
            targets += [(r, current[f], False) for r, f in later if f in current]
        unknown = {s["company_id"] for _, s, _ in targets if s["company_id"]} - set(companies.names)
        names = {
            **companies.names,
            **dict(Company.objects.filter(pk__in=unknown).values_list("pk", "name")),
        }
        for row, stored_lead, pre_existing in targets:
            for key in row.match_keys():
                seen[key] = stored_lead["id"]
            if pre_existing and options.on_match == "skip":
                result.skipped += 1
                continue
            updated, diff = _apply(row, stored_lead, companies, names)
            grants.append((
                stored_lead["id"], row.lead["email"] or stored_lead["email"], row.consent_basis,
                (row.email_hash or None) if row.lead["email"] else None,
            ))  # fmt: skip
            tag_links += [(stored_lead["id"], t) for t in row.tags]
            if updated is None:
                result.skipped += pre_existing
                continue
            updated.updated_at = updated.last_activity_at = self.now
            writes.changed.append(updated)
            writes.changed_fields |= set(diff)
            recent[updated.pk] = functools.partial(_lead_as_stored, updated)
            if updated.pk in people:  # a lead of this import, changed by a later row
                people[updated.pk] = (updated.phone, updated.company_id, updated.last_name,
                                      updated.first_name)  # fmt: skip
            activity = _activity(stored_lead["id"], updated.company_id, self.actor, self.now,
                                 options, row, created=False, diff=diff)  # fmt: skip
            activities.append(copy_line(activity) if text else activity)
            result.updated += pre_existing
        result.written.update(created_ids)
        result.written.update(lead.pk for lead in writes.changed)
        self.recent.append(recent)

        # 4. Consent: a repeat row that brings a basis its first row lacked grants a lead born
        #    in this import.
        late = {g[0] for g in grants if g[0] in people and g[0] not in created_ids}
        writes.late_grants = [g[0] for g in grants if g[0] in late and g[2] in GRANTING_BASES]
        return writes


def _as_stored(pk: int, company_id: int | None, row: rowlib.Row) -> dict[str, Any]:
    """A lead created from ``row`` as `_leads_by_email` would read it back."""
    lead = row.lead
    return {"id": pk, "company_id": company_id, "custom_attributes": lead["custom_attributes"],
            **{f: lead[f] for f in UPDATABLE}}  # fmt: skip


def _lead_as_stored(lead: Lead) -> dict[str, Any]:
    return {"id": lead.pk, "company_id": lead.company_id,
            "custom_attributes": lead.custom_attributes,
            **{f: getattr(lead, f) for f in UPDATABLE}}  # fmt: skip


MATCH_COLUMNS = ("id", "company_id", "custom_attributes", *UPDATABLE)


def _stored_leads_of(rows: list[rowlib.Row]) -> dict[str, dict[str, Any]]:
    """The stored leads with the e-mails of these rows (read ahead of the chunk's turn: the
    rows that repeat a lead this import wrote are told by `_State.seen`, not by this)."""
    return _leads_by_email([r.lead["email"] for r in rows if r.ok and r.lead["email"]])


def _leads_by_email(emails: list[str]) -> dict[str, dict[str, Any]]:
    """Stored leads with these e-mails. On PostgreSQL one parameter instead of thousands of
    placeholders, which cost more to build than the query takes to run: the addresses joined
    by line breaks (a normalized address has no whitespace) and split by the server, since
    quoting a list as an array literal costs the client as much again."""
    if connection.vendor != "postgresql":
        rows = Lead.objects.filter(email__in=emails).values(*MATCH_COLUMNS)
        return {row["email"]: row for row in rows}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(MATCH_COLUMNS)} FROM leads_lead"
            " WHERE email = ANY(string_to_array(%s, E'\\n'))",
            ["\n".join(emails)],
        )
        found = [dict(zip(MATCH_COLUMNS, row, strict=True)) for row in cursor.fetchall()]
    for lead in found:
        # Django reads jsonb as text and decodes it itself; this raw query must do the same.
        if isinstance(lead["custom_attributes"], str):
            lead["custom_attributes"] = json.loads(lead["custom_attributes"])
    return {lead["email"]: lead for lead in found}


def _fold_into(first: rowlib.Row, repeat: rowlib.Row) -> None:
    """A person listed twice in the file: later non-empty values fill the gaps of the first."""
    first.refolded = True
    for name, value in repeat.lead.items():
        if name == "custom_attributes":
            first.lead[name] = {**value, **first.lead[name]}
        elif value and not first.lead.get(name):
            first.lead[name] = value
    if not first.company_name:
        first.company_name, first.company_key = repeat.company_name, repeat.company_key
    first.tags = list(dict.fromkeys(first.tags + repeat.tags))
    first.consent_basis = first.consent_basis or repeat.consent_basis
    if first.lead["email"] == repeat.lead["email"]:
        first.email_hash = first.email_hash or repeat.email_hash


def _apply(
    row: rowlib.Row, stored: dict[str, Any], companies: _Companies, names: dict[int, str]
) -> tuple[Lead | None, dict[str, list[Any]]]:
    """The stored lead with the row's non-empty values applied, and what changed (no lead when
    nothing did: a repeated row mostly brings nothing new, and a model instance is dear)."""
    values = {f: stored[f] for f in UPDATABLE}
    diff: dict[str, list[Any]] = {}
    for name in UPDATABLE:
        value = row.lead.get(name)
        # Never overwrite a filled field with an empty one.
        if value not in (None, "") and value != stored[name]:
            diff[name] = [stored[name], value]
            values[name] = value
    company_id, company_name = companies.get(row.company_key)
    if company_id and company_id != stored["company_id"]:
        diff["company"] = [stored["company_id"], company_name]
    else:
        company_id = stored["company_id"]
    custom = dict(stored["custom_attributes"] or {})
    extra = {k: v for k, v in row.lead["custom_attributes"].items() if custom.get(k) != v}
    if extra:
        diff["custom_attributes"] = [{k: custom.get(k) for k in extra}, extra]
        custom.update(extra)
    if not diff:
        return None, diff
    lead = Lead(pk=stored["id"], company_id=company_id, custom_attributes=custom, **values)
    name = company_name or names.get(company_id or 0, "")
    lead.search_text, lead.sort_name = derive.lead_columns(values, name)
    return lead, diff


def _activity(
    lead_id: int, company_id: int | None, actor: User | None, now: datetime, options: Options,
    row: rowlib.Row, *, created: bool, diff: dict[str, list[Any]] | None = None,
) -> tuple[Any, ...]:  # fmt: skip
    data: dict[str, Any] | RawJSON
    if diff:
        data = {**_fixed_data(options.filename, options.import_id, created), "line": row.line}
        data["changes"] = {
            k: [str(v[0] or ""), str(v[1] or "")]
            for k, v in diff.items()
            if k != "custom_attributes"
        }
    else:
        # The same keys for every row but the line: serialized once, not once per row.
        data = RawJSON(_data_prefix(options.filename, options.import_id, created) + f"{row.line}}}")
    return (lead_id, company_id, "lead.imported", _department(actor),
            actor.pk if actor else None, now, now, data)  # fmt: skip


def _department(actor: User | None) -> str:
    """The department an import's activities are recorded under: the actor's, else marketing."""
    return actor.function if actor is not None and actor.function else Department.MARKETING


def _fixed_data(filename: str, import_id: int | None, created: bool) -> dict[str, Any]:
    """What every `lead.imported` activity of one import says, but the line and the changes."""
    fixed: dict[str, Any] = {"file": filename, "created": created}
    if import_id:
        fixed["import_id"] = import_id
    return fixed


@functools.lru_cache(maxsize=8)
def _data_prefix(filename: str, import_id: int | None, created: bool) -> str:
    return (
        json.dumps(_fixed_data(filename, import_id, created), ensure_ascii=False)[:-1]
        + ', "line": '
    )


def _link_tags(links: list[tuple[int, str]], tags_by_name: dict[str, int]) -> None:
    if not links:
        return
    names = {name for _, name in links} - set(tags_by_name)
    for name in names:
        tags_by_name[name] = Tag.objects.get_or_create(name=name)[0].pk
    through = Lead.tags.through
    have = set(
        through.objects.filter(lead_id__in={pk for pk, _ in links}).values_list("lead_id", "tag_id")
    )
    new = {(pk, tags_by_name[name]) for pk, name in links} - have
    through.objects.bulk_create(
        [through(lead_id=pk, tag_id=tag) for pk, tag in new], batch_size=1000
    )


SWITCHBOARD = 5  # a phone shared by more leads than this is a company's main line
CONFIDENCE = {DuplicateCandidate.Reason.PHONE: 80, DuplicateCandidate.Reason.NAME_COMPANY: 70}
# What duplicates are flagged by: phone, company id, last name, first name.
Person = tuple[str, int | None, str, str]


Pairs = dict[tuple[int, int], DuplicateCandidate.Reason]


def duplicate_pairs(new: dict[int, Person]) -> Pairs:
    """The leads an import created (``new``, as they were last written) that share a phone, or
    a name at the same company, with another lead: as pairs, lower id first, for
    `save_duplicate_pairs`. The new leads are known here; one read finds the older leads with
    their phones or companies, and the grouping is done in Python. (Self-joins in SQL took from 0.5 to 4 s on 100k new leads, depending on the plan
    the table's statistics, stale right after an import, led to.)"""
    pairs: Pairs = {}
    if not new:
        return pairs
    by_phone: dict[str, list[int]] = defaultdict(list)
    by_name: dict[tuple[int, str, str], list[int]] = defaultdict(list)

    def group(people: Iterable[tuple[int, str, int | None, str, str]]) -> None:
        for pk, phone, company_id, last_name, first_name in people:
            if phone:
                by_phone[phone].append(pk)
            if company_id is not None and last_name:
                by_name[(company_id, last_name, first_name)].append(pk)

    group((pk, *person) for pk, person in new.items())
    companies = list({company_id for company_id, _, _ in by_name})
    group(_older_people(min(new), list(by_phone), companies))
    _pair(pairs, by_phone.values(), new, DuplicateCandidate.Reason.PHONE, SWITCHBOARD)
    _pair(pairs, by_name.values(), new, DuplicateCandidate.Reason.NAME_COMPANY)
    return pairs


def save_duplicate_pairs(pairs: Pairs, now: datetime) -> int:
    """Queue the pairs for review (a pair queued already stays as it was)."""
    if not pairs:
        return 0
    with transaction.atomic():
        DuplicateCandidate.objects.bulk_create(
            [DuplicateCandidate(lead_a_id=a, lead_b_id=b, reason=reason,
                                confidence=CONFIDENCE[reason], created_at=now)
             for (a, b), reason in pairs.items()],
            batch_size=1000,
            ignore_conflicts=True,
        )  # fmt: skip
    return len(pairs)


def _older_people(
    first_id: int, phones: list[str], companies: list[int]
) -> list[tuple[int, str, int | None, str, str]]:
    """Leads older than ``first_id`` with one of these phones or companies."""
    columns = ("id", "phone", "company_id", "last_name", "first_name")
    if connection.vendor != "postgresql":
        older = Lead.objects.filter(pk__lt=first_id)
        found: dict[int, tuple[int, str, int | None, str, str]] = {}
        for field, values in (("phone", phones), ("company_id", companies)):
            for start in range(0, len(values), 500):
                part = {f"{field}__in": values[start : start + 500]}
                found.update((p[0], p) for p in older.filter(**part).values_list(*columns))
        return list(found.values())
    with transaction.atomic(), connection.cursor() as cursor:
        # One scan that hashes the arrays: compiling it (JIT) or splitting it over workers,
        # each hashing them again, costs more than the scan itself.
        cursor.execute("SET LOCAL jit = off; SET LOCAL max_parallel_workers_per_gather = 0")
        # The lists as one text each, split by the server: quoting them as arrays here took
        # longer than the query (a normalized phone has no comma).
        cursor.execute(
            f"SELECT {', '.join(columns)} FROM leads_lead WHERE id < %s"
            " AND (phone = ANY(string_to_array(%s, ','))"
            " OR company_id = ANY(string_to_array(%s, ',')::bigint[]))",
            [first_id, ",".join(phones), ",".join(map(str, companies))],
        )
        return cursor.fetchall()


def _pair(
    pairs: Pairs,
    groups: Iterable[list[int]],
    new: dict[int, Person],
    reason: DuplicateCandidate.Reason,
    most: int | None = None,
) -> None:
    """Every pair (lower id first) in each group of two or more (at most ``most``) that
    includes a new lead, under its first reason."""
    for ids in groups:
        if len(ids) < 2 or (most is not None and len(ids) > most):
            continue
        ordered = sorted(ids)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1 :]:
                if a in new or b in new:
                    pairs.setdefault((a, b), reason)
