"""Word lists for demo companies, pages, mails and notes: Japanese with kana and romaji, English."""

from __future__ import annotations

# (kanji, kana, romaji) for the first part of a Japanese company name.
JP_STEMS = [
    ("山田", "ヤマダ", "yamada"), ("東洋", "トウヨウ", "toyo"), ("日本", "ニホン", "nihon"),
    ("中央", "チュウオウ", "chuo"), ("北斗", "ホクト", "hokuto"), ("大和", "ヤマト", "yamato"),
    ("富士", "フジ", "fuji"), ("関東", "カントウ", "kanto"), ("近畿", "キンキ", "kinki"),
    ("瀬戸内", "セトウチ", "setouchi"), ("青葉", "アオバ", "aoba"), ("桜井", "サクライ", "sakurai"),
    ("三河", "ミカワ", "mikawa"), ("博多", "ハカタ", "hakata"), ("札幌", "サッポロ", "sapporo"),
    ("横浜", "ヨコハマ", "yokohama"), ("浪速", "ナニワ", "naniwa"), ("明星", "ミョウジョウ", "myojo"),
    ("光洋", "コウヨウ", "koyo"), ("新星", "シンセイ", "shinsei"), ("栄光", "エイコウ", "eiko"),
    ("双葉", "フタバ", "futaba"), ("高千穂", "タカチホ", "takachiho"), ("若葉", "ワカバ", "wakaba"),
    ("髙橋", "タカハシ", "takahashi"), ("丸紅", "マルベニ", "marubeni"), ("協和", "キョウワ", "kyowa"),
    ("千代田", "チヨダ", "chiyoda"), ("銀河", "ギンガ", "ginga"), ("朝日", "アサヒ", "asahi"),
]  # fmt: skip

# (kanji, kana, romaji, industry) for the business part of a Japanese company name.
JP_TRADES = [
    ("商事", "ショウジ", "shoji", "wholesale"), ("工業", "コウギョウ", "kogyo", "manufacturing"),
    ("製作所", "セイサクショ", "seisakusho", "manufacturing"), ("電機", "デンキ", "denki", "manufacturing"),
    ("システムズ", "システムズ", "systems", "it"), ("ソフト", "ソフト", "soft", "it"),
    ("ソリューションズ", "ソリューションズ", "solutions", "it"), ("物産", "ブッサン", "bussan", "wholesale"),
    ("建設", "ケンセツ", "kensetsu", "construction"), ("食品", "ショクヒン", "shokuhin", "food"),
    ("運輸", "ウンユ", "unyu", "logistics"), ("不動産", "フドウサン", "fudosan", "real_estate"),
    ("銀行", "ギンコウ", "bank", "finance"), ("証券", "ショウケン", "securities", "finance"),
    ("メディカル", "メディカル", "medical", "healthcare"), ("学園", "ガクエン", "gakuen", "education"),
    ("ストア", "ストア", "store", "retail"), ("百貨店", "ヒャッカテン", "dept", "retail"),
    ("コンサルティング", "コンサルティング", "consulting", "services"), ("化学", "カガク", "kagaku", "manufacturing"),
]  # fmt: skip

JP_LEGAL_FORMS = ["株式会社{}", "{}株式会社", "有限会社{}", "合同会社{}", "{}(株)", "㈱{}"]

EN_COMPANY_WORDS = [
    ("Acme", "manufacturing"), ("Northwind", "wholesale"), ("Blue Harbor", "logistics"),
    ("Globex", "it"), ("Initech", "it"), ("Summit", "finance"), ("Evergreen", "real_estate"),
    ("Brightpath", "education"), ("Pioneer", "construction"), ("Silverline", "services"),
    ("Orchard", "food"), ("Meridian", "healthcare"), ("Keystone", "retail"), ("Vertex", "it"),
]  # fmt: skip
EN_COMPANY_SUFFIXES = ["Inc.", "Co., Ltd.", "Holdings", "Corporation", "LLC", "Ltd."]

