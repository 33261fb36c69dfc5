"""One row → a normalized lead or clear reasons (pure)."""

from __future__ import annotations

import gc
import types

import pytest
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import translation
from hypothesis import example, given
from hypothesis import strategies as st

from kakehashi.imports import rows
from kakehashi.leads import derive

MAPPING = {0: "full_name", 1: "email", 2: "phone", 3: "postal_code", 4: "address", 5: "company",
           6: "consent_basis", 7: "outcome", 8: "full_name_kana", 9: "tags"}  # fmt: skip


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def build(*cells, **kwargs):
    return rows.build(2, list(cells), MAPPING, **kwargs)


def test_a_japanese_row_is_normalized():
    row = build("山田　太郎", "Ｔａｒｏ＠Ｅｘａｍｐｌｅ．ｊｐ", "０３（１２３４）５６７８", "〒100-0005",
                "東京都千代田区丸の内1-1-1 丸ビル", "㈱山田商事", "同意", "受注", "ﾔﾏﾀﾞ ﾀﾛｳ", "展示会、VIP")  # fmt: skip
    assert row.ok, row.errors
    lead = row.lead
    assert (lead["last_name"], lead["first_name"]) == ("山田", "太郎")
    assert (lead["last_name_kana"], lead["first_name_kana"]) == ("ヤマダ", "タロウ")
    assert lead["email"] == "taro@example.jp"
    assert (lead["phone"], lead["phone_raw"]) == ("+81312345678", "03(1234)5678")
    assert (lead["postal_code"], lead["prefecture"], lead["city"]) == ("1000005", 13, "千代田区")
    assert lead["address_line"] == "丸の内1-1-1 丸ビル"
    assert row.company_name == "(株)山田商事"
    assert row.company_key == "山田商事"  # what companies are matched by
    assert (row.consent_basis, row.outcome) == ("consent", "won")
    assert lead["custom_attributes"] == {"outcome": "won"}
    assert row.tags == ["展示会", "VIP"]


def test_latin_names_split_given_first():
    row = build("Jane Doe", "jane@example.com")
    assert (row.lead["last_name"], row.lead["first_name"]) == ("Doe", "Jane")


def test_katakana_names_are_their_own_reading():
    row = build("ﾀﾅｶ ｼﾞﾛｳ", "j@example.jp")
    assert (row.lead["last_name_kana"], row.lead["first_name_kana"]) == ("タナカ", "ジロウ")


def test_each_bad_value_gets_its_own_reason():
    row = build("名前", "bad@", "12-34", "123", "", "", "maybe", "perhaps")
    assert len(row.errors) == 5
    assert any("e-mail" in e for e in row.errors)
    assert any("phone" in e for e in row.errors)
    assert any("postal code" in e for e in row.errors)
    assert any("consent basis" in e for e in row.errors)
    assert any("outcome" in e for e in row.errors)


def test_a_bad_address_leaves_no_frames_for_the_cyclic_collector():
    # Imports pause the cyclic collector: a frame kept in a cycle keeps every caller's frame
    # (with the import's state) alive until the end, which then costs a long collection.
    def caller():
        return build("名前", "not-an-address", "")

    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        assert any("e-mail" in e for e in caller().errors)
        gc.collect()
        kept = [o for o in gc.garbage if isinstance(o, types.FrameType | types.TracebackType)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert kept == []


def test_a_row_without_identity_is_refused():
    assert build("", "", "", "100-0005").errors == [
        "The row has no name, e-mail address or phone number."
    ]


def test_file_defaults_apply_when_the_row_is_silent():
    row = build(
        "山田 太郎", "t@example.jp", default_basis="business_card", default_source="trade_show"
    )
    assert (row.consent_basis, row.lead["source"]) == ("business_card", "trade_show")


def test_match_keys_prefer_email_then_phone_then_name_at_company():
    assert build("山田 太郎", "t@example.jp", "03-1234-5678").match_keys() == [
        ("email", "t@example.jp")
    ]
    keys = build("山田 太郎", "", "03-1234-5678", "", "", "山田商事").match_keys()
    assert keys == [("phone", "+81312345678"), ("name", "山田太郎@山田商事")]


def test_split_address_handles_prefectures_and_cities():
    assert rows.split_address("大阪府大阪市北区梅田1-1") == (27, "大阪市", "北区梅田1-1")
    assert rows.split_address("北海道札幌市中央区") == (1, "札幌市", "中央区")
    assert rows.split_address("丸の内1-1") == (None, "", "丸の内1-1")


@given(st.from_regex(rows.PLAIN_EMAIL, fullmatch=True).filter(lambda e: len(e) <= 254))
def test_the_plain_address_shortcut_accepts_only_what_django_accepts(email):
    validate_email(email)  # raises if the shortcut let through an address Django refuses


@pytest.mark.parametrize(
    "email",
    ["a..b@example.jp", ".a@example.jp", "a@-example.jp", "a@example.j", "a@example.123",
     "a@example", "taro@例え.jp", "a\"b@example.jp", "o'brien@example.jp"],
)  # fmt: skip
def test_addresses_outside_the_shortcut_still_get_the_full_check(email):
    assert not rows.PLAIN_EMAIL.match(email)
    row = build("山田 太郎", email)
    django_accepts = True
    try:
        validate_email(email)
    except ValidationError:
        django_accepts = False
    assert row.ok == django_accepts, (email, row.errors)


# Cells as people type them: kana in both syllabaries and widths, combining marks (the voicing
# mark U+3099 among them), accents, full-width and other spaces, Latin in both cases.
_CELL = st.text(
    alphabet=st.sampled_from(
        list("山田太郎髙橋ﾔﾏﾀﾞやまだヤマダタロウガパ゙゚ーaAzZ09 .@_-　\u3099\u309a\u0301\u00a0Ｔｅ")
    ),
    max_size=12,
)


@given(st.lists(_CELL, min_size=7, max_size=7))
@example(["山田", "太郎", "ヤマタ", "\u3099ロウ", "", "", ""])  # the mark voices the タ before it
@example(["", "", "", "", "taro@れい.jp", "", ""])  # kana in an address fold to katakana
@example(["Yamada", "Taro", "", "", "", "", "ＡＢＣ(株)"])
def test_the_import_derives_the_same_search_text_and_sort_key_as_a_lead_save(cells):
    mapping = {0: "last_name", 1: "first_name", 2: "last_name_kana", 3: "first_name_kana",
               4: "email", 5: "phone", 6: "company"}  # fmt: skip
    row = rows.build(2, cells, mapping)
    assert derive.normalized_lead_columns(row.lead, row.company_name) == derive.lead_columns(
        row.lead, row.company_name
    )
