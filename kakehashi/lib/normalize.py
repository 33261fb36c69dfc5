"""Normalization of names, e-mail addresses, phone numbers and company names.

Pure functions, no ORM: used by the lead actions, the API, imports and forms alike.
"""

from __future__ import annotations

import re
import unicodedata

import jaconv
import phonenumbers

_SPACES = re.compile(r"[\s\u3000]+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uff66-\uff9f]")
# Legal forms folded away when companies are matched, before or after the name.
_LEGAL_FORMS = re.compile(
    r"(株式会社|有限会社|合同会社|合資会社|合名会社|一般社団法人|一般財団法人|"
    r"\(株\)|\(有\)|\(同\)|co\.,?\s*ltd\.?|inc\.?|corp\.?|corporation|llc|ltd\.?|k\.k\.)",
    re.IGNORECASE,
)


def clean(value: object) -> str:
    """NFKC-fold, collapse runs of (full-width) spaces and trim."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    return _SPACES.sub(" ", text).strip()


def normalize_email(value: object) -> str:
    """Lowercase, width-folded e-mail ('Ｔａｒｏ＠Example.JP ' → 'taro@example.jp')."""
    return clean(value).replace(" ", "").lower()


def normalize_phone(value: object, region: str = "JP") -> str:
    """E.164 ('03-1234-5678' → '+81312345678'); '' when the value is not a phone number."""
    text = clean(value)
    if not text:
        return ""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_possible_number(number):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(e164: str, region: str = "JP") -> str:
    """Human format: national for numbers in ``region``, international otherwise."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    if phonenumbers.region_code_for_number(number) == region:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def to_katakana(value: object) -> str:
    """Kana readings are stored as full-width katakana ('ﾔﾏﾀﾞ', 'やまだ' → 'ヤマダ')."""
    text = clean(value)
    return jaconv.hira2kata(text)


def fold(value: object) -> str:
    """A matching key: NFKC, casefolded, hiragana as katakana, no spaces."""
    return jaconv.hira2kata(clean(value).casefold()).replace(" ", "")


def normalize_company_name(value: object) -> str:
    """'株式会社 山田商事', '山田商事(株)', '㈱山田商事' → '山田商事' (casefolded)."""
    text = fold(value)
    text = _LEGAL_FORMS.sub("", text)
    return re.sub(r"[\s,.・]+", "", text)


def has_cjk(value: str) -> bool:
    return bool(_CJK.search(value or ""))


def postal_digits(value: object) -> str:
    """'〒100-0005' → '1000005'."""
    return re.sub(r"\D", "", clean(value))


def domain_of(email_or_url: str) -> str:
    text = normalize_email(email_or_url)
    if "@" in text:
        return text.rsplit("@", 1)[1]
    text = re.sub(r"^[a-z]+://", "", text).split("/", 1)[0].split(":", 1)[0]
    return text.removeprefix("www.")
