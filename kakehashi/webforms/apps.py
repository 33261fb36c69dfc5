from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebformsConfig(AppConfig):
    name = "kakehashi.webforms"
    verbose_name = _("Forms and surveys")

    def ready(self) -> None:
        from kakehashi.leads import merge

        # REL-MRG-1: what a merged-away lead submitted belongs to the survivor.
        merge.on_lead_merge("webforms.Submission", "lead")
