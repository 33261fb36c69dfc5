"""Writes the Japanese input corpus the import tests read (COMPLIANCE.md's list).

Run from this folder: python make_corpus.py. The files are committed; this script documents
exactly which bytes each one holds.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

HERE = Path(__file__).parent
MEISHI_HEADER = [
    "会社名",
    "部署名",
    "役職",
    "姓",
    "名",
    "e-mail",
    "郵便番号",
    "住所",
    "TEL会社",
    "携帯電話",
]


def write(name: str, text: str, encoding: str) -> None:
    (HERE / name).write_bytes(text.encode(encoding))


def table(header: list[str], rows: list[list[str]], delimiter: str = ",") -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def main() -> None:
    # CP932 business-card export: ① ㈱ 髙 﨑 (not in shift_jis), half-width kana, the 0x5C-trailing
    # ソ and 表, a wave dash ～, full-width e-mail and phone, +81 numbers.
    meishi = [
        [
            "㈱髙橋ソフト",
            "開発部①課",
            "部長",
            "髙橋",
            "一郎",
            "ichiro@takahashi-soft.co.jp",
            "100-0005",
            "東京都千代田区丸の内1-1-1",
            "03-1234-5678",
            "",
        ],
        [
            "山﨑表具店",
            "表参道店",
            "店長",
            "山﨑",
            "花子",
            "ｈａｎａｋｏ＠ｙａｍａｚａｋｉ．ｊｐ",
            "〒150-0001",
            "東京都渋谷区神宮前5～6",
            "０３（１２３４）５６７９",
            "",
        ],
        [
            "ｶﾌﾞｼｷｶﾞｲｼｬ ｿﾆｯｸ",
            "ｿﾌﾄｳｪｱ部",
            "課長",
            "ﾀﾅｶ",
            "ｼﾞﾛｳ",
            "jiro@sonic.example",
            "5300001",
            "大阪府大阪市北区梅田1-1",
            "+81 6 1234 5678",
            "090-1111-2222",
        ],
        [
            "東洋システムズ株式会社",
            "情報システム部",
            "主任",
            "佐藤",
            "美咲",
            "misaki.sato@toyo-sys.co.jp",
            "460-0008",
            "愛知県名古屋市中区栄3-3",
            "052-123-4567",
            "",
        ],
    ]
    write("cp932_meishi.csv", table(MEISHI_HEADER, meishi), "cp932")

    simple_header = ["氏名", "フリガナ", "会社名", "メールアドレス", "電話番号", "都道府県"]
    simple = [
        [
            "鈴木 次郎",
            "スズキ ジロウ",
            "株式会社山田商事",
            "jiro.suzuki@yamada-shoji.co.jp",
            "03-5555-0001",
            "東京都",
        ],
        ["Jane Doe", "", "Acme Inc.", "Jane.Doe@Acme.example", "+1 415 555 2671", ""],
    ]
    write("utf8_bom.csv", "\ufeff" + table(simple_header, simple), "utf-8")
    write("utf8_nobom.csv", table(simple_header, simple), "utf-8")
    # Excel's "Unicode text": UTF-16LE with a BOM, tab-separated.
    write("utf16le_tab.txt", "\ufeff" + table(simple_header, simple, delimiter="\t"), "utf-16-le")

    multiline = [
        [
            "高橋 三郎",
            "タカハシ サブロウ",
            "株式会社北斗",
            "saburo@hokuto.co.jp",
            "011-222-3333",
            "北海道",
        ],
    ]
    text = table(
        ["氏名", "フリガナ", "会社名", "メールアドレス", "電話番号", "都道府県"], multiline
    )
    text = text.rstrip("\r\n") + ',"メモ1行目\r\n2行目"\r\n'
    text = text.replace("都道府県\r\n", "都道府県,備考\r\n", 1)
    write("excel_multiline.csv", text, "utf-8-sig")

    # The same people twice, differing only in width or case; one company in three spellings.
    duplicates = [
        ["山田 太郎", "株式会社山田商事", "taro@yamada-shoji.co.jp", "03-1111-2222"],
        ["山田 太郎", "山田商事(株)", "ＴＡＲＯ＠ＹＡＭＡＤＡ-ＳＨＯＪＩ．ＣＯ．ＪＰ", ""],
        ["山田 花子", "㈱山田商事", "hanako@yamada-shoji.co.jp", ""],
        ["Yamada Hanako", "Yamada Shoji", "Hanako@Yamada-Shoji.co.jp", "03-1111-3333"],
    ]
    write(
        "duplicates.csv",
        table(["氏名", "会社名", "メールアドレス", "電話番号"], duplicates),
        "utf-8-sig",
    )

    bad = [
        ["良い 行", "good@example.jp", "03-1234-0000", "100-0005", "東京都"],
        ["悪い メール", "not-an-email", "", "", ""],
        ["悪い 電話", "phone@example.jp", "12-34", "", ""],
        ["悪い 郵便", "postal@example.jp", "", "123-45", ""],
        ["", "", "", "", ""],
        ["悪い 県", "pref@example.jp", "", "", "ニューヨーク州"],
        ["", "", "", "100-0005", "東京都"],
    ]
    write(
        "bad_rows.csv",
        table(["氏名", "メールアドレス", "電話番号", "郵便番号", "都道府県"], bad),
        "utf-8-sig",
    )

    hubspot = [
        [
            "Aiko",
            "Tanaka",
            "aiko.tanaka@example.com",
            "+81 3 9999 0000",
            "Tanaka Trading",
            "CMO",
            "lead",
        ]
    ]
    write(
        "hubspot_contacts.csv",
        table(
            [
                "First Name",
                "Last Name",
                "Email",
                "Phone Number",
                "Company Name",
                "Job Title",
                "Lifecycle Stage",
            ],
            hubspot,
        ),
        "utf-8",
    )
    salesforce = [
        [
            "Ken",
            "Mori",
            "Director",
            "Mori Holdings",
            "ken.mori@example.com",
            "03-8888-0000",
            "Trade Show",
            "Open",
        ]
    ]
    write(
        "salesforce_leads.csv",
        table(
            [
                "First Name",
                "Last Name",
                "Title",
                "Company",
                "Email",
                "Phone",
                "Lead Source",
                "Lead Status",
            ],
            salesforce,
        ),
        "utf-8",
    )

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["氏名", "メールアドレス", "郵便番号", "電話番号", "メモ"])
    sheet.append(
        [
            "中村 優",
            "yu.nakamura@example.jp",
            1000005,
            "03-7777-8888",
            '=HYPERLINK("http://evil.example")',
        ]
    )
    sheet.append(["小林 大", "dai@example.jp", "150-0001", "", "改行\nあり"])
    workbook.save(HERE / "leads.xlsx")


if __name__ == "__main__":
    main()
