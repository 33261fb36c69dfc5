from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from ninja import Field, Schema
from pydantic import field_validator

from kakehashi.core.schemas import Page
from kakehashi.lib import normalize

from .models import ConsentState, EmployeeBand, Industry, LeadSource

LeadOrdering = Literal["-created_at", "created_at", "name", "-name", "-last_activity"]


class CompanyRef(Schema):
    id: int
    name: str


class LeadOut(Schema):
    id: int
    display_name: str
    email: str
    phone: str
    last_name: str
    first_name: str
    last_name_kana: str
    first_name_kana: str
    company: CompanyRef | None
    department: str
    title: str
    postal_code: str
    prefecture: int | None
    city: str
    address_line: str
    source: str
    first_touch: str
    owner_id: int | None
    team_id: int | None
    email_consent: ConsentState
    do_not_email: bool
    do_not_call: bool
    do_not_mail: bool
    tags: list[str]
    custom_attributes: dict[str, Any]
    last_activity_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_tags(obj: Any) -> list[str]:
        return [tag.name for tag in obj.tags.all()]


class LeadPage(Page):
    results: list[LeadOut]


def _email(value: str | None) -> str | None:
    if value is None:
        return None
    email = normalize.normalize_email(value)
    if email:
        try:
            validate_email(email)
        except DjangoValidationError:
            raise ValueError("not a valid e-mail address") from None
    return email


def _phone(value: str | None) -> str | None:
    if value is None:
        return None
    raw = normalize.clean(value)
    if raw and not normalize.normalize_phone(raw):
        raise ValueError("not a valid phone number")
    return raw


def _postal(value: str | None) -> str | None:
    if value is None:
        return None
    digits = normalize.postal_digits(value)
    if digits and len(digits) != 7:
        raise ValueError("a postal code has 7 digits")
    return digits


class LeadPatch(Schema):
    """Fields to change; fields left out stay as they are."""

    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=40)
    last_name: str | None = Field(None, max_length=100)
    first_name: str | None = Field(None, max_length=100)
    last_name_kana: str | None = Field(None, max_length=100)
    first_name_kana: str | None = Field(None, max_length=100)
    company_id: int | None = None
    company_name: str | None = Field(
        None, max_length=200, description="Matched by normalized name; a new name is created."
    )
    department: str | None = Field(None, max_length=100)
    title: str | None = Field(None, max_length=100)
    postal_code: str | None = Field(None, max_length=10)
    prefecture: int | None = Field(None, ge=1, le=47)
    city: str | None = Field(None, max_length=100)
    address_line: str | None = Field(None, max_length=200)
    source: LeadSource | None = None
    first_touch: str | None = Field(None, max_length=200)
    owner_id: int | None = None
    team_id: int | None = None
    do_not_email: bool | None = None
    do_not_call: bool | None = None
    do_not_mail: bool | None = None
    tags: list[str] | None = Field(None, max_length=50)
    custom_attributes: dict[str, str | int | float | bool | None] | None = None

    _email = field_validator("email")(_email)
    _phone = field_validator("phone")(_phone)
    _postal = field_validator("postal_code")(_postal)


class LeadIn(LeadPatch):
    source: LeadSource = LeadSource.API


class LeadFilters(Schema):
    q: str = Field("", max_length=200, description="Words matched against name, kana, e-mail…")
    owner_id: int | None = None
    team_id: int | None = None
    tag: str = ""
    source: LeadSource | None = None
    created_after: date | None = None
    created_before: date | None = None
    ordering: LeadOrdering = "-created_at"


class CompanyOut(Schema):
    id: int
    name: str
    name_kana: str
    domain: str
    industry: str
    employee_band: str
    prefecture: int | None
    city: str
    address_line: str
    phone: str
    website: str
    owner_id: int | None
    custom_attributes: dict[str, Any]
    created_at: datetime
    updated_at: datetime


class CompanyPage(Page):
    results: list[CompanyOut]


class CompanyPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    name_kana: str | None = Field(None, max_length=200)
    domain: str | None = Field(None, max_length=200)
    industry: Industry | Literal[""] | None = None
    employee_band: EmployeeBand | Literal[""] | None = None
    prefecture: int | None = Field(None, ge=1, le=47)
    city: str | None = Field(None, max_length=100)
    address_line: str | None = Field(None, max_length=200)
    phone: str | None = Field(None, max_length=40)
    website: str | None = Field(None, max_length=200)
    owner_id: int | None = None
    custom_attributes: dict[str, str | int | float | bool | None] | None = None

    _phone = field_validator("phone")(_phone)


class CompanyIn(CompanyPatch):
    name: str = Field(..., min_length=1, max_length=200)


class MergeIn(Schema):
    loser_id: int
    choices: dict[str, Literal["survivor", "loser"]] = Field(
        default_factory=dict,
        description="Field → whose value to keep (default: the survivor's when set).",
    )


class DuplicateOut(Schema):
    id: int
    lead_a_id: int
    lead_b_id: int
    reason: str
    confidence: int
    status: str
    created_at: datetime


class DuplicatePage(Page):
    results: list[DuplicateOut]
