from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DealsConfig(AppConfig):
    name = "kakehashi.deals"
    verbose_name = _("Deals")

    def ready(self) -> None:
        from kakehashi.leads import merge

        from . import merging

        # A merged lead's deals, tasks and follow-ups belong to the survivor.
        merge.on_lead_merge("deals.DealLead", "lead", merging.move_deal_leads)
        merge.on_lead_merge("deals.Task", "lead")
        merge.on_company_merge("deals.Deal", "company")
        merge.on_company_merge("deals.Task", "company")

        from kakehashi.scoring import outcomes

        # Won and lost deals are the outcomes the likelihood model learns from (after imports).
        if merging.deal_outcomes not in outcomes.SOURCES:
            outcomes.SOURCES.append(merging.deal_outcomes)
