from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from kakehashi.accounts.models import User
from kakehashi.imports import actions, mapping, readers
from kakehashi.imports.models import SavedMapping


class Command(BaseCommand):
    help = "Import leads from a CSV (UTF-8, CP932, UTF-16) or XLSX file."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")
        parser.add_argument(
            "--mapping", default="auto", help="auto, the name of a saved mapping, or a JSON file"
        )
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--encoding", default="", help="utf-8, cp932, utf-16 (default: detect)")
        parser.add_argument("--delimiter", default="", help="default: detect")
        parser.add_argument(
            "--consent-basis", default="", help="consent, business_card, customer, published"
        )
        parser.add_argument("--source", default="", help="lead source for the whole file")
        parser.add_argument("--on-match", choices=["update", "skip"], default="update")
        parser.add_argument("--as", dest="actor", default="", help="e-mail of the user to record")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        actor = None
        if options["actor"]:
            actor = User.objects.filter(email=options["actor"].lower(), is_active=True).first()
            if actor is None:
                raise CommandError(f"no active user {options['actor']}")
        raw = path.read_bytes()
        now = timezone.now()
        try:
            run = actions.upload(raw=raw, filename=path.name, encoding=options["encoding"],
                                 delimiter=options["delimiter"], actor=actor, now=now)  # fmt: skip
        except readers.UnreadableFile as exc:
            raise CommandError(str(exc)) from None
        header = actions.read_header(raw, path.name, encoding=run.encoding, delimiter=run.delimiter)
        columns = self._columns(options["mapping"], header)
        try:
            actions.configure(
                run=run, columns=columns, consent_basis=options["consent_basis"] or run.consent_basis,
                source=options["source"] or run.source, on_match=options["on_match"], actor=actor, now=now,
            )  # fmt: skip
        except actions.InvalidMapping as exc:
            raise CommandError("; ".join(exc.problems)) from None
        run.refresh_from_db()
        run.dry_run = options["dry_run"]
        run.status = run.Status.PENDING
        run.save(update_fields=["dry_run", "status"])
        with tqdm(total=run.total_rows, unit="row", disable=options["json"], desc="import") as bar:
            done = [0]

            def progress(result: Any) -> None:
                bar.update(result.processed - done[0])
                done[0] = result.processed

            run = actions.execute(run.pk, now=now, progress=progress)
        if run.status == run.Status.FAILED:
            raise CommandError(run.failure)
        if options["json"]:
            self.stdout.write(json.dumps(run.summary(), ensure_ascii=False))
            return
        summary = run.summary()
        self.stdout.write(
            ("dry run: " if run.dry_run else "")
            + f"{summary['created']} created, {summary['updated']} updated, {summary['merged']} merged, "
            f"{summary['skipped']} skipped, {len(run.errors)} refused, "
            f"{run.duplicates_flagged} possible duplicates to review"
        )
        for error in run.errors[:50]:
            self.stdout.write(f"  line {error['line']}: {error['reason']}")

    def _columns(self, choice: str, header: list[str]) -> dict[int, str]:
        if choice == "auto":
            return mapping.suggest(header)
        path = Path(choice)
        if path.suffix == ".json" and path.is_file():
            data = json.loads(path.read_text(encoding="utf-8"))
            suggested = mapping.suggest(header)
            return {i: data.get(name, suggested[i]) for i, name in enumerate(header)}
        saved = SavedMapping.objects.filter(name=choice).first()
        if saved is None:
            raise CommandError(f"no saved mapping named {choice!r} and no JSON file {choice!r}")
        return actions.mapping_from_saved(saved, header)
