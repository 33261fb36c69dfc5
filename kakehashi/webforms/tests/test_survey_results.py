"""A survey collects 200 generated responses; the results page shows counts that match the raw
data, NPS, free-text answers, and cross-tabs by another question and by a lead field."""

from __future__ import annotations

import random
import re
from collections import Counter

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kakehashi.webforms import actions
from kakehashi.webforms.models import FieldKind, Form, Kind, Status
from kakehashi.webforms.public_form import PublicForm

from .base import WebformTestCase, options

RESPONSES = 200
INDUSTRIES = ["製造", "IT", "小売"]
PRODUCTS = ["CRM", "MA", "SFA"]
SATISFACTION = ["満足", "普通", "不満"]
ROWS = ["価格", "サポート"]
PREFS = {"13": "東京都", "27": "大阪府"}


def generate(rng: random.Random, i: int) -> dict:
    answer = {
        "業種": rng.choice(INDUSTRIES),
        "製品": rng.sample(PRODUCTS, rng.randint(1, 3)),
        "評価": str(rng.randint(1, 5)),
        "推奨": str(rng.randint(0, 10)),
        "満足度": rng.choice(SATISFACTION),
        "項目:0": rng.choice(SATISFACTION),
        "項目:1": rng.choice(SATISFACTION),
    }
    if answer["満足度"] == "不満":
        answer["理由"] = f"理由その{i}"
    if i % 5 == 0:  # one in five leave an e-mail and a prefecture
        answer["email"] = f"r{i}@example.co.jp"
        answer["都道府県"] = rng.choice(list(PREFS))
    return answer


