"""Normalization of names, e-mail addresses, phone numbers and company names.

Pure functions, no ORM: used by the lead actions, the API, imports and forms alike.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import jaconv
import phonenumbers

_SPACES = re.compile(r"[\s\u3000]+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uff66-\uff9f]")
# Legal forms folded away when companies are matched, before or after the name.
_LEGAL_FORMS = re.compile(
    r"(株式会社|有限会社|合同会社|合資会社|合名会社|一般社団法人|一般財団法人|"
    r"カブシキガイシャ|カブシキカイシャ|ユウゲンガイシャ|ゴウドウガイシャ|"
    r"\(株\)|\(有\)|\(同\)|co\.,?\s*ltd\.?|inc\.?|corp\.?|corporation|llc|ltd\.?|k\.k\.)",
    re.IGNORECASE,
)


_KATAKANA_NAME = re.compile(r"^[\u30a0-\u30ff]+$")


def is_katakana(value: str) -> bool:
    """'タナカ' → True: a name written in katakana is its own reading."""
    return bool(_KATAKANA_NAME.match(value or ""))


def clean_multiline(value: object) -> str:
    """Like clean(), but keeps line breaks (memo cells from Excel)."""
    if value is None:
        return ""
    lines = unicodedata.normalize("NFKC", str(value)).replace("\r\n", "\n").split("\n")
    return "\n".join(_SPACES.sub(" ", line).strip() for line in lines).strip()


ODD_SPACE = re.compile(r"\s\s|[^\S ]")


def clean(value: object) -> str:
    """NFKC-fold, collapse runs of (full-width) spaces and trim."""
    if value is None:
        return ""
    text = str(value)
    if text.isascii():
        # NFKC leaves ASCII as it is; these values (addresses, numbers) are mostly unique,
        # so they skip the cache rather than push the repeating names out of it.
        return (_SPACES.sub(" ", text) if ODD_SPACE.search(text) else text).strip()
    return clean_unicode(text)


# Imports call these a few dozen times per row on values that repeat a lot (names, companies,
# departments): a bounded cache of pure results pays for itself many times over.
@functools.lru_cache(maxsize=65536)
def clean_unicode(text: str) -> str:
    """clean() of a string that is not plain ASCII (cached)."""
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)  # also turns U+3000 into a plain space
    if ODD_SPACE.search(text):
        text = _SPACES.sub(" ", text)
    return text.strip()


def normalize_email(value: object) -> str:
    """Lowercase, width-folded e-mail ('Ｔａｒｏ＠Example.JP ' → 'taro@example.jp')."""
    return clean(value).replace(" ", "").lower()


_PHONE_SEPARATORS = re.compile(r"[\s\-()‐－―ー]")
_JP_NATIONAL = re.compile(r"^0\d{9,10}$")


def normalize_phone(value: object, region: str = "JP") -> str:
    """E.164 ('03-1234-5678' → '+81312345678'); '' when the value is not a phone number."""
    text = clean(value)
    if not text:
        return ""
    # Fast path for the common case, a Japanese national number: 0 + 9–10 digits is always a
    # possible number and its E.164 form is +81 without the leading 0 (what phonenumbers gives).
    digits = _PHONE_SEPARATORS.sub("", text)
    if region == "JP" and _JP_NATIONAL.match(digits):
        return "+81" + digits[1:]
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
    text = value if isinstance(value, str) else clean(value)
    if text.isascii():  # no kana to convert, and casefold is lower for ASCII
        # clean() inlined: every search-text part of every imported row comes through here.
        if ODD_SPACE.search(text):
            text = _SPACES.sub(" ", text)
        return text.strip().lower().replace(" ", "")
    return _fold(text)


@functools.lru_cache(maxsize=65536)
def _fold(value: str) -> str:
    return jaconv.hira2kata(clean(value).casefold()).replace(" ", "")


@functools.lru_cache(maxsize=65536)
def _company_key(value: str) -> str:
    text = fold(value)
    text = _LEGAL_FORMS.sub("", text)
    return re.sub(r"[\s,.・]+", "", text)


def normalize_company_name(value: object) -> str:
    """'株式会社 山田商事', '山田商事(株)', '㈱山田商事' → '山田商事' (casefolded)."""
    return _company_key(value if isinstance(value, str) else clean(value))


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
