"""What each activity kind is called and which department it belongs to when nobody acted.

Kinds are dotted: the part before the first dot is the family ('email' in 'email.clicked').
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import Department


@dataclass(frozen=True)
class Kind:
    label: str | Promise
    department: str = Department.SYSTEM
    template: str = "timeline/kinds/generic.html"
    # Audit-only kinds do not count as the lead's "last activity".
    audit: bool = False


KINDS: dict[str, Kind] = {
    "lead.created": Kind(_("Lead created"), template="timeline/kinds/lead_created.html"),
    "lead.updated": Kind(_("Fields changed"), template="timeline/kinds/changes.html", audit=True),
    "lead.deleted": Kind(_("Lead deleted"), audit=True),
    "lead.imported": Kind(_("Imported"), Department.MARKETING, "timeline/kinds/imported.html"),
    "lead.merged": Kind(_("Merged with a duplicate"), template="timeline/kinds/merged.html"),
    "company.merged": Kind(
        _("Merged with a duplicate company"), template="timeline/kinds/merged.html"
    ),
    "consent.grant": Kind(
        _("Consent granted"), Department.MARKETING, "timeline/kinds/consent.html"
    ),
    "consent.withdraw": Kind(
        _("Consent withdrawn"), Department.MARKETING, "timeline/kinds/consent.html"
    ),
    "consent.refuse": Kind(
        _("Consent refused"), Department.MARKETING, "timeline/kinds/consent.html"
    ),
    "company.created": Kind(_("Company created")),
    "company.updated": Kind(
        _("Company fields changed"), template="timeline/kinds/changes.html", audit=True
    ),
    "company.deleted": Kind(_("Company deleted"), audit=True),
    "note.added": Kind(_("Note"), template="timeline/kinds/note.html"),
    "note.deleted": Kind(_("Note deleted"), audit=True),
    "page.viewed": Kind(_("Viewed a page"), Department.MARKETING, "timeline/kinds/page.html"),
    "email.sent": Kind(_("E-mail sent"), Department.MARKETING, "timeline/kinds/email.html"),
    "email.opened": Kind(_("Opened an e-mail"), Department.MARKETING, "timeline/kinds/email.html"),
    "email.clicked": Kind(
        _("Clicked a link in an e-mail"), Department.MARKETING, "timeline/kinds/email.html"
    ),
    "form.submitted": Kind(_("Submitted a form"), Department.MARKETING, "timeline/kinds/form.html"),
    "event.attended": Kind(
        _("Attended an event"), Department.MARKETING, "timeline/kinds/event.html"
    ),
    "call.logged": Kind(_("Call"), Department.INSIDE_SALES, "timeline/kinds/sales.html"),
    "meeting.held": Kind(_("Meeting"), Department.FIELD_SALES, "timeline/kinds/sales.html"),
    "visit.logged": Kind(_("Visit"), Department.FIELD_SALES, "timeline/kinds/sales.html"),
    "user.created": Kind(_("User created"), audit=True),
    "user.updated": Kind(_("User changed"), template="timeline/kinds/changes.html", audit=True),
    "team.created": Kind(_("Team created"), audit=True),
    "team.updated": Kind(_("Team changed"), audit=True),
    "token.created": Kind(_("API token created"), audit=True),
    "token.revoked": Kind(_("API token revoked"), audit=True),
    "scoring.rules_changed": Kind(_("Scoring rules changed"), Department.MARKETING, audit=True),
    "scoring.model_trained": Kind(_("Likelihood model trained"), audit=True),
    "screen.viewed": Kind(
        _("Viewed an app screen"), Department.MARKETING, "timeline/kinds/page.html"
    ),
    "visitor.identified": Kind(
        _("Identified on the website"), Department.MARKETING, "tracking/kinds/identified.html"
    ),
    "source.created": Kind(_("Tracking source created"), audit=True),
    "source.updated": Kind(_("Tracking source changed"), audit=True),
    "source.key_rotated": Kind(_("Tracking write key rotated"), audit=True),
    # journey and hand-off (stage moves and the system's steps do not count as lead activity)
    "journey.stage_changed": Kind(
        _("Moved to another stage"), template="journey/kinds/stage_changed.html", audit=True
    ),
    "journey.changed": Kind(_("Journey changed"), Department.MARKETING, audit=True),
    "handoff.assigned": Kind(
        _("Handed off to sales"), Department.INSIDE_SALES, "handoff/kinds/handoff.html", audit=True
    ),
    "handoff.reassigned": Kind(
        _("Reassigned"), Department.INSIDE_SALES, "handoff/kinds/handoff.html", audit=True
    ),
    "handoff.escalated": Kind(
        _("First-touch SLA missed"),
        Department.INSIDE_SALES,
        "handoff/kinds/handoff.html",
        audit=True,
    ),
    "handoff.accepted": Kind(
        _("Accepted by sales"), Department.INSIDE_SALES, "handoff/kinds/handoff.html"
    ),
    "handoff.rejected": Kind(
        _("Rejected by sales"), Department.INSIDE_SALES, "handoff/kinds/handoff.html"
    ),
    "handoff.hot_lead": Kind(
        _("Hot lead alert"), Department.MARKETING, "handoff/kinds/handoff.html", audit=True
    ),
    "handoff.settings_changed": Kind(_("Hand-off settings changed"), audit=True),
    "form.confirmed": Kind(
        _("Confirmed a form by e-mail"), Department.MARKETING, "webforms/kinds/confirmed.html"
    ),
    "webform.created": Kind(_("Form created"), Department.MARKETING, audit=True),
    "webform.updated": Kind(_("Form changed"), Department.MARKETING, audit=True),
    "webform.published": Kind(_("Form published"), Department.MARKETING, audit=True),
    "webform.closed": Kind(_("Form closed"), Department.MARKETING, audit=True),
    "webform.draft": Kind(_("Form back to draft"), Department.MARKETING, audit=True),
    "webform.deleted": Kind(_("Form deleted"), Department.MARKETING, audit=True),
    "webform.purpose_published": Kind(
        _("Purpose-of-use text published"), Department.MARKETING, audit=True
    ),
    "deal.created": Kind(_("Deal created"), Department.FIELD_SALES, "timeline/kinds/deal.html"),
    "deal.stage_changed": Kind(_("Deal moved"), Department.FIELD_SALES, "timeline/kinds/deal.html"),
    "deal.won": Kind(_("Deal won"), Department.FIELD_SALES, "timeline/kinds/deal.html"),
    "deal.lost": Kind(_("Deal lost"), Department.FIELD_SALES, "timeline/kinds/deal.html"),
    "deal.after_follow": Kind(
        _("After-follow status"), Department.CUSTOMER_SUCCESS, "timeline/kinds/deal.html"
    ),
    "meeting.scheduled": Kind(
        _("Appointment set"), Department.INSIDE_SALES, "timeline/kinds/deal.html"
    ),
    "task.completed": Kind(_("Task done"), template="timeline/kinds/deal.html"),
}

GENERIC = Kind(_("Activity"))
# Open-ended families share one spec: track.<event name> from the tracking snippet/API.
FAMILY_KINDS: dict[str, Kind] = {
    "track": Kind(
        _("Did something on the website"), Department.MARKETING, "tracking/kinds/track.html"
    ),
}


def get(kind: str) -> Kind:
    return KINDS.get(kind) or FAMILY_KINDS.get(kind.split(".", 1)[0], GENERIC)


# The families offered as timeline filters, in the order people look for them.
FAMILIES: dict[str, str | Promise] = {
    "note": _("Notes"),
    "call": _("Calls"),
    "meeting": _("Meetings"),
    "visit": _("Visits"),
    "email": _("E-mails"),
    "page": _("Web visits"),
    "form": _("Forms"),
    "event": _("Events"),
    "deal": _("Deals"),
    "track": _("Website actions"),
    "lead": _("Record changes"),
    "company": _("Company changes"),
}


def families() -> list[str]:
    return list(FAMILIES)
