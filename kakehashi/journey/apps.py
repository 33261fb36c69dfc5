from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JourneyConfig(AppConfig):
    name = "kakehashi.journey"
    verbose_name = _("Buyer's journey")

    def ready(self) -> None:
        # Leads move inside the transaction that records each activity, after scoring.
        from . import (
            engine,  # noqa: F401
            merging,
        )

        merging.register()
