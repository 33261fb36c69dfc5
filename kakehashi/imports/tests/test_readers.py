"""Reading the Japanese input corpus: every encoding and quirk COMPLIANCE.md lists (pure)."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest
from django.utils import translation

from kakehashi.imports import readers

CORPUS = Path(__file__).parent / "corpus"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def rows(name, **kwargs):
    raw = (CORPUS / name).read_bytes()
    table = readers.read(raw, name, **kwargs)
    return table, list(table.rows)


def test_cp932_with_characters_shift_jis_lacks():
    table, data = rows("cp932_meishi.csv")
    assert table.encoding == "cp932"
    text = "".join("".join(cells) for _, cells in data)
    for ch in ("㈱", "髙", "﨑", "①", "ｶﾌﾞｼｷ", "ソフト", "表参道", "～"):
        assert ch in text
    with pytest.raises(UnicodeDecodeError):
        (CORPUS / "cp932_meishi.csv").read_bytes().decode("shift_jis")


def test_utf8_with_and_without_bom_read_the_same():
    bom, with_bom = rows("utf8_bom.csv")
    plain, without = rows("utf8_nobom.csv")
    assert (bom.encoding, plain.encoding) == ("utf-8-sig", "utf-8")
    assert (
        bom.header
        == plain.header
        == ["氏名", "フリガナ", "会社名", "メールアドレス", "電話番号", "都道府県"]
    )
    assert with_bom == without


def test_utf16_tab_separated_as_excel_saves_unicode_text():
    table, data = rows("utf16le_tab.txt")
    assert (table.encoding, table.delimiter) == ("utf-16", "\t")
    assert data[0][1][0] == "鈴木 次郎"


def test_excel_multiline_cells_keep_their_row_number():
    table, data = rows("excel_multiline.csv")
    assert table.header[-1] == "備考"
    assert data == [
        (
            2,
            [
                "高橋 三郎",
                "タカハシ サブロウ",
                "株式会社北斗",
                "saburo@hokuto.co.jp",
                "011-222-3333",
                "北海道",
                "メモ1行目\r\n2行目",
            ],
        )
    ]


def test_encoding_and_delimiter_can_be_overridden():
    raw = "氏名;メール\n山田;y@example.jp\n".encode("cp932")
    table = readers.read(raw, "x.csv", encoding="cp932", delimiter=";")
    assert list(table.rows) == [(2, ["山田", "y@example.jp"])]


@pytest.mark.parametrize(
    ("encoding", "header"),
    [
        ("cp932", ["氏名", "会社名", "メモ"]),
        ("utf-16", ["氏名", "会社名", "メモ"]),
        # A header row longer than the start read on its own: the whole file is read.
        ("utf-8-sig", ["氏名", "髙" * 50000, "橋" * 50000]),
        # A header cell over two lines, and a start cut in the middle of a character.
        ("cp932", ["氏名", '会社\n"名"', "メモ" + "あ" * (readers.HEADER_BYTES // 2 - 7)]),
    ],
)
def test_the_header_of_a_large_file_is_the_one_the_whole_file_gives(encoding, header):
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(header)
    for n in range(20000):
        writer.writerow([f"山田{n}", "㈱髙橋商事", "①"])
    raw = buffer.getvalue().encode(encoding)
    assert len(raw) > readers.HEADER_BYTES
    table = readers.read(raw, "big.csv")
    assert table.encoding in (encoding, "utf-8")
    found = readers.read_header(raw, "big.csv", encoding=table.encoding, delimiter=",")
    assert found == table.header == [h.strip() for h in header]


def test_the_delimiter_is_told_from_the_first_lines_even_when_they_are_long():
    line = "\t".join(["x" * 40000, "y", "z"]) + "\n"
    assert readers.detect_delimiter(line * 10) == "\t"


def test_a_row_the_csv_module_refuses_is_a_clear_error_with_its_line():
    raw = ("氏名,メモ\n山田,短い\n田中," + "長" * 200000 + "\n").encode("utf-8")
    table = readers.read(raw, "x.csv")
    with pytest.raises(readers.UnreadableFile, match="Row 3 cannot be read as CSV"):
        list(table.rows)
    with pytest.raises(readers.UnreadableFile, match="Row 1 cannot be read as CSV"):
        readers.read(("長" * 200000 + "\n").encode("utf-8"), "x.csv")


def test_xlsx_reads_cached_values_only_and_never_evaluates_formulas():
    table, data = rows("leads.xlsx")
    assert table.kind == "xlsx"
    assert data[0][1][:3] == ["中村 優", "yu.nakamura@example.jp", "1000005"]
    assert data[0][1][4] == "", "a formula without a cached value is read as empty, never run"
    assert data[1][1][4] == "改行\nあり"


def test_sec_upload_1_zip_bomb_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (50 * 1024 * 1024))
    with pytest.raises(readers.UnreadableFile, match="unsafe size"):
        readers.read(buffer.getvalue(), "bomb.xlsx")


def test_sec_upload_1_xml_entities_are_refused():
    source = (CORPUS / "leads.xlsx").read_bytes()
    evil = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]><x>&b;</x>'
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as original, zipfile.ZipFile(buffer, "w") as patched:
        for item in original.infolist():
            data = original.read(item.filename)
            patched.writestr(item, evil if item.filename == "xl/workbook.xml" else data)
    with pytest.raises(readers.UnreadableFile):
        readers.read(buffer.getvalue(), "entities.xlsx")


def test_empty_and_binary_files_get_a_clear_reason():
    with pytest.raises(readers.UnreadableFile, match="no header"):
        readers.read(b"", "empty.csv")
    with pytest.raises(readers.UnreadableFile, match="neither UTF-8"):
        readers.read(bytes(range(128, 256)) * 50, "binary.csv")
