"""Where a field's answer is saved on the lead: a lead field, the company, or a custom attribute.

Targets are plain strings on `Field.maps_to`: ``lead:<field>``, ``company:name``,
``custom:<key>`` (the lead's custom attributes) or ``company_custom:<key>``.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import FieldKind

LEAD_FIELDS: dict[str, str | Promise] = {
    "email": _("E-mail"),
    "phone": _("Phone"),
    "last_name": _("Last name"),
    "first_name": _("First name"),
    "last_name_kana": _("Last name (kana)"),
    "first_name_kana": _("First name (kana)"),
    "department": _("Department"),
    "title": _("Job title"),
    "postal_code": _("Postal code"),
    "prefecture": _("Prefecture"),
    "city": _("City"),
    "address_line": _("Street address"),
}
# The kinds each lead field accepts (anything not listed takes text).
KIND_FOR = {"email": {FieldKind.EMAIL}, "phone": {FieldKind.PHONE},
            "prefecture": {FieldKind.PREFECTURE}}  # fmt: skip
CUSTOM, COMPANY_CUSTOM = "custom:", "company_custom:"
COMPANY_NAME = "company:name"


def choices() -> list[tuple[str, str | Promise]]:
    """The fixed targets offered in the builder; custom attributes are typed in."""
    return [
        ("", _("Only in the answers")),
        *[(f"lead:{name}", label) for name, label in LEAD_FIELDS.items()],
        (COMPANY_NAME, _("Company name")),
    ]


def check(target: str, kind: str) -> str | None:
    """An error message when ``target`` cannot take answers of ``kind``; None when it can."""
    if not target:
        return None
    if target.startswith((CUSTOM, COMPANY_CUSTOM)):
        key = target.split(":", 1)[1]
        return None if key and len(key) <= 50 else str(_("Name the custom attribute."))
    if target == COMPANY_NAME:
        return None if kind == FieldKind.TEXT else str(_("The company name takes a text field."))
    name = target.removeprefix("lead:")
    if not target.startswith("lead:") or name not in LEAD_FIELDS:
        return str(_("Unknown target."))
    accepted = KIND_FOR.get(name)
    if accepted is not None and kind not in accepted:
        return str(_("This lead field needs a field of the matching type."))
    if accepted is None and kind != FieldKind.TEXT:
        return str(_("This lead field takes a text field."))
    return None
