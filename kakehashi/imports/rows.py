"""One spreadsheet row → the normalized lead it describes, or the reasons it cannot be imported.

Pure: no database. The engine batches the results and decides what to create or update.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from kakehashi.consent.hashing import address_hash
from kakehashi.leads import derive
from kakehashi.lib import gcpause, normalize
from kakehashi.lib.jp import PREFECTURE_BY_NAME

from .mapping import CUSTOM_PREFIX, IGNORE

CONSENT_VALUES = {
    "consent": "consent", "optin": "consent", "opt-in": "consent", "yes": "consent", "y": "consent",
    "true": "consent", "1": "consent", "同意": "consent", "同意済": "consent", "同意済み": "consent",
    "済": "consent", "はい": "consent", "希望": "consent", "可": "consent", "許諾": "consent",
    "business_card": "business_card", "名刺": "business_card", "名刺交換": "business_card",
    "customer": "customer", "取引先": "customer", "既存顧客": "customer", "取引関係": "customer",
    "published": "published", "公表": "published", "公表アドレス": "published",
    "none": "none", "no": "none", "n": "none", "false": "none", "0": "none", "不可": "none",
    "拒否": "none", "いいえ": "none", "なし": "none", "未同意": "none", "": "",
}  # fmt: skip
OUTCOME_VALUES = {
    "won": "won", "win": "won", "closed won": "won", "受注": "won", "成約": "won",
    "lost": "lost", "closed lost": "lost", "失注": "lost", "不成約": "lost",
    "customer": "customer", "顧客": "customer", "既存顧客": "customer",
    "disqualified": "disqualified", "対象外": "disqualified", "": "",
}  # fmt: skip
SOURCE_VALUES = {
    "web": "web", "website": "web", "web サイト": "web", "webサイト": "web", "form": "form",
    "webフォーム": "form", "trade_show": "trade_show", "trade show": "trade_show", "展示会": "trade_show",
    "event": "event", "seminar": "event", "セミナー": "event", "イベント": "event",
    "referral": "referral", "紹介": "referral", "ad": "ad", "advertising": "ad", "広告": "ad",
    "email": "email", "phone": "phone", "電話": "phone", "import": "import", "other": "other",
    "その他": "other",
}  # fmt: skip
_ADDRESS = re.compile(
    r"^(?P<pref>東京都|北海道|(?:京都|大阪)府|.{2,3}県)?(?P<city>.+?[市区町村])?(?P<rest>.*)$"
)
_NAME_SPLIT = re.compile(r"[\s\u3000]+")
# Plain lowercase ASCII addresses, a strict subset of what Django's validator accepts (a property
# test holds it to that): most rows match and skip the validator's slower general checks.
PLAIN_EMAIL = re.compile(
    r"[a-z0-9_%+-]+(?:\.[a-z0-9_%+-]+)*@"
    r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\Z"
)


@dataclass
class Row:
    """A normalized row: lead fields, company, extras, and the reasons it was refused."""

    line: int
    lead: dict[str, Any] = field(default_factory=dict)
    company_name: str = ""
    company_key: str = ""  # the folded name companies are matched by
    company_kana: str = ""
    company_domain: str = ""
    tags: list[str] = field(default_factory=list)
    consent_basis: str = ""
    outcome: str = ""
    errors: list[str] = field(default_factory=list)
    # Derived here (in the helper process for large files), redone if another row fills gaps.
    search_text: str = ""
    sort_name: str = ""
    email_hash: str = ""  # the consent ledger's keyed hash of the e-mail address
    refolded: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def match_keys(self) -> list[tuple[str, str]]:
        """How this row is recognized again: e-mail first, else phone, else name at company."""
        if self.lead.get("email"):
            return [("email", self.lead["email"])]
        keys = []
        if self.lead.get("phone"):
            keys.append(("phone", self.lead["phone"]))
        name = normalize.fold(self.lead.get("last_name", "") + self.lead.get("first_name", ""))
        if name and self.company_key:
            keys.append(("name", name + "@" + self.company_key))
        return keys


def _split_name(value: str) -> tuple[str, str]:
    parts = _NAME_SPLIT.split(value)  # already cleaned by build()
    if len(parts) < 2:
        return parts[0], ""
    if normalize.has_cjk(value):
        return parts[0], " ".join(parts[1:])  # 山田 太郎: family first
    return parts[-1], " ".join(parts[:-1])  # Jane Doe: given first


def split_address(value: str) -> tuple[int | None, str, str]:
    text = normalize.clean(value)
    match = _ADDRESS.match(text)
    if not match:
        return None, "", text
    pref = match.group("pref") or ""
    code = PREFECTURE_BY_NAME.get(pref)
    if pref and code is None:  # "xx県" that is not a prefecture: keep everything as street
        return None, "", text
    return code, (match.group("city") or "").strip(), (match.group("rest") or "").strip()


def build(
    line: int,
    cells: list[str],
    mapping: dict[int, str],
    *,
    default_basis: str = "",
    default_source: str = "",
) -> Row:
    row = Row(line=line)
    values: dict[str, str] = {}
    custom: dict[str, str] = {}
    for index, target in mapping.items():
        if target == IGNORE or index >= len(cells):
            continue
        if target.startswith(CUSTOM_PREFIX):
            text = normalize.clean_multiline(cells[index])
            if text:
                custom[target[len(CUSTOM_PREFIX) :].strip()[:60]] = text[:500]
            continue
        value = normalize.clean(cells[index])
        if value:
            values[target] = value
    lead = row.lead
    errors = row.errors

    email = normalize.normalize_email(values.get("email", ""))
    if len(email) > 254:
        errors.append(_("The e-mail address is longer than 254 characters."))
        email = ""
    elif email and not PLAIN_EMAIL.match(email):
        try:
            validate_email(email)
        except ValidationError:
            errors.append(
                _("“%(value)s” is not a valid e-mail address.") % {"value": values["email"]}
            )
    lead["email"] = email

    if "full_name" in values and not (values.get("last_name") or values.get("first_name")):
        values["last_name"], values["first_name"] = _split_name(values["full_name"])
    if "full_name_kana" in values and not (
        values.get("last_name_kana") or values.get("first_name_kana")
    ):
        values["last_name_kana"], values["first_name_kana"] = _split_name(values["full_name_kana"])
    for name in ("last_name", "first_name", "department", "title", "city", "address_line"):
        lead[name] = values.get(name, "")[: 100 if name != "address_line" else 200]
    for name in ("last_name_kana", "first_name_kana"):
        lead[name] = normalize.to_katakana(values.get(name, ""))[:100]
    # A name written in katakana is its own reading (half-width business-card data).
    if not (lead["last_name_kana"] or lead["first_name_kana"]) and normalize.is_katakana(
        (lead["last_name"] + lead["first_name"]).replace(" ", "")
    ):
        lead["last_name_kana"], lead["first_name_kana"] = lead["last_name"], lead["first_name"]

    raw_phone = values.get("phone") or values.get("mobile") or ""
    phone = normalize.normalize_phone(raw_phone) if raw_phone else ""
    if raw_phone and not phone:
        errors.append(_("“%(value)s” is not a valid phone number.") % {"value": raw_phone})
    lead["phone"], lead["phone_raw"] = phone, raw_phone[:40]

    if "address" in values:
        pref, city, rest = split_address(values["address"])
        lead["prefecture"] = lead.get("prefecture") or pref
        lead["city"] = lead["city"] or city
        lead["address_line"] = lead["address_line"] or rest[:200]
    if "prefecture" in values:
        code = PREFECTURE_BY_NAME.get(values["prefecture"]) or PREFECTURE_BY_NAME.get(
            values["prefecture"].lower()
        )
        if code is None:
            errors.append(
                _("“%(value)s” is not a Japanese prefecture.") % {"value": values["prefecture"]}
            )
        lead["prefecture"] = code
    lead.setdefault("prefecture", None)

    postal = normalize.postal_digits(values.get("postal_code", ""))
    if postal and len(postal) != 7:
        errors.append(
            _("“%(value)s” is not a 7-digit postal code.") % {"value": values["postal_code"]}
        )
    lead["postal_code"] = postal

    source_text = values.get("source", "").casefold()
    source = SOURCE_VALUES.get(source_text, "") if source_text else ""
    if source_text and not source:
        custom.setdefault("source", values["source"])
    lead["source"] = source or default_source or "import"

    basis_text = values.get("consent_basis", "").casefold()
    if basis_text not in CONSENT_VALUES:
        errors.append(
            _(
                "“%(value)s” is not a consent basis (use consent, business_card, customer, published or none)."
            )
            % {"value": values["consent_basis"]}
        )
    row.consent_basis = CONSENT_VALUES.get(basis_text, "") or default_basis

    outcome_text = values.get("outcome", "").casefold()
    if outcome_text not in OUTCOME_VALUES:
        errors.append(
            _("“%(value)s” is not an outcome (use won, lost, customer or disqualified).")
            % {"value": values["outcome"]}
        )
    row.outcome = OUTCOME_VALUES.get(outcome_text, "")
    if row.outcome:
        custom["outcome"] = row.outcome

    row.company_name = values.get("company", "")[:200]
    row.company_key = normalize.normalize_company_name(row.company_name)
    row.company_kana = normalize.to_katakana(values.get("company_kana", ""))[:200]
    website = values.get("website", "")
    row.company_domain = normalize.domain_of(website) if website else ""
    row.tags = [t.strip()[:50] for t in re.split(r"[,、;]", values.get("tags", "")) if t.strip()]
    lead["custom_attributes"] = custom

    if not (email or phone or lead["last_name"] or lead["first_name"]):
        errors.append(_("The row has no name, e-mail address or phone number."))
    if not errors:
        row.search_text, row.sort_name = derive.lead_columns(lead, row.company_name)
        row.email_hash = address_hash(email) if email else ""
    return row


# The helper process that normalizes large files imports this module (no models): keep it so.
def start_helper() -> None:
    import django

    django.setup()


def build_chunk(
    chunk: list[tuple[int, list[str]]],
    mapping: dict[int, str],
    basis: str,
    source: str,
    language: str,
) -> list[Row]:
    """Normalize one chunk of rows in the given language (for the error messages)."""
    from django.utils import translation

    with translation.override(language), gcpause.paused():
        return [
            build(line, cells, mapping, default_basis=basis, default_source=source)
            for line, cells in chunk
        ]
