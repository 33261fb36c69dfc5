"""The browser that sends the form is identified: its earlier page views join the new lead's
timeline (the tracking issue's stitching), and a known browser needs no e-mail field."""

from __future__ import annotations

import json

from django.utils import timezone

from kakehashi.timeline.models import Activity
from kakehashi.tracking import actions as tracking_actions
from kakehashi.tracking import sources
from kakehashi.tracking.models import Visitor
from kakehashi.webforms import actions
from kakehashi.webforms.models import FieldKind, Status, Submission

from .base import WebformTestCase

AID = "9f0c1d2e-aaaa-4bbb-8ccc-123456789abc"


class VisitorHistoryTests(WebformTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.source = tracking_actions.create_source(
            name="Corporate site", actor=cls.aiko, now=timezone.now(),
            allowed_origins="https://www.example.co.jp",
        )  # fmt: skip
        cls.form.tracking_source = cls.source
        cls.form.save()

    def browse(self, *titles):
        sources.forget()
        batch = [{"type": "page", "anonymousId": AID, "messageId": f"m-{t}", "name": t,
                  "properties": {"url": f"https://www.example.co.jp/{i}", "title": t},
                  "context": {"userAgent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0",
                              "campaign": {"source": "expo", "name": "booth2026"}}}
                 for i, t in enumerate(titles)]  # fmt: skip
        with self.captureOnCommitCallbacks(execute=True):
            response = self.visitor.post(
                "/v1/batch", json.dumps({"batch": batch, "writeKey": self.source.write_key}),
                content_type="application/json",
            )  # fmt: skip
        self.assertEqual(response.status_code, 200)
        tracking_actions.process_pending(now=timezone.now())

    def test_page_views_before_the_form_join_the_new_lead(self):
        self.browse("ホーム", "製品紹介")
        self.post({**self.valid(), "aid": AID})
        submission = Submission.objects.get()
        lead = submission.lead
        self.assertEqual(submission.anonymous_id, AID)
        titles = sorted(
            Activity.objects.filter(lead=lead, kind="page.viewed").values_list(
                "data__title", flat=True
            )
        )
        self.assertEqual(titles, ["ホーム", "製品紹介"])
        self.assertEqual(Visitor.objects.get(anonymous_id=AID).lead, lead)
        self.assertEqual(lead.first_touch, "expo / booth2026", "the first visit's campaign")
        self.assertTrue(Activity.objects.filter(lead=lead, kind="visitor.identified").exists())

    def test_a_survey_without_contact_fields_joins_a_browser_already_known(self):
        self.browse("ホーム")
        self.post({**self.valid(), "aid": AID})
        lead = Submission.objects.get().lead
        now = timezone.now()
        survey = actions.create_form(actor=self.aiko, fields={"name": "満足度", "slug": "nps",
                                     "title_ja": "アンケート", "kind": "survey"}, now=now)  # fmt: skip
        actions.add_field(form=survey, actor=self.aiko, now=now,
                          values={"key": "推奨", "kind": FieldKind.NPS, "label_ja": "推奨度"})  # fmt: skip
        actions.set_status(form=survey, actor=self.aiko, status=Status.PUBLISHED, now=now)
        self.post({**self.answers(survey, 推奨="9"), "aid": AID}, form=survey)
        answered = Submission.objects.get(form=survey)
        self.assertEqual(answered.lead, lead)
        activity = Activity.objects.get(lead=lead, kind="form.submitted", data__form="満足度")
        self.assertEqual(activity.data["answers"], {"推奨": "9"})

    def test_an_anonymous_survey_answer_makes_no_lead(self):
        now = timezone.now()
        survey = actions.create_form(actor=self.aiko, fields={"name": "匿名", "slug": "anon",
                                     "title_ja": "匿名アンケート", "kind": "survey"}, now=now)  # fmt: skip
        actions.add_field(form=survey, actor=self.aiko, now=now,
                          values={"key": "評価", "kind": FieldKind.RATING, "label_ja": "評価"})  # fmt: skip
        actions.set_status(form=survey, actor=self.aiko, status=Status.PUBLISHED, now=now)
        response = self.post(self.answers(survey, 評価="4"), form=survey)
        self.assertEqual(response.status_code, 303)
        self.assertIsNone(Submission.objects.get(form=survey).lead)
        self.assertFalse(Activity.objects.filter(kind="form.submitted").exists())
