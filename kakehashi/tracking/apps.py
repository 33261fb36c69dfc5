from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrackingConfig(AppConfig):
    name = "kakehashi.tracking"
    verbose_name = _("Web tracking")

    def ready(self) -> None:
        try:
            from kakehashi.leads import merge  # type: ignore[attr-defined,unused-ignore]
        except ImportError:  # pragma: no cover - lead merging lands with the dedupe work
            return
        # REL-MRG-1: the loser's browsers, user ids and events follow the survivor, so old
        # cookies and ids keep resolving to the one lead.
        merge.on_lead_merge("tracking.Event", "lead")
        merge.on_lead_merge("tracking.Visitor", "lead")
        merge.on_lead_merge("tracking.KnownUser", "lead")
