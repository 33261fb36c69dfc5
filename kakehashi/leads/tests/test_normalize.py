"""Pure normalization rules (no database)."""

from __future__ import annotations

import pytest

from kakehashi.lib import normalize


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Taro.Yamada@Example.CO.JP", "taro.yamada@example.co.jp"),
        ("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ", "taro@example.jp"),
        ("　taro@example.jp　", "taro@example.jp"),
        ("", ""),
        (None, ""),
    ],
)
def test_email_is_lowercased_and_width_folded(raw, expected):
    assert normalize.normalize_email(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("03-1234-5678", "+81312345678"),
        ("０３（１２３４）５６７８", "+81312345678"),
        ("+81 3 1234 5678", "+81312345678"),
        ("090-1234-5678", "+819012345678"),
        ("+1 415 555 2671", "+14155552671"),
        ("not a phone", ""),
        ("12", ""),
    ],
)
def test_phone_becomes_e164_with_japan_as_default(raw, expected):
    assert normalize.normalize_phone(raw) == expected


def test_phone_is_shown_in_national_format_for_japan():
    assert normalize.format_phone("+81312345678") == "03-1234-5678"
    assert normalize.format_phone("+14155552671").startswith("+1 415")


@pytest.mark.parametrize(
    "name",
    [
        "株式会社山田商事",
        "山田商事株式会社",
        "㈱山田商事",
        "山田商事(株)",
        "（株）山田商事",
        "株式会社　山田商事",
    ],
)
def test_company_legal_forms_fold_to_one_key(name):
    assert normalize.normalize_company_name(name) == "山田商事"


def test_english_company_suffixes_fold():
    assert normalize.normalize_company_name("Acme Co., Ltd.") == normalize.normalize_company_name(
        "ACME Inc."
    )


def test_kana_is_stored_as_full_width_katakana():
    assert normalize.to_katakana("ﾔﾏﾀﾞ") == "ヤマダ"
    assert normalize.to_katakana("やまだ") == "ヤマダ"


def test_fold_matches_width_case_and_kana_variants():
    assert normalize.fold("ＹＡＭＡＤＡ") == normalize.fold("yamada")
    assert normalize.fold("やまだ たろう") == normalize.fold("ヤマダタロウ")


def test_postal_code_digits_and_display():
    from kakehashi.lib.jp import format_postal_code

    assert normalize.postal_digits("〒100-0005") == "1000005"
    assert format_postal_code("1000005") == "100-0005"


def test_domain_from_email_and_url():
    assert normalize.domain_of("Taro@Example.co.jp") == "example.co.jp"
    assert normalize.domain_of("https://www.example.com/about") == "example.com"
