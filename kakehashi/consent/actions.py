"""Recording consent: append to the ledger, then refresh the lead's effective state."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction

from kakehashi.lib.bulk import copy_line, copy_lines, copy_text, insert_rows
from kakehashi.timeline.actions import record

from . import rules
from .hashing import address_hash
from .models import Action, Basis, Channel, ConsentEvent

if TYPE_CHECKING:
    from kakehashi.accounts.models import User
    from kakehashi.leads.models import Lead


def state_for(lead_id: int, channel: str = Channel.EMAIL) -> str:
    """The lead's consent for its current address: events for other addresses do not count."""
    from kakehashi.leads.models import Lead

    email = Lead.objects.filter(pk=lead_id).values_list("email", flat=True).first() or ""
    events = ConsentEvent.objects.filter(
        lead_id=lead_id, channel=channel, address_hash=address_hash(email) if email else ""
    ).values_list("action", "basis", "occurred_at", "id")
    return rules.effective_state(rules.Event(*row) for row in events)


def refresh_lead_state(lead_ids: Iterable[int], *, chunk: int = 2000) -> None:
    """Recompute the e-mail consent of many leads: one read and ≤ 4 updates per chunk."""
    from kakehashi.leads.models import Lead

    ids = sorted(set(lead_ids))
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        events: dict[int, list[rules.Event]] = {i: [] for i in part}
        current = {
            pk: address_hash(email) if email else ""
            for pk, email in Lead.objects.filter(pk__in=part).values_list("pk", "email")
        }
        rows = ConsentEvent.objects.filter(lead_id__in=part, channel=Channel.EMAIL).values_list(
            "lead_id", "action", "basis", "occurred_at", "id", "address_hash"
        )
        for lead_id, action, basis, occurred_at, order, hashed in rows:
            if hashed == current.get(lead_id):
                events[lead_id].append(rules.Event(action, basis, occurred_at, order))
        by_state: dict[str, list[int]] = {}
        for lead_id, lead_events in events.items():
            by_state.setdefault(rules.effective_state(lead_events), []).append(lead_id)
        for state, state_ids in by_state.items():
            Lead.objects.filter(pk__in=state_ids).update(email_consent=state)


@transaction.atomic
def record_consent(
    *,
    lead: Lead,
    action: str,
    method: str,
    basis: str,
    now: datetime,
    channel: str = Channel.EMAIL,
    purpose: str = "marketing",
    text: str = "",
    text_version: str = "",
    source: str = "",
    ip: str | None = None,
    user_agent: str = "",
    actor: User | None = None,
) -> ConsentEvent:
    event = ConsentEvent.objects.create(
        lead=lead,
        address=lead.email,
        address_hash=address_hash(lead.email) if lead.email else "",
        channel=channel,
        purpose=purpose,
        action=action,
        method=method,
        basis=basis,
        text=text,
        text_version=text_version,
        source=source[:500],
        ip=ip,
        user_agent=user_agent[:500],
        occurred_at=now,
        actor=actor,
    )
    if channel == Channel.EMAIL:
        lead.email_consent = state_for(lead.pk)
        type(lead).objects.filter(pk=lead.pk).update(email_consent=lead.email_consent)
    record(
        kind=f"consent.{action}",
        lead=lead,
        actor=actor,
        occurred_at=now,
        data={"channel": channel, "method": method, "basis": basis, "source": source[:200]},
    )
    return event


COLUMNS = (
    "lead_id", "address", "address_hash", "basis", "channel", "purpose", "action", "method",
    "text", "text_version", "source", "ip", "user_agent", "occurred_at", "actor_id",
)  # fmt: skip


def record_import_grants(
    *,
    grants: list[tuple[Any, str, str, str | None]],
    source: str,
    actor: User | None,
    now: datetime,
    new_leads: Collection[int] = frozenset(),
    refresh: bool = True,
) -> list[int]:
    """Bulk ledger entries for an import: (lead_id, address, basis, hash) per row with a basis;
    the hash of the address when the caller has it already, else None.

    Leads in ``new_leads`` were created by this import with their state already set (a grant
    and nothing before it), so only the others are recomputed from the ledger: here, or by the
    caller with `refresh_lead_state` on the ids returned when ``refresh`` is false.
    """
    granted = [
        (lead_id, address, known if known is not None else address_hash(address) if address else "",
         basis)
        for lead_id, address, basis, known in grants
        if basis and basis != Basis.NONE
    ]  # fmt: skip
    # What every entry of the import says alike, after its lead, address, hash and basis.
    same = (Channel.EMAIL, "marketing", Action.GRANT, "import", "", "", source[:500], None, "",
            now, actor.pk if actor else None)  # fmt: skip
    if connection.vendor == "postgresql":
        tail = copy_line(same)
        copy_lines(ConsentEvent._meta.db_table, COLUMNS, [
            f"{lead_id}\t{copy_text(address)}\t{hashed}\t{basis}\t{tail}"
            for lead_id, address, hashed, basis in granted
        ])  # fmt: skip
    else:
        insert_rows(ConsentEvent._meta.db_table, COLUMNS, [(*g, *same) for g in granted])
    stale = [g[0] for g in granted if g[0] not in new_leads]
    if refresh:
        refresh_lead_state(stale)
    return stale
