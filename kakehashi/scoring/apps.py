from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "kakehashi.scoring"
    verbose_name = _("Scoring")

    def ready(self) -> None:
        # Scores move inside the transaction that records each activity.
        from kakehashi.leads import merge

        from . import engine, tasks  # noqa: F401

        # Scores are derived: the loser's go with it, and `lead.merged` rescores the survivor
        # from the activities it now holds (engine.REBUILD_KINDS).
        merge.on_lead_merge("scoring.LeadScore", "lead", merge.CASCADE)
        merge.on_lead_merge("scoring.ScoreEvent", "lead", merge.CASCADE)
