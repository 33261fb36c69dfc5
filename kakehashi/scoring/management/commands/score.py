from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from kakehashi.leads.models import Lead
from kakehashi.scoring import predict, recompute
from kakehashi.scoring.models import Score


class Command(BaseCommand):
    help = "Lead scores: recompute after rule changes, train the likelihood-to-close model."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        again = sub.add_parser("recompute", help="rebuild every lead's score from the timeline")
        again.add_argument("--score", type=int, help="only this score id (default: every active)")
        again.add_argument("--batch", type=int, default=2000, help="leads per transaction")
        again.add_argument("--json", action="store_true")
        train = sub.add_parser("train", help="train on a time-ordered split and report")
        train.add_argument("--json", action="store_true")
        train.add_argument("--dry-run", action="store_true", help="report without storing")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "recompute":
            self._recompute(options)
        else:
            self._train(options)

    def _recompute(self, options: Any) -> None:
        scores = Score.objects.filter(active=True)
        if options["score"]:
            scores = Score.objects.filter(pk=options["score"])
            if not scores.exists():
                raise CommandError(f"no score with id {options['score']}")
        if options["batch"] < 1:
            raise CommandError("--batch must be at least 1")
        results = []
        total = Lead.objects.count()
        for score in scores:
            with tqdm(total=total, unit="lead", desc=score.name, disable=options["json"]) as bar:
                try:
                    results.append(
                        recompute.recompute_score(
                            score_id=score.pk,
                            now=timezone.now(),
                            batch_size=options["batch"],
                            progress=bar.update,  # type: ignore[arg-type]
                        )
                    )
                except recompute.Superseded:
                    raise CommandError(
                        f"the rules of {score.name} changed during the recompute; run it again"
                    ) from None
        if options["json"]:
            self.stdout.write(json.dumps(results, ensure_ascii=False))
        elif not results:
            self.stdout.write("no active score to recompute")

    def _train(self, options: Any) -> None:
        now = timezone.now()
        try:
            bundle, report = predict.train(now=now)
        except predict.NotEnoughOutcomes as exc:
            raise CommandError(
                f"not enough outcomes to train ({exc.wins} won, {exc.losses} lost; need "
                f"{predict.MIN_OUTCOMES} with {predict.MIN_PER_CLASS} of each); leads are "
                "ranked by the rule score meanwhile"
            ) from None
        if not options["dry_run"]:
            report["version"] = predict.store(bundle, report, now=now).version
        keys = ("n_train", "n_test", "auc_model", "auc_rules", "precision_at_top_10pct",
                "calibration_error")  # fmt: skip
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False))
            return
        for key in (*keys, "version"):
            if key in report:
                self.stdout.write(f"{key}: {report[key]}")