class SurveyResultsTests(WebformTestCase):
    survey: Form
    raw: list[dict]

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        now = timezone.now()
        cls.survey = actions.create_form(
            actor=cls.aiko,
            fields={"name": "顧客満足度調査", "slug": "csat", "kind": Kind.SURVEY,
                    "title_ja": "顧客満足度アンケート"},
            now=now,
        )  # fmt: skip
        specs = [
            {"key": "業種", "kind": FieldKind.SINGLE_CHOICE, "label_ja": "業種",
             "options": options(*INDUSTRIES), "required": True},
            {"key": "製品", "kind": FieldKind.MULTIPLE_CHOICE, "label_ja": "お使いの製品",
             "options": options(*PRODUCTS)},
            {"key": "評価", "kind": FieldKind.RATING, "label_ja": "総合評価", "required": True},
            {"key": "推奨", "kind": FieldKind.NPS, "label_ja": "友人に薦める可能性", "page": 2},
            {"key": "満足度", "kind": FieldKind.SINGLE_CHOICE, "label_ja": "サポートの満足度",
             "options": options(*SATISFACTION), "page": 2},
            {"key": "理由", "kind": FieldKind.FREE_TEXT, "label_ja": "不満の理由", "page": 2,
             "show_if_key": "満足度", "show_if_value": "不満", "required": True},
            {"key": "項目", "kind": FieldKind.MATRIX, "label_ja": "項目別の満足度", "page": 2,
             "options": options(*SATISFACTION), "rows": options(*ROWS)},
            {"key": "email", "kind": FieldKind.EMAIL, "label_ja": "メール", "page": 3,
             "maps_to": "lead:email"},
            {"key": "都道府県", "kind": FieldKind.PREFECTURE, "label_ja": "都道府県", "page": 3,
             "maps_to": "lead:prefecture"},
        ]  # fmt: skip
        for spec in specs:
            actions.add_field(form=cls.survey, actor=cls.aiko, values=spec, now=now)
        actions.set_status(form=cls.survey, actor=cls.aiko, status=Status.PUBLISHED, now=now)
        fields = list(cls.survey.fields.all())
        by_key = {f.key: f for f in fields}
        rng = random.Random(2026)
        cls.raw = []
        for i in range(RESPONSES):
            answer = generate(rng, i)
            data = {}
            for key, value in answer.items():
                name, _sep, row = key.partition(":")
                data[f"f{by_key[name].pk}" + (f"_{row}" if row else "")] = value
            public = PublicForm(fields, "ja", data=data)
            assert public.is_valid(), public.errors
            actions.submit(form=cls.survey, values=public.values(), visit=actions.Visit(), now=now)
            cls.raw.append(answer)

    def page(self, query=""):
        self.client.force_login(self.ken)
        return self.client.get(f"/forms/{self.survey.pk}/results/{query}")

    @staticmethod
    def section(html: str, key: str) -> str:
        start = html.index(f'id="q-{key}"')
        return html[start : html.index("</section>", start)]

    @staticmethod
    def counts(section: str) -> Counter:
        return Counter({v: int(n) for v, n in re.findall(r'data-value="([^"]*)">(\d+)<', section)})

    def test_counts_per_question_match_the_raw_answers(self):
        html = self.page().content.decode()
        self.assertIn(f"{RESPONSES} responses", html)
        for key in ("業種", "評価", "推奨", "満足度"):
            expected = Counter(a[key] for a in self.raw)
            self.assertEqual(+self.counts(self.section(html, key)), expected, key)
        products = Counter(p for a in self.raw for p in a["製品"])
        self.assertEqual(+self.counts(self.section(html, "製品")), products)
        prefectures = Counter(a["都道府県"] for a in self.raw if "都道府県" in a)
        self.assertEqual(+self.counts(self.section(html, "都道府県")), prefectures)

    def test_matrix_cells_match_the_raw_answers(self):
        matrix = self.section(self.page().content.decode(), "項目")
        cells = {(row, v): int(n) for row, v, n in
                 re.findall(r'data-row="([^"]*)" data-value="([^"]*)">(\d+)<', matrix)}  # fmt: skip
        for i, row in enumerate(ROWS):
            for value in SATISFACTION:
                expected = sum(1 for a in self.raw if a[f"項目:{i}"] == value)
                self.assertEqual(cells[(row, value)], expected, (row, value))

    def test_nps_and_the_mean_rating_are_computed_from_the_answers(self):
        html = self.page().content.decode()
        scores = [int(a["推奨"]) for a in self.raw]
        nps = round(100 * (sum(s >= 9 for s in scores) - sum(s <= 6 for s in scores)) / len(scores))
        self.assertIn(f"NPS {nps}</strong>", self.section(html, "推奨"))
        mean = sum(int(a["評価"]) for a in self.raw) / len(self.raw)
        self.assertIn(f"{mean:.2f}", self.section(html, "評価"))

    def test_free_text_shows_only_for_those_the_branch_asked(self):
        html = self.page().content.decode()
        reasons = [a["理由"] for a in self.raw if "理由" in a]
        self.assertEqual(len(reasons), sum(a["満足度"] == "不満" for a in self.raw))
        for reason in reasons:
            self.assertIn(f"<li>{reason}</li>", html)

    def test_cross_tab_of_one_question_by_another(self):
        survey_fields = {f.key: f for f in self.survey.fields.all()}
        a, b = survey_fields["業種"], survey_fields["満足度"]
        html = self.page(f"?rows={a.pk}&columns={b.pk}").content.decode()
        table = html[html.index('id="crosstab-table"') :]
        rows = re.findall(r"<tr><th>([^<]+)</th>((?:<td class=\"num\">\d+</td>)+)</tr>", table)
        got = {label: [int(n) for n in re.findall(r">(\d+)<", cells)] for label, cells in rows}
        for industry in INDUSTRIES:
            expected = [sum(1 for x in self.raw if x["業種"] == industry and x["満足度"] == s)
                        for s in SATISFACTION]  # fmt: skip
            self.assertEqual(got[industry], [*expected, sum(expected)], industry)
        self.assertIn(f'<td class="num">{RESPONSES}</td></tr></tfoot>', table)

    def test_cross_tab_by_a_lead_field(self):
        rating = next(f for f in self.survey.fields.all() if f.key == "評価")
        html = self.page(f"?rows={rating.pk}&columns=lead:prefecture").content.decode()
        table = html[html.index('id="crosstab-table"') :]
        self.assertIn('<th class="num">Tokyo</th>', table)
        self.assertIn("Unknown", table, "anonymous respondents have no prefecture")
        for value in "12345":
            tokyo = sum(1 for x in self.raw if x["評価"] == value and x.get("都道府県") == "13")
            osaka = sum(1 for x in self.raw if x["評価"] == value and x.get("都道府県") == "27")
            unknown = sum(1 for x in self.raw if x["評価"] == value and "都道府県" not in x)
            row = re.search(rf"<tr><th>{value}</th>((?:<td class=\"num\">\d+</td>)+)</tr>", table)
            self.assertEqual([int(n) for n in re.findall(r">(\d+)<", row.group(1))],
                             [tokyo, osaka, unknown, tokyo + osaka + unknown])  # fmt: skip

    def test_the_page_costs_the_same_queries_whatever_the_number_of_responses(self):
        self.client.force_login(self.ken)
        self.client.get(f"/forms/{self.survey.pk}/results/")  # warm the session and caches
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(f"/forms/{self.survey.pk}/results/")
        self.assertEqual(response.status_code, 200)
        self.assertLessEqual(len(queries), 12)

    def test_charts_use_plotly_served_from_this_server(self):
        html = self.page().content.decode()
        self.assertIn('src="/static/plotly/plotly.min.js"', html)
        self.assertNotIn("cdn", html.lower())
        self.assertIn('<script id="chart-', html)
        response = self.client.get("/static/plotly/plotly.min.js")
        self.assertEqual(response.status_code, 200)
        self.assertIn(b"plotly", b"".join(response.streaming_content)[:2000].lower())
