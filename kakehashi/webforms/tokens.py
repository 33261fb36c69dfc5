"""Signed tokens for the public side (SEC-DESER-1: signed JSON, never pickle).

- The form token replaces CSRF for embedded use: it names the form, when the page was shown
  (the time-to-submit check), the language and the purpose-of-use version the visitor saw.
- The thank-you, download and confirmation tokens name a submission.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.core import signing

FORM_SALT = "kakehashi.webforms.form"
THANKS_SALT = "kakehashi.webforms.thanks"
CONFIRM_SALT = "kakehashi.webforms.confirm"
# A page left open over a weekend is still fine; older tokens get a fresh form.
FORM_MAX_AGE = timedelta(days=3)
# People take longer than this to fill in even a one-field form; scripts do not.
MIN_FILL_TIME = timedelta(seconds=3)
THANKS_MAX_AGE = timedelta(days=7)
CONFIRM_MAX_AGE = timedelta(days=14)


class BadToken(Exception):
    """The token is forged, for another form, or expired."""


class ExpiredToken(BadToken):
    """A genuine form token, but the page was open too long."""


@dataclass(frozen=True)
class Shown:
    form_id: int
    shown_at: datetime
    language: str
    purpose_version: int | None


def form_token(
    *, form_id: int, shown_at: datetime, language: str, purpose_version: int | None
) -> str:
    return signing.dumps(
        {"f": form_id, "t": shown_at.timestamp(), "l": language, "p": purpose_version},
        salt=FORM_SALT,
        compress=True,
    )


def read_form_token(token: str, *, form_id: int) -> Shown:
    try:
        data = signing.loads(token, salt=FORM_SALT, max_age=FORM_MAX_AGE)
    except signing.SignatureExpired:
        raise ExpiredToken() from None
    except signing.BadSignature:
        raise BadToken() from None
    if not isinstance(data, dict) or data.get("f") != form_id:
        raise BadToken()
    try:
        shown_at = datetime.fromtimestamp(float(data["t"]), tz=UTC)
    except (KeyError, TypeError, ValueError, OverflowError):
        raise BadToken() from None
    language = "en" if data.get("l") == "en" else "ja"
    version = data.get("p")
    return Shown(form_id, shown_at, language, version if isinstance(version, int) else None)


def submission_token(submission_id: int, salt: str) -> str:
    return signing.dumps(submission_id, salt=salt)


def read_submission_token(token: str, salt: str, max_age: timedelta) -> int:
    try:
        value = signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature:
        raise BadToken() from None
    if not isinstance(value, int):
        raise BadToken()
    return value
