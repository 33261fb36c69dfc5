from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "kakehashi.scoring"
    verbose_name = _("Scoring")

    def ready(self) -> None:
        # Scores move inside the transaction that records each activity.
        from . import engine  # noqa: F401
