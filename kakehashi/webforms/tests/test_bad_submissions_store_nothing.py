"""Bad submissions are refused with a clear message in the visitor's language and store
nothing: no lead, no submission, no consent, no activity."""

from __future__ import annotations

from unittest import mock

from django.core import signing
from django.test import override_settings

from kakehashi.consent.models import ConsentEvent
from kakehashi.leads.models import Lead
from kakehashi.timeline.models import Activity
from kakehashi.webforms.models import Answer, Submission

from .base import WebformTestCase


class BadSubmissionsStoreNothingTests(WebformTestCase):
    def setUp(self):
        super().setUp()
        self.activities = Activity.objects.count()

    def assertNothingStored(self):
        self.assertFalse(Lead.objects.exists())
        self.assertFalse(Submission.objects.exists())
        self.assertFalse(Answer.objects.exists())
        self.assertFalse(ConsentEvent.objects.exists())
        self.assertEqual(Activity.objects.count(), self.activities)

    def test_missing_required_fields_are_marked_and_the_answers_kept(self):
        response = self.post(self.valid(email=None, 姓=""), language="en")
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Please correct the marked fields.", status_code=400)
        self.assertContains(response, "This field is required.", count=2, status_code=400)
        self.assertContains(response, "価格表もください", status_code=400)
        self.assertNothingStored()

    def test_the_same_refusal_reads_in_japanese(self):
        response = self.post(self.valid(email=None), language="ja")
        self.assertContains(response, "このフィールドは必須です。", status_code=400)

    def test_an_invalid_email_and_phone_are_refused(self):
        response = self.post(self.valid(email="hanako@", 電話="12"), language="en")
        self.assertContains(response, "Enter a valid email address.", status_code=400)
        self.assertContains(
            response, "Enter a phone number, such as 03-1234-5678.", status_code=400
        )
        self.assertNothingStored()

    def test_oversize_answers_are_refused_per_field(self):
        response = self.post(self.valid(姓="山" * 201, ご質問="あ" * 2001), language="en")
        self.assertContains(
            response, "Ensure this value has at most 200 characters", status_code=400
        )
        self.assertContains(
            response, "Ensure this value has at most 2000 characters", status_code=400
        )
        self.assertNothingStored()

    def test_an_oversize_request_is_refused_before_it_is_read(self):
        response = self.post(self.valid(ご質問="x" * 70_000), language="en")
        self.assertEqual(response.status_code, 413)
        self.assertContains(response, "The form is too large to send.", status_code=413)
        self.assertNothingStored()

    def test_a_filled_honeypot_is_a_bot(self):
        response = self.post({**self.valid(), "website": "http://spam.example"}, language="en")
        self.assertContains(response, "Your submission could not be accepted.", status_code=400)
        self.assertNothingStored()

    def test_a_form_sent_faster_than_a_person_can_type_is_refused(self):
        token = self.token(self.form, seconds_ago=1, language="en")
        response = self.post(self.valid(), token=token)
        self.assertContains(response, "faster than a person can fill it in", status_code=400)
        self.assertContains(response, "Hanako@Yamada-Shoji.co.jp", status_code=400)
        self.assertNothingStored()

    def test_a_forged_or_foreign_token_is_refused(self):
        forged = signing.dumps({"f": self.form.pk, "t": 0, "l": "en"}, salt="something else")
        response = self.post(self.valid(), token=forged, language="en")
        self.assertContains(response, "could not be verified", status_code=400)
        response = self.post(self.valid(), token="not-a-token", language="en")
        self.assertEqual(response.status_code, 400)
        self.assertNothingStored()

    def test_a_page_left_open_too_long_asks_to_send_again_with_the_answers_kept(self):
        with mock.patch("django.core.signing.time.time", return_value=1_600_000_000):
            token = self.token(self.form, language="en")
        response = self.post({**self.valid(), "lang": "en"}, token=token)
        self.assertContains(response, "open for a long time", status_code=400)
        self.assertContains(response, "価格表もください", status_code=400)
        self.assertNothingStored()

    @override_settings(WEBFORMS_RATE_LIMIT=2)
    def test_too_many_submissions_from_one_address_are_refused(self):
        for _i in range(2):
            self.post(self.valid(email=None), language="en")
        response = self.post(self.valid(), language="en")
        self.assertEqual(response.status_code, 429)
        self.assertContains(
            response, "Too many submissions came from your network", status_code=429
        )
        self.assertNothingStored()

    def test_a_closed_or_draft_form_takes_nothing(self):
        from kakehashi.webforms import actions

        actions.set_status(
            form=self.form, actor=self.aiko, status="closed", now=self.form.created_at
        )
        response = self.post(self.valid(), language="en")
        self.assertEqual(response.status_code, 410)
        actions.set_status(
            form=self.form, actor=self.aiko, status="draft", now=self.form.created_at
        )
        self.assertEqual(self.post(self.valid()).status_code, 404)
        self.assertFalse(Lead.objects.exists())
        self.assertFalse(Submission.objects.exists())
