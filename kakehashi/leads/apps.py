from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadsConfig(AppConfig):
    name = "kakehashi.leads"
    verbose_name = _("Leads")

    def ready(self) -> None:
        from . import merge

        merge.register_defaults()
