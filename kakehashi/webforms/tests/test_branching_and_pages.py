"""Show B if A, on the server too: a hidden question is neither required nor stored; a shown
one is required when marked so. Pages render in one HTML page, so no JavaScript is needed."""

from __future__ import annotations

from django.utils import timezone

from kakehashi.webforms import actions
from kakehashi.webforms.models import FieldKind, Status, Submission

from .base import WebformTestCase, options


class BranchingTests(WebformTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        now = timezone.now()
        cls.survey = actions.create_form(actor=cls.aiko, fields={"name": "来場者アンケート",
                                         "slug": "booth", "title_ja": "来場者アンケート", "kind": "survey"}, now=now)  # fmt: skip
        for spec in [
            {"key": "検討中", "kind": FieldKind.CHECKBOX, "label_ja": "導入を検討している"},
            {"key": "時期", "kind": FieldKind.SINGLE_CHOICE, "label_ja": "時期", "required": True,
             "options": options("3か月以内", "1年以内"), "show_if_key": "検討中", "show_if_value": "yes", "page": 2},
            {"key": "予算", "kind": FieldKind.SELECT, "label_ja": "予算", "required": True, "page": 2,
             "options": options("100万円未満", "100万円以上"), "show_if_key": "時期", "show_if_value": "3か月以内"},
        ]:  # fmt: skip
            actions.add_field(form=cls.survey, actor=cls.aiko, values=spec, now=now)
        actions.set_status(form=cls.survey, actor=cls.aiko, status=Status.PUBLISHED, now=now)

    def test_both_pages_render_without_javascript(self):
        html = self.visitor.get("/f/booth/?lang=en").content.decode()
        self.assertIn('data-page="1"', html)
        self.assertIn('data-page="2"', html)
        self.assertIn("Page 2 of 2", html)
        self.assertIn('data-show-if-value="yes"', html)

    def test_a_hidden_question_is_not_required_and_not_stored(self):
        response = self.post(self.answers(self.survey, 時期="1年以内"), form=self.survey)
        self.assertEqual(response.status_code, 303)
        self.assertEqual(Submission.objects.get().answers, {"検討中": "no"})

    def test_a_shown_question_is_required(self):
        response = self.post(
            self.answers(self.survey, 検討中="on"), form=self.survey, language="en"
        )
        self.assertContains(response, "This field is required.", count=1, status_code=400)
        response = self.post(self.answers(self.survey, 検討中="on", 時期="3か月以内"),
                             form=self.survey, language="en")  # fmt: skip
        self.assertContains(response, "This field is required.", count=1, status_code=400)
        self.post(
            self.answers(self.survey, 検討中="on", 時期="3か月以内", 予算="100万円以上"),
            form=self.survey,
        )
        self.assertEqual(Submission.objects.get().answers,
                         {"検討中": "yes", "時期": "3か月以内", "予算": "100万円以上"})  # fmt: skip
