from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django.utils import timezone

from kakehashi.tracking import actions
from kakehashi.tracking.models import Source


class Command(BaseCommand):
    help = "Create, list or rotate tracking sources (websites and apps that send events)."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a source and print its write key")
        create.add_argument("name")
        create.add_argument("--origin", action="append", default=[], help="allowed site origin")
        create.add_argument("--json", action="store_true")
        sub.add_parser("list", help="list sources and their write keys")
        rotate = sub.add_parser("rotate", help="issue a new write key for a source")
        rotate.add_argument("id", type=int)
        rotate.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        if options["action"] == "list":
            for source in Source.objects.all():
                state = "enabled" if source.is_enabled else "disabled"
                self.stdout.write(f"{source.pk}\t{source.write_key}\t{state}\t{source.name}")
            return
        if options["action"] == "create":
            try:
                source = actions.create_source(
                    name=options["name"],
                    actor=None,
                    now=now,
                    allowed_origins="\n".join(options["origin"]),
                )
            except actions.SourceNameRequired:
                raise CommandError("a source needs a name") from None
        else:
            found = Source.objects.filter(pk=options["id"]).first()
            if found is None:
                raise CommandError(f"no source with id {options['id']}")
            source = actions.rotate_write_key(source=found, actor=None, now=now)
        self._print(source, as_json=options["json"])

    def _print(self, source: Source, *, as_json: bool) -> None:
        snippet = (
            f'<script async src="{settings.BASE_URL}{reverse("tracking:script")}" '
            f'data-write-key="{source.write_key}"></script>'
        )
        if as_json:
            payload = {
                "id": source.pk,
                "name": source.name,
                "write_key": source.write_key,
                "endpoint": f"{settings.BASE_URL}/v1/batch",
                "snippet": snippet,
            }
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
        else:
            self.stdout.write(f"source {source.pk}: {source.name}")
            self.stdout.write(f"write key: {source.write_key}")
            self.stdout.write(f"snippet:   {snippet}")
