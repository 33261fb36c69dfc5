from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HandoffConfig(AppConfig):
    name = "kakehashi.handoff"
    verbose_name = _("Hand-off to sales")

    def ready(self) -> None:
        # After scoring and the journey: the score has moved and the lead has moved.
        from kakehashi.journey import engine as _journey  # noqa: F401

        from . import (
            engine,  # noqa: F401
            merging,
        )

        merging.register()
