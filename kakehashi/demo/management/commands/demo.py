from __future__ import annotations

import argparse
import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from kakehashi.accounts.actions import generate_password
from kakehashi.demo import generate


class Command(BaseCommand):
    help = "Load a realistic bilingual demo data set (teams, users, companies, leads, timelines)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--leads", type=int, default=1000)
        parser.add_argument("--activities-per-lead", type=int, default=10)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--password", default="", help="password for the demo users")
        parser.add_argument("--json", action="store_true", help="print a JSON summary")
        parser.add_argument(
            "--showcase",
            action=argparse.BooleanOptionalAction,
            default=None,
            help="also set up a score, the BtoB journey, the hand-off, deals and a tracking "
            "source (default: on up to 20,000 leads)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["leads"] < 1 or options["activities_per_lead"] < 1:
            raise CommandError("--leads and --activities-per-lead must be at least 1")
        password = options["password"] or generate_password()
        started = time.perf_counter()
        with tqdm(total=options["leads"], unit="lead", disable=options["json"], desc="demo") as bar:
            summary = generate.generate(
                leads=options["leads"],
                activities_per_lead=options["activities_per_lead"],
                seed=options["seed"],
                password=password,
                progress=bar.update,  # type: ignore[arg-type]
            )
        elapsed = time.perf_counter() - started
        result: dict[str, Any] = {**summary.__dict__, "seconds": round(elapsed, 1)}
        showcase = options["showcase"]
        if showcase or (showcase is None and options["leads"] <= 20_000):
            from kakehashi.demo import showcase as product

            result["showcase"] = product.setup(now=timezone.now())
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            return
        self.stdout.write(
            f"{summary.leads} leads, {summary.activities} activities, {summary.notes} notes, "
            f"{summary.companies} companies in {elapsed:.1f}s"
        )
        self.stdout.write(
            f"demo users: aiko (marketing), ken (inside sales), sato (field sales), "
            f"mori (manager) …@{generate.DEMO_DOMAIN}"
        )
        self.stdout.write(
            f"demo password (shown once; existing demo users keep theirs): {password}"
        )
        if result.get("showcase"):
            made = [name for name, value in result["showcase"].items() if value]
            self.stdout.write(f"also set up: {', '.join(made) or 'nothing new'}")
