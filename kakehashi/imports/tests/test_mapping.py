"""Column suggestions from Japanese and English headers and from known export layouts (pure)."""

from __future__ import annotations

import pytest
from django.utils import translation

from kakehashi.imports import mapping


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_japanese_headers_map_to_fields():
    header = [
        "氏名",
        "フリガナ",
        "会社名",
        "部署",
        "役職",
        "メールアドレス",
        "電話番号",
        "携帯",
        "郵便番号",
        "住所",
        "URL",
    ]
    assert list(mapping.suggest(header).values()) == [
        "full_name", "full_name_kana", "company", "department", "title", "email", "phone", "mobile",
        "postal_code", "address", "website",
    ]  # fmt: skip


def test_english_headers_and_width_variants_map_too():
    header = ["First Name", "LAST_NAME", "Ｅｍａｉｌ", "Company Name", "Job Title", "Mobile Phone"]
    assert list(mapping.suggest(header).values()) == [
        "first_name",
        "last_name",
        "email",
        "company",
        "title",
        "mobile",
    ]


def test_unknown_headers_become_custom_attributes():
    assert mapping.suggest(["メール", "予算感"]) == {0: "email", 1: "custom:予算感"}


def test_business_card_layout_is_recognized_with_its_defaults():
    header = [
        "会社名",
        "部署名",
        "役職",
        "姓",
        "名",
        "e-mail",
        "郵便番号",
        "住所",
        "TEL会社",
        "TEL部門",
        "携帯電話",
    ]
    layout = mapping.detect_layout(header)
    assert layout is not None and layout.name == "business_card"
    assert layout.default_basis == "business_card"
    suggested = mapping.suggest(header)
    assert suggested[8] == "phone" and suggested[9] == "ignore" and suggested[10] == "mobile"


def test_hubspot_and_salesforce_exports_are_recognized():
    hubspot = [
        "First Name",
        "Last Name",
        "Email",
        "Phone Number",
        "Company Name",
        "Job Title",
        "Lifecycle Stage",
    ]
    salesforce = [
        "First Name",
        "Last Name",
        "Title",
        "Company",
        "Email",
        "Phone",
        "Lead Source",
        "Lead Status",
    ]
    assert mapping.detect_layout(hubspot).name == "hubspot_contacts"
    assert mapping.detect_layout(salesforce).name == "salesforce_leads"
    assert mapping.suggest(salesforce)[6] == "source"
    assert mapping.suggest(salesforce)[7] == "ignore"


def test_validation_explains_bad_mappings():
    assert mapping.validate({0: "email", 1: "email"}, 2) == ["Two columns are mapped to E-mail."]
    assert mapping.validate({0: "title"}, 1) == ["Map at least one of e-mail, name or phone."]
    assert "Unknown field: password" in mapping.validate({0: "email", 1: "password"}, 2)
    assert mapping.validate({0: "email", 1: "custom:予算"}, 2) == []
