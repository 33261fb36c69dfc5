"""Who may do what. Every view and API route asks these helpers; persona tests cover each rule.

- every internal user reads every lead and company (sharing is the point);
- members edit the leads they own or their team owns; marketing edits marketing fields on any
  lead; managers and admins edit everything;
- only managers and admins export or delete; only admins manage users and teams.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .models import Function

if TYPE_CHECKING:
    from kakehashi.leads.models import Company, Lead

LEAD_FIELDS = frozenset(
    {
        "email", "phone", "last_name", "first_name", "last_name_kana", "first_name_kana",
        "company", "department", "title", "postal_code", "prefecture", "city", "address_line",
        "source", "first_touch", "owner", "team", "do_not_email", "do_not_call", "do_not_mail",
        "tags", "custom_attributes",
    }
)  # fmt: skip
# What marketing maintains on every lead, whoever owns it.
MARKETING_FIELDS = frozenset(
    {"source", "first_touch", "tags", "custom_attributes", "do_not_email", "do_not_mail"}
)
COMPANY_FIELDS = frozenset(
    {
        "name", "name_kana", "domain", "industry", "employee_band", "prefecture", "city",
        "address_line", "phone", "website", "owner", "custom_attributes",
    }
)  # fmt: skip
NOTHING: frozenset[str] = frozenset()


def _user(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


def can_read(user: Any) -> bool:
    u = _user(user)
    return bool(u and u.is_internal)


def can_create(user: Any) -> bool:
    return can_read(user)


def owns(user: Any, record: Lead | Company) -> bool:
    if record.owner_id is not None and record.owner_id == user.id:
        return True
    team_id = getattr(record, "team_id", None)
    return team_id is not None and team_id == user.team_id


def editable_lead_fields(user: Any, lead: Lead) -> frozenset[str]:
    u = _user(user)
    if not (u and u.is_internal):
        return NOTHING
    if u.is_manager_or_admin or owns(u, lead):
        return LEAD_FIELDS
    if u.function == Function.MARKETING:
        return MARKETING_FIELDS
    return NOTHING


def can_edit_lead(user: Any, lead: Lead) -> bool:
    return bool(editable_lead_fields(user, lead))


def editable_company_fields(user: Any, company: Company) -> frozenset[str]:
    u = _user(user)
    if not (u and u.is_internal):
        return NOTHING
    if u.is_manager_or_admin or owns(u, company) or company.owner_id is None:
        return COMPANY_FIELDS
    return NOTHING


def can_delete(user: Any) -> bool:
    u = _user(user)
    return bool(u and u.is_internal and u.is_manager_or_admin)


def can_export(user: Any) -> bool:
    return can_delete(user)


def can_manage_accounts(user: Any) -> bool:
    u = _user(user)
    return bool(u and u.is_admin)
