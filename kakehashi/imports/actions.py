"""Imports: upload → choose columns → preview → run (inline, or in the worker when large)."""

from __future__ import annotations

import itertools
import logging
import os
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from kakehashi.leads.signals import id_ranges, leads_written_in_bulk

from . import engine, mapping, readers
from . import rows as rowlib
from .models import ImportRun, SavedMapping

if TYPE_CHECKING:
    from kakehashi.accounts.models import User

logger = logging.getLogger(__name__)

# Files with more rows than this run in the background worker, with a progress bar.
INLINE_ROWS = 2000
# From this size on, chunks are written in threads (and normalized in a helper process).
PARALLEL_ROWS = 10000
HELPER_MIN_CPUS = 2  # more than this many cores


class InvalidMapping(ValueError):
    """The chosen columns cannot be imported; ``problems`` lists why."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class Preview:
    header: list[str]
    columns: dict[int, str]
    layout: mapping.Layout | None
    samples: list[list[str]]
    rows: list[rowlib.Row]
    total_rows: int
    encoding: str
    delimiter: str


def read_table(
    raw: bytes, filename: str, *, encoding: str = "", delimiter: str = ""
) -> readers.Table:
    return readers.read(raw, filename, encoding=encoding or None, delimiter=delimiter or None)


def read_header(raw: bytes, filename: str, *, encoding: str, delimiter: str) -> list[str]:
    """The header row of an uploaded file (encoding and delimiter as the upload found them)."""
    return readers.read_header(raw, filename, encoding=encoding, delimiter=delimiter)


def preview(
    raw: bytes,
    filename: str,
    *,
    encoding: str = "",
    delimiter: str = "",
    columns: dict[int, str] | None = None,
    consent_basis: str = "",
    source: str = "",
    sample_size: int = 5,
) -> Preview:
    """The first rows as they will be stored, with the suggested (or given) mapping."""
    table = read_table(raw, filename, encoding=encoding, delimiter=delimiter)
    layout = mapping.detect_layout(table.header)
    chosen = columns if columns is not None else mapping.suggest(table.header)
    basis = consent_basis or (layout.default_basis if layout and columns is None else "")
    first = list(itertools.islice(table.rows, sample_size))
    total = len(first) + sum(1 for _ in table.rows)
    built = [
        rowlib.build(line, cells, chosen, default_basis=basis, default_source=source)
        for line, cells in first
    ]
    return Preview(
        header=table.header,
        columns=chosen,
        layout=layout,
        samples=[cells for _, cells in first],
        rows=built,
        total_rows=total,
        encoding=table.encoding,
        delimiter=table.delimiter,
    )


def mapping_from_saved(saved: SavedMapping, header: list[str]) -> dict[int, str]:
    """Apply a saved header → field mapping to this file's columns (unknown ones suggested)."""
    suggested = mapping.suggest(header)
    return {i: saved.columns.get(name, suggested[i]) for i, name in enumerate(header)}


@transaction.atomic
def upload(
    *,
    raw: bytes,
    filename: str,
    encoding: str = "",
    delimiter: str = "",
    actor: User | None,
    now: datetime,
) -> ImportRun:
    """Keep the uploaded file and propose a mapping; nothing is imported yet."""
    found = preview(raw, filename, encoding=encoding, delimiter=delimiter)
    run = ImportRun(
        filename=filename[:255],
        encoding=found.encoding,
        delimiter=found.delimiter,
        mapping={str(k): v for k, v in found.columns.items()},
        consent_basis=found.layout.default_basis if found.layout else "",
        source=found.layout.default_source if found.layout else "",
        total_rows=found.total_rows,
        created_by=actor,
        created_at=now,
    )
    run.file.save(filename[-100:] or "upload.csv", ContentFile(raw), save=False)
    run.save()
    return run


