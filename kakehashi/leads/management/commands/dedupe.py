from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from kakehashi.leads import actions
from kakehashi.leads.models import DuplicateCandidate


class Command(BaseCommand):
    help = "Find leads that are probably the same person and queue them for review."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        new = actions.scan_duplicates(now=timezone.now())
        open_pairs = DuplicateCandidate.objects.filter(status=DuplicateCandidate.Status.OPEN)
        candidates = [
            {
                "lead_a": c.lead_a_id,
                "lead_b": c.lead_b_id,
                "reason": c.reason,
                "confidence": c.confidence,
            }
            for c in open_pairs
        ]
        if options["json"]:
            self.stdout.write(json.dumps({"new": new, "candidates": candidates}))
            return
        self.stdout.write(f"{new} new possible duplicates; {len(candidates)} waiting for review")
        for c in candidates[:50]:
            self.stdout.write(
                f"  {c['lead_a']} ~ {c['lead_b']}  {c['reason']} ({c['confidence']}%)"
            )