JP_DEPARTMENTS = [
    "情報システム部", "総務部", "経営企画部", "営業部", "マーケティング部", "購買部", "製造部",
    "人事部", "経理部", "DX推進室", "品質保証部", "広報部",
]  # fmt: skip
JP_TITLES = [
    "部長",
    "課長",
    "係長",
    "主任",
    "担当",
    "マネージャー",
    "本部長",
    "取締役",
    "代表取締役",
    "",
]
EN_DEPARTMENTS = ["IT", "Operations", "Marketing", "Sales", "Finance", "Procurement", "HR"]
EN_TITLES = ["Director", "Manager", "VP", "Head of IT", "Specialist", "CEO", "Analyst"]

PAGES = [
    ("/", "トップページ"), ("/pricing", "料金プラン"), ("/features", "機能一覧"),
    ("/case-studies", "導入事例"), ("/case-studies/manufacturing", "製造業の導入事例"),
    ("/blog/ma-basics", "MAツールの基本"), ("/blog/lead-scoring", "リードスコアリング入門"),
    ("/whitepaper", "ホワイトペーパー"), ("/seminar", "セミナー情報"), ("/careers", "採用情報"),
    ("/en/pricing", "Pricing"), ("/en/features", "Features"), ("/contact", "お問い合わせ"),
]  # fmt: skip

EMAIL_SUBJECTS = [
    "【無料セミナー】営業とマーケティングの連携術", "最新の導入事例をお届けします",
    "月刊メルマガ 11月号", "展示会ご来場のお礼", "資料ダウンロードありがとうございます",
    "Webinar: aligning marketing and sales", "Your guide to lead scoring",
    "年末年始休業のお知らせ", "新機能リリースのご案内",
]  # fmt: skip

FORMS = [
    ("資料請求", {"ご検討状況": ["情報収集", "比較検討中", "導入予定あり"], "導入時期": ["3か月以内", "半年以内", "未定"]}),
    ("セミナー申込", {"参加方法": ["会場", "オンライン"]}),
    ("お問い合わせ", {"お問い合わせ種別": ["製品について", "価格について", "その他"]}),
    ("Contact us", {"Interest": ["Pricing", "Demo", "Partnership"]}),
]  # fmt: skip

EVENTS = ["Japan IT Week 秋", "DX総合EXPO", "自社セミナー「営業DX」", "Marketing Summit Tokyo"]

CALL_OUTCOMES = ["connected", "voicemail", "no_answer", "appointment_set", "not_interested"]
CALL_SUMMARIES = [
    "課題をヒアリング。来期予算で検討とのこと。", "担当者不在。折り返し依頼。",
    "資料送付の上、来週再連絡の約束。", "競合製品と比較中。価格表を送付予定。",
    "Discussed timeline; wants a demo next month.", "Left a voicemail about the webinar.",
]  # fmt: skip
NEXT_STEPS = ["見積書を送付", "デモ日程を調整", "決裁者との面談を設定", "Send proposal", ""]
MEETING_SUMMARIES = [
    "訪問して現状の業務フローを確認。", "オンラインでデモを実施。好感触。",
    "提案内容を説明。決裁者は情報システム部長。", "Reviewed proposal with the buying committee.",
]  # fmt: skip

NOTES = {
    "marketing": [
        "展示会ブースで名刺交換。MA連携に強い関心あり。",
        "ホワイトペーパーを3本ダウンロード。比較検討段階と思われます。",
        "Downloaded the pricing guide twice this week — worth a call.",
        "ウェビナーで質問あり：既存SFAとのデータ連携について。",
    ],
    "inside_sales": [
        "電話でヒアリング：予算は来期、決裁は部長。SALとして受け入れ。",
        "担当者は情報収集段階。3か月後に再アプローチ。",
        "Qualified: budget approved, evaluating two vendors.",
    ],
    "field_sales": [
        "訪問商談。現場の課題は見込み客管理の属人化。提案書を作成中。",
        "見積提示済み。来月の役員会で判断予定。",
        "Customer asked for references in manufacturing.",
    ],
    "customer_success": [
        "導入後30日のフォロー。活用度は良好、追加ユーザーの相談あり。",
        "Onboarding call done; training scheduled for next week.",
    ],
    "management": ["重点顧客として来期の計画に入れてください。"],
}

TAGS = [
    "展示会2026", "ウェビナー参加", "資料請求", "VIP", "既存顧客", "Newsletter",
    "Trade show 2026", "Partner", "再アプローチ", "競合利用中",
]  # fmt: skip