@transaction.atomic
def configure(
    *,
    run: ImportRun,
    columns: dict[int, str],
    consent_basis: str,
    source: str,
    on_match: str,
    save_as: str = "",
    actor: User | None,
    now: datetime,
) -> ImportRun:
    header = read_header(
        run.read_file(), run.filename, encoding=run.encoding, delimiter=run.delimiter
    )
    problems = mapping.validate(columns, len(header))
    if problems:
        raise InvalidMapping(problems)
    run.mapping = {str(k): v for k, v in columns.items()}
    run.consent_basis, run.source, run.on_match = consent_basis, source, on_match
    run.save(update_fields=["mapping", "consent_basis", "source", "on_match"])
    if save_as.strip():
        SavedMapping.objects.update_or_create(
            name=save_as.strip()[:100],
            defaults={
                "columns": {header[i]: f for i, f in columns.items() if i < len(header)},
                "consent_basis": consent_basis,
                "source": source,
                "created_by": actor,
                "created_at": now,
            },
        )
    return run


def start(*, run: ImportRun, dry_run: bool, now: datetime) -> ImportRun:
    """Run now when small or a dry run; otherwise hand it to the worker."""
    run.dry_run = dry_run
    run.status = ImportRun.Status.PENDING
    run.processed_rows = 0
    run.save(update_fields=["dry_run", "status", "processed_rows"])
    if dry_run or run.total_rows <= INLINE_ROWS:
        execute(run.pk, now=now)
        run.refresh_from_db()
        return run
    from .tasks import run_import

    transaction.on_commit(lambda: run_import(run.pk))
    return run


def execute(run_id: int, *, now: datetime | None = None, progress: Any = None) -> ImportRun:
    """Run one import to the end; the worker and the CLI call this."""
    run = ImportRun.objects.select_related("created_by", "created_by__team").get(pk=run_id)
    now = now or timezone.now()
    claimed = ImportRun.objects.filter(pk=run.pk, status=ImportRun.Status.PENDING).update(
        status=ImportRun.Status.RUNNING
    )
    if not claimed:  # another worker has it, or it already ran
        return run
    table = read_table(
        run.read_file(), run.filename, encoding=run.encoding, delimiter=run.delimiter
    )
    options = engine.Options(
        mapping={int(k): v for k, v in run.mapping.items()},
        filename=run.filename,
        consent_basis=run.consent_basis,
        source=run.source,
        on_match=run.on_match,
        import_id=run.pk,
    )

    large = run.total_rows >= PARALLEL_ROWS
    # Large imports write in threads while this one prepares the next chunks. A helper process
    # normalizes too when there are cores enough: with two, the database's writes keep one busy
    # and this process the other, and the helper would only add the cost of sending rows over.
    parallel = large and (os.cpu_count() or 1) > HELPER_MIN_CPUS

    def report(result: engine.Result) -> None:
        ImportRun.objects.filter(pk=run.pk).update(
            processed_rows=min(result.processed, run.total_rows)
        )
        if progress:
            progress(result)

    try:
        if run.dry_run:
            # Everything happens, then is rolled back: the counts are exact, nothing is kept.
            with transaction.atomic():
                result = engine.run(
                    table.rows, options, actor=run.created_by, now=now, progress=report,
                    parallel=parallel, write_in_threads=large,
                )  # fmt: skip
                transaction.set_rollback(True)
        else:
            # Each chunk commits by itself so other users see the progress bar move.
            result = engine.run(
                table.rows, options, actor=run.created_by, now=now, progress=report,
                parallel=parallel, write_in_threads=large,
            )  # fmt: skip
    except Exception as exc:
        logger.exception("import %s failed", run.pk)
        ImportRun.objects.filter(pk=run.pk).update(
            status=ImportRun.Status.FAILED, failure=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )  # fmt: skip
        run.refresh_from_db()
        return run
    if not run.dry_run and result.written:
        leads_written_in_bulk.send(sender=ImportRun, ranges=id_ranges(result.written))
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportRun.Status.DONE,
        processed_rows=run.total_rows,
        created=result.created,
        updated=result.updated,
        merged=result.merged,
        skipped=result.skipped,
        duplicates_flagged=result.duplicates_flagged,
        errors=result.errors,
        finished_at=timezone.now(),
    )
    run.refresh_from_db()
    return run
