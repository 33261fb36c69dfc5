"""Which column holds what: target fields, header synonyms (ja/en) and known export layouts."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kakehashi.lib.normalize import fold

IGNORE = "ignore"
CUSTOM_PREFIX = "custom:"

# Target fields, in the order the mapping step offers them.
FIELDS: dict[str, str | Promise] = {
    "email": _("E-mail"),
    "last_name": _("Last name"),
    "first_name": _("First name"),
    "full_name": _("Full name (split at the space)"),
    "last_name_kana": _("Last name (kana)"),
    "first_name_kana": _("First name (kana)"),
    "full_name_kana": _("Full name (kana)"),
    "phone": _("Phone"),
    "mobile": _("Mobile phone"),
    "company": _("Company name"),
    "company_kana": _("Company name (kana)"),
    "website": _("Company website"),
    "department": _("Department"),
    "title": _("Job title"),
    "postal_code": _("Postal code"),
    "prefecture": _("Prefecture"),
    "city": _("City"),
    "address_line": _("Street address"),
    "address": _("Full address (split into prefecture, city, street)"),
    "source": _("Lead source"),
    "tags": _("Tags (comma-separated)"),
    "consent_basis": _("Consent basis for marketing mail"),
    "outcome": _("Historical outcome (won / lost / customer)"),
    IGNORE: _("Do not import"),
}

_SYNONYMS: dict[str, list[str]] = {
    "email": ["メールアドレス", "メール", "eメール", "電子メール", "email", "e-mail", "emailaddress", "mail", "mailaddress", "e-mailaddress"],
    "last_name": ["姓", "苗字", "名字", "lastname", "familyname", "surname"],
    "first_name": ["名", "firstname", "givenname"],
    "full_name": ["氏名", "名前", "お名前", "担当者名", "担当者", "fullname", "name", "contactname", "contact"],
    "last_name_kana": ["姓(フリガナ)", "姓(カナ)", "姓フリガナ", "姓カナ", "セイ", "姓(ふりがな)", "lastnamekana"],
    "first_name_kana": ["名(フリガナ)", "名(カナ)", "名フリガナ", "名カナ", "メイ", "名(ふりがな)", "firstnamekana"],
    "full_name_kana": ["フリガナ", "ふりがな", "氏名(フリガナ)", "氏名(カナ)", "氏名カナ", "カナ", "よみがな", "namekana"],
    "phone": ["電話番号", "電話", "tel", "telephone", "phone", "phonenumber", "tel会社", "tel直通", "直通電話", "会社電話", "代表電話", "businessphone"],
    "mobile": ["携帯", "携帯電話", "携帯番号", "携帯電話番号", "mobile", "mobilephone", "mobilephonenumber", "cell", "cellphone"],
    "company": ["会社名", "会社", "企業名", "法人名", "勤務先", "所属会社", "company", "companyname", "account", "accountname", "organization", "organisation"],
    "company_kana": ["会社名(フリガナ)", "会社名(カナ)", "会社名カナ", "会社フリガナ"],
    "website": ["url", "ホームページ", "ウェブサイト", "webサイト", "会社url", "website", "companywebsite", "companydomainname"],
    "department": ["部署", "部署名", "所属", "部門", "department"],
    "title": ["役職", "役職名", "肩書", "肩書き", "title", "jobtitle", "position"],
    "postal_code": ["郵便番号", "〒", "zip", "zipcode", "postalcode", "postcode", "zip/postalcode", "mailingzip/postalcode"],
    "prefecture": ["都道府県", "prefecture", "state", "state/province", "stateorprovince"],
    "city": ["市区町村", "市町村", "city"],
    "address_line": ["番地", "住所2", "町名番地", "street", "streetaddress", "address2"],
    "address": ["住所", "所在地", "会社住所", "住所1", "address", "address1", "fulladdress"],
    "source": ["流入元", "リードソース", "獲得経路", "leadsource", "source", "originalsource"],
    "tags": ["タグ", "tags", "tag", "ラベル"],
    "consent_basis": ["配信同意", "メール配信同意", "メルマガ配信", "同意", "consent", "optin", "opt-in", "emailoptin", "marketingconsent", "配信許諾"],
    "outcome": ["結果", "成約", "受注状況", "商談結果", "outcome", "result", "dealoutcome", "wonlost"],
}  # fmt: skip


def header_key(header: str) -> str:
    """Fold a header for matching: width, case, spaces, underscores and middle dots."""
    return re.sub(r"[\s_・:：]+", "", fold(header)).replace("（", "(").replace("）", ")")


SYNONYMS: dict[str, str] = {header_key(h): f for f, hs in _SYNONYMS.items() for h in hs}


@dataclass(frozen=True)
class Layout:
    """A column layout of a common export, recognized by headers it always has."""

    name: str
    label: str | Promise
    signature: frozenset[str]
    overrides: dict[str, str]
    default_basis: str = ""
    default_source: str = ""


LAYOUTS = [
    Layout(
        "business_card",
        _("Business-card service export"),
        frozenset({"会社名", "部署名", "役職", "姓", "名", "e-mail"}),
        {"tel会社": "phone", "tel部門": "ignore", "tel直通": "phone", "fax": "ignore"},
        default_basis="business_card",
        default_source="trade_show",
    ),
    Layout(
        "hubspot_contacts",
        _("HubSpot contacts export"),
        frozenset({"firstname", "lastname", "email", "lifecyclestage"}),
        {"recordid": "ignore", "contactowner": "ignore", "lifecyclestage": "ignore"},
    ),
    Layout(
        "salesforce_leads",
        _("Salesforce leads export"),
        frozenset({"firstname", "lastname", "company", "leadsource", "leadstatus"}),
        {"leadstatus": "ignore", "leadowner": "ignore", "rating": "ignore"},
    ),
]


def detect_layout(header: list[str]) -> Layout | None:
    keys = {header_key(h) for h in header}
    for layout in LAYOUTS:
        if {header_key(s) for s in layout.signature} <= keys:
            return layout
    return None


def suggest(header: list[str]) -> dict[int, str]:
    """Column index → field; unknown headers become custom attributes, duplicates are ignored."""
    layout = detect_layout(header)
    taken: set[str] = set()
    result: dict[int, str] = {}
    for index, name in enumerate(header):
        key = header_key(name)
        field = (layout.overrides.get(key) if layout else None) or SYNONYMS.get(key)
        if field is None:
            field = CUSTOM_PREFIX + name.strip() if name.strip() else IGNORE
        elif field != IGNORE and field in taken:
            # A second phone column backs up the first: keep it as mobile when free.
            field = "mobile" if field == "phone" and "mobile" not in taken else IGNORE
        taken.add(field)
        result[index] = field
    return result


def validate(mapping: dict[int, str], columns: int) -> list[str]:
    """Problems with a user-edited mapping, as messages."""
    problems = []
    seen: dict[str, int] = {}
    for index, field in mapping.items():
        if not 0 <= index < columns:
            problems.append(str(_("Column %(n)s does not exist.") % {"n": index + 1}))
        if field.startswith(CUSTOM_PREFIX):
            if not field[len(CUSTOM_PREFIX) :].strip():
                problems.append(str(_("A custom attribute needs a name.")))
            continue
        if field not in FIELDS:
            problems.append(str(_("Unknown field: %(field)s") % {"field": field}))
        elif field != IGNORE:
            if field in seen:
                problems.append(
                    str(_("Two columns are mapped to %(field)s.") % {"field": FIELDS[field]})
                )
            seen[field] = index
    identity = {"email", "last_name", "first_name", "full_name", "phone", "mobile"}
    if not identity & set(seen):
        problems.append(str(_("Map at least one of e-mail, name or phone.")))
    return problems
