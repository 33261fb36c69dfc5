from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kakehashi import bench

from .serve import default_workers


class Command(BaseCommand):
    help = "Benchmarks, each figure next to a baseline measured in the same run."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="scenario", required=True)
        lead_list = sub.add_parser("lead-list", help="lead list and detail pages at scale")
        lead_list.add_argument("--leads", type=int, default=100_000)
        lead_list.add_argument("--activities-per-lead", type=int, default=10)
        lead_list.add_argument("--repeat", type=int, default=20)
        ingest = sub.add_parser("ingest", help="event ingestion through gunicorn, with retries")
        ingest.add_argument("--events", type=int, default=200_000)
        ingest.add_argument("--concurrency", type=int, default=4, help="client processes")
        ingest.add_argument(
            "--workers", type=int, default=default_workers(), help="gunicorn workers, as serve"
        )
        ingest.add_argument(
            "--rounds", type=int, default=2, help="timed rounds of the endpoint and of its floor"
        )
        ingest.add_argument("--json", action="store_true")
        ingest.add_argument("--bench-data-dir", help="reuse this data dir (SQLite) between runs")
        ingest.add_argument("--inner", action="store_true", help=_INTERNAL)
        scoring = sub.add_parser("scoring", help="lead scoring: ingestion cost, full recompute")
        scoring.add_argument("--leads", type=int, default=100_000)
        scoring.add_argument("--activities", type=int, default=2_000_000)
        scoring.add_argument(
            "--ingest", type=int, default=5000, help="activities recorded with scoring on, and off"
        )
        scoring.add_argument("--json", action="store_true")
        scoring.add_argument("--bench-data-dir", help="reuse this data dir (SQLite) between runs")
        scoring.add_argument("--inner", action="store_true", help=_INTERNAL)
        handoff = sub.add_parser(
            "handoff", help="qualifying activity to assigned lead, next to recording without it"
        )
        handoff.add_argument("--leads", type=int, default=1000)
        importing = sub.add_parser("import", help="lead import against parse-and-insert")
        importing.add_argument("--rows", type=int, default=100_000)
        forms = sub.add_parser("forms", help="public form submissions, next to baselines")
        forms.add_argument("--repeat", type=int, default=200)
        forms.add_argument("--json", action="store_true")
        forms.add_argument("--bench-data-dir", help="reuse this data dir (SQLite) between runs")
        forms.add_argument("--inner", action="store_true", help=_INTERNAL)
        for scenario in (lead_list, importing, handoff):
            scenario.add_argument("--json", action="store_true")
            scenario.add_argument(
                "--bench-data-dir", help="reuse this data dir (SQLite) between runs"
            )
            scenario.add_argument("--inner", action="store_true", help=_INTERNAL)

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["inner"]:
            argv = list(sys.argv[sys.argv.index(options["scenario"]) :])
            code = bench.run_child(argv, options.get("bench_data_dir"))
            if code:
                raise CommandError(f"benchmark failed (exit {code})")
            return
        if options["scenario"] == "lead-list":
            from kakehashi.bench import lead_list

            result = lead_list.run(
                leads=options["leads"],
                activities_per_lead=options["activities_per_lead"],
                repeat=options["repeat"],
            )
        elif options["scenario"] == "import":
            from kakehashi.bench import importing as import_bench

            result = import_bench.run(rows=options["rows"])
        elif options["scenario"] == "forms":
            from kakehashi.bench import forms as forms_bench

            result = forms_bench.run(repeat=options["repeat"])
        elif options["scenario"] == "scoring":
            from kakehashi.bench import scoring as scoring_bench

            result = scoring_bench.run(
                leads=options["leads"], activities=options["activities"], ingest=options["ingest"]
            )
        elif options["scenario"] == "handoff":
            from kakehashi.bench import handoff as handoff_bench

            result = handoff_bench.run(leads=options["leads"])
        elif options["scenario"] == "ingest":
            from kakehashi.bench import ingest as ingest_bench

            result = ingest_bench.run(
                events=options["events"],
                concurrency=options["concurrency"],
                workers=options["workers"],
                rounds=max(1, options["rounds"]),
            )
        else:  # pragma: no cover - argparse restricts the choices
            raise CommandError(options["scenario"])
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        else:
            self._print(result)

    def _print(self, result: dict[str, Any]) -> None:
        for key, value in result.items():
            if key == "pages":
                for name, figures in value.items():
                    self.stdout.write(
                        f"  {name:24} p50 {figures['p50_ms']:8.1f} ms  p95 {figures['p95_ms']:8.1f} ms"
                        f"  ×{figures['x_floor']} of floor"
                        + (f", ×{figures['x_sql']} of raw SQL" if "x_sql" in figures else "")
                    )
            else:
                self.stdout.write(f"{key}: {value}")


_INTERNAL = "internal: run in this process against the current database"
