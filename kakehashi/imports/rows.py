"""One spreadsheet row → the normalized lead it describes, or the reasons it cannot be imported.

Pure: no database. The engine batches the results and decides what to create or update.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import jaconv
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from kakehashi.consent.hashing import address_hash, clean_address_hash, hash_key_bytes
from kakehashi.leads import derive
from kakehashi.lib import gcpause, normalize
from kakehashi.lib.bulk import COPY_NULL, copy_line, copy_strings, copy_text
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
# Plain lowercase ASCII addresses, a strict subset of what Django's validator accepts (a property
# test holds it to that): most rows match and skip the validator's slower general checks.
PLAIN_EMAIL = re.compile(
    r"[a-z0-9_%+-]+(?:\.[a-z0-9_%+-]+)*@"
    r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\Z"
)


@dataclass(slots=True)
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
    # The new lead's columns after its id and company (LEAD_COLUMNS), made by `LeadLine`.
    segment: str | tuple[Any, ...] | None = None

    def __reduce__(self) -> tuple[Any, ...]:
        # The helper sends 10,000 rows at a time: as flat tuples they load in a third of the
        # time a dataclass's instance dict takes.
        keys = tuple(self.lead)
        return (_unpack, (
            self.line, None if keys == LEAD_KEYS else keys, tuple(self.lead.values()),
            self.company_name, self.company_key, self.company_kana, self.company_domain,
            self.tags, self.consent_basis, self.outcome, self.errors, self.search_text,
            self.sort_name, self.email_hash, self.refolded, self.segment,
        ))  # fmt: skip

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


def _unpack(line: int, keys: tuple[str, ...] | None, values: tuple[Any, ...], *rest: Any) -> Row:
    return Row(line, dict(zip(keys or LEAD_KEYS, values, strict=True)), *rest)


# The keys build() gives a lead, in its order.
LEAD_KEYS = (
    "email", "last_name", "first_name", "department", "title", "city", "address_line",
    "last_name_kana", "first_name_kana", "phone", "phone_raw", "prefecture", "postal_code",
    "source", "custom_attributes",
)  # fmt: skip
# The fields an import may set or change on a lead (never owner, consent state or scores).
UPDATABLE = (
    "email", "phone", "phone_raw", "last_name", "first_name", "last_name_kana", "first_name_kana",
    "department", "title", "postal_code", "prefecture", "city", "address_line",
)  # fmt: skip
# The text columns a new lead takes from its row, in LEAD_COLUMNS order.
TEXT_FIELDS = (
    "email", "phone", "phone_raw", "last_name", "first_name", "last_name_kana", "first_name_kana",
    "department", "title", "postal_code", "city", "address_line", "source",
)  # fmt: skip
# A new lead's columns: its id and company come from the database, the rest from the row.
LEAD_COLUMNS = (
    "id", "company_id", "prefecture", *TEXT_FIELDS, "search_text", "sort_name",
    "custom_attributes", "email_consent", "first_touch", "do_not_email", "do_not_call",
    "do_not_mail", "created_at", "updated_at", "last_activity_at",
)  # fmt: skip
GRANTING_BASES = frozenset({"consent", "business_card", "customer", "published"})


@dataclass(frozen=True)
class LeadLine:
    """How a new lead's row is written, but for its id and company: as COPY text for
    PostgreSQL (joined to the id with an f-string at write time), as values otherwise."""

    filename: str
    now: datetime
    text: bool

    def __call__(self, row: Row, search_text: str, sort_name: str) -> str | tuple[Any, ...]:
        lead = row.lead
        strings = [*map(lead.__getitem__, TEXT_FIELDS), search_text, sort_name]
        custom = lead["custom_attributes"] or {}
        # A new lead's ledger holds just this import's grant, if any: its state is known.
        consent = "granted" if row.consent_basis in GRANTING_BASES else "unknown"
        if not self.text:
            return (lead["prefecture"], *strings, custom, consent, *self._same)
        prefecture = lead["prefecture"]
        return (
            f"{COPY_NULL if prefecture is None else prefecture}\t{copy_strings(strings)}\t"
            f"{copy_text(custom) if custom else '{}'}\t{consent}\t{self._same_text}"
        )

    @functools.cached_property
    def _same(self) -> tuple[Any, ...]:
        """The columns every new lead of the import has alike."""
        return (self.filename[:200], False, False, False, self.now, self.now, self.now)

    @functools.cached_property
    def _same_text(self) -> str:
        return copy_line(self._same)


def _split_name(value: str) -> tuple[str, str]:
    # Cleaned by build(): its only white space is single spaces.
    parts = value.split(" ")
    if len(parts) < 2:
        return parts[0], ""
    if normalize.has_cjk(value):
        return parts[0], " ".join(parts[1:])  # 山田 太郎: family first
    return parts[-1], " ".join(parts[:-1])  # Jane Doe: given first


def split_address(value: str) -> tuple[int | None, str, str]:
    return _split_clean_address(normalize.clean(value))


def _split_clean_address(text: str) -> tuple[int | None, str, str]:
    match = _ADDRESS.match(text)
    if not match:
        return None, "", text
    pref = match.group("pref") or ""
    code = PREFECTURE_BY_NAME.get(pref)
    if pref and code is None:  # "xx県" that is not a prefecture: keep everything as street
        return None, "", text
    return code, (match.group("city") or "").strip(), (match.group("rest") or "").strip()


@dataclass(frozen=True)
class Plan:
    """A mapping worked out once per file: which cells feed which field, which are extras."""

    fields: tuple[tuple[int, str], ...]
    custom: tuple[tuple[int, str], ...]

    @classmethod
    def of(cls, mapping: dict[int, str]) -> Plan:
        fields, custom = [], []
        for index, target in mapping.items():
            if target == IGNORE:
                continue
            if target.startswith(CUSTOM_PREFIX):
                custom.append((index, target[len(CUSTOM_PREFIX) :].strip()[:60]))
            else:
                fields.append((index, target))
        return cls(tuple(fields), tuple(custom))


def build(
    line: int,
    cells: list[str],
    mapping: dict[int, str] | Plan,
    *,
    default_basis: str = "",
    default_source: str = "",
    hash_key: bytes | None = None,
) -> Row:
    """Normalize one row. Every value is cleaned once (NFKC, spaces) on the way in; the steps
    after that work on clean text and do not clean it again."""
    plan = mapping if isinstance(mapping, Plan) else Plan.of(mapping)
    row = Row(line=line)
    values: dict[str, str] = {}
    custom: dict[str, str] = {}
    width = len(cells)
    clean, clean_unicode, odd_space = (
        normalize.clean,
        normalize.clean_unicode,
        normalize.ODD_SPACE.search,
    )
    for index, target in plan.fields:
        if index < width:
            cell = cells[index]
            # normalize.clean of a string, without its wrapper: plain ASCII inlined, the rest
            # straight to its cache.
            if not cell.isascii():
                value = clean_unicode(cell)
            else:
                value = clean(cell) if odd_space(cell) else cell.strip()
            if value:
                values[target] = value
    for index, name in plan.custom:
        if index < width and (text := normalize.clean_multiline(cells[index])):
            custom[name] = text[:500]
    lead = row.lead
    errors = row.errors
    get = values.get

    raw_email = get("email", "")
    email = raw_email.replace(" ", "").lower()  # normalize.normalize_email of a clean value
    if len(email) > 254:
        errors.append(_("The e-mail address is longer than 254 characters."))
        email = ""
    elif email and not PLAIN_EMAIL.match(email):
        try:
            validate_email(email)
        except ValidationError as invalid:
            # The error lists itself (error_list): a cycle, freed only by the cyclic collector
            # (paused during imports). Its traceback would keep this frame and its callers'
            # alive with it, the whole import's state among them, until the import ends.
            invalid.__traceback__ = None
            errors.append(_("“%(value)s” is not a valid e-mail address.") % {"value": raw_email})
    lead["email"] = email

    if "full_name" in values and not (get("last_name") or get("first_name")):
        values["last_name"], values["first_name"] = _split_name(values["full_name"])
    if "full_name_kana" in values and not (get("last_name_kana") or get("first_name_kana")):
        values["last_name_kana"], values["first_name_kana"] = _split_name(values["full_name_kana"])
    lead["last_name"] = get("last_name", "")[:100]
    lead["first_name"] = get("first_name", "")[:100]
    lead["department"] = get("department", "")[:100]
    lead["title"] = get("title", "")[:100]
    lead["city"] = get("city", "")[:100]
    lead["address_line"] = get("address_line", "")[:200]
    lead["last_name_kana"] = _katakana(get("last_name_kana", ""))[:100]
    lead["first_name_kana"] = _katakana(get("first_name_kana", ""))[:100]
    # A name written in katakana is its own reading (half-width business-card data).
    if not (lead["last_name_kana"] or lead["first_name_kana"]) and normalize.is_katakana(
        (lead["last_name"] + lead["first_name"]).replace(" ", "")
    ):
        lead["last_name_kana"], lead["first_name_kana"] = lead["last_name"], lead["first_name"]

    raw_phone = get("phone") or get("mobile") or ""
    phone = normalize.normalize_phone(raw_phone) if raw_phone else ""
    if raw_phone and not phone:
        errors.append(_("“%(value)s” is not a valid phone number.") % {"value": raw_phone})
    lead["phone"], lead["phone_raw"] = phone, raw_phone[:40]

    if "address" in values:
        pref, city, rest = _split_clean_address(values["address"])
        lead["prefecture"] = pref
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

    raw_postal = get("postal_code", "")
    postal = _NON_DIGITS.sub("", raw_postal) if raw_postal else ""
    if postal and len(postal) != 7:
        errors.append(_("“%(value)s” is not a 7-digit postal code.") % {"value": raw_postal})
    lead["postal_code"] = postal

    source_text = get("source", "").casefold()
    source = SOURCE_VALUES.get(source_text, "") if source_text else ""
    if source_text and not source:
        custom.setdefault("source", values["source"])
    lead["source"] = source or default_source or "import"

    basis_text = get("consent_basis", "").casefold()
    if basis_text not in CONSENT_VALUES:
        errors.append(
            _(
                "“%(value)s” is not a consent basis (use consent, business_card, customer, published or none)."
            )
            % {"value": values["consent_basis"]}
        )
    row.consent_basis = CONSENT_VALUES.get(basis_text, "") or default_basis

    outcome_text = get("outcome", "").casefold()
    if outcome_text not in OUTCOME_VALUES:
        errors.append(
            _("“%(value)s” is not an outcome (use won, lost, customer or disqualified).")
            % {"value": values["outcome"]}
        )
    row.outcome = OUTCOME_VALUES.get(outcome_text, "")
    if row.outcome:
        custom["outcome"] = row.outcome

    row.company_name = get("company", "")[:200]
    row.company_key = normalize.normalize_company_name(row.company_name)
    if "company_kana" in values:
        row.company_kana = _katakana(values["company_kana"])[:200]
    if "website" in values:
        row.company_domain = normalize.domain_of(values["website"])
    if "tags" in values:
        row.tags = [t.strip()[:50] for t in _TAG_SPLIT.split(values["tags"]) if t.strip()]
    lead["custom_attributes"] = custom

    if not (email or phone or lead["last_name"] or lead["first_name"]):
        errors.append(_("The row has no name, e-mail address or phone number."))
    if not errors:
        row.search_text, row.sort_name = derive.normalized_lead_columns(lead, row.company_name)
        if email:
            # An ASCII address is already in the form address_hash() would bring it to.
            row.email_hash = (
                clean_address_hash(hash_key or hash_key_bytes(), email)
                if email.isascii()
                else address_hash(email)
            )
    return row


_NON_DIGITS = re.compile(r"\D")
_TAG_SPLIT = re.compile(r"[,、;]")


@functools.lru_cache(maxsize=4096)
def _katakana(clean_text: str) -> str:
    """normalize.to_katakana of an already clean value (readings repeat a lot)."""
    return jaconv.hira2kata(clean_text)


# The helper process that normalizes large files imports this module (no models): keep it so.
def start_helper() -> None:
    import gc

    import django
    from django.conf import settings

    # Settings and the translation catalogs (LOCALE_PATHS and Django's own) are all this
    # process needs: without the apps it starts in a third of the time, and a model imported
    # by mistake fails at once instead of slowing every import down.
    settings.INSTALLED_APPS = []
    django.setup()
    # Everything it makes is acyclic and freed by reference counting. The cyclic collector
    # took a tenth of its time (unpickling chunks, pickling rows: outside build_chunk's
    # pause), finding nothing.
    gc.disable()


def build_chunk(
    chunk: list[tuple[int, list[str]]],
    mapping: dict[int, str],
    basis: str,
    source: str,
    language: str,
    lead_line: LeadLine | None = None,
) -> list[Row]:
    """Normalize one chunk of rows in the given language (for the error messages), each good
    row with its new lead's `segment` when ``lead_line`` is given."""
    from django.utils import translation

    plan = Plan.of(mapping)
    key = hash_key_bytes()
    with translation.override(language), gcpause.paused():
        built = [
            build(line, cells, plan, default_basis=basis, default_source=source, hash_key=key)
            for line, cells in chunk
        ]
        if lead_line is not None:
            for row in built:
                if not row.errors:
                    row.segment = lead_line(row, row.search_text, row.sort_name)
        return built
