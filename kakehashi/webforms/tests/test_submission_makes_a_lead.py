"""A visitor sends the hosted form: the lead is found or created by normalized e-mail, known
values are never blanked, the answers land on the timeline and the consent in the ledger."""

from __future__ import annotations

from kakehashi.consent.models import ConsentEvent
from kakehashi.leads.models import Lead
from kakehashi.timeline.models import Activity
from kakehashi.webforms.models import Answer, Submission

from .base import CONSENT_JA, PURPOSE_JA, WebformTestCase


class SubmissionMakesALeadTests(WebformTestCase):
    def test_the_hosted_page_shows_the_form_without_login_or_cookies(self):
        response = self.visitor.get("/f/shiryo/?lang=ja&utm_source=expo&aid=abc-123")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "資料請求フォーム")
        self.assertContains(response, PURPOSE_JA)
        self.assertContains(response, 'name="aid" value="abc-123"')
        self.assertContains(response, 'name="utm_source" value="expo"')
        self.assertEqual(response.cookies, {}, "no session or CSRF cookie for the public")
        self.assertNotIn("X-Frame-Options", response.headers, "embeddable in an iframe")
        english = self.visitor.get("/f/shiryo/?lang=en")
        self.assertContains(english, "Request our brochure")
        self.assertContains(english, "I agree to the handling")

    def test_a_new_visitor_becomes_a_lead_with_answers_and_consent(self):
        response = self.post(
            {**self.valid(), "ref": "https://www.example.co.jp/product", "utm_source": "expo",
             "utm_campaign": "booth"},
            HTTP_USER_AGENT="Mozilla/5.0 test", REMOTE_ADDR="203.0.113.9",
        )  # fmt: skip
        self.assertEqual(response.status_code, 303)
        lead = Lead.objects.get()
        self.assertEqual(lead.email, "hanako@yamada-shoji.co.jp")
        self.assertEqual((lead.last_name, lead.first_name), ("山田", "花子"))
        self.assertEqual(lead.company.name, "株式会社山田商事")
        self.assertEqual((lead.phone, lead.prefecture), ("+81312345678", 13))
        self.assertEqual(lead.custom_attributes, {"導入時期": "3か月以内"})
        self.assertEqual((lead.source, lead.first_touch), ("form", "expo / booth"))
        self.assertEqual(lead.email_consent, "granted")

        activity = Activity.objects.get(lead=lead, kind="form.submitted")
        self.assertEqual(activity.data["form"], "資料請求")
        self.assertEqual(activity.data["campaign"], "expo-2026")
        self.assertEqual(activity.data["answers"]["関心"], "CRM, MA")
        self.assertEqual(activity.data["answers"]["都道府県"], "東京都")
        self.assertEqual(activity.data["answers"]["ご質問"], "価格表もください")
        self.assertEqual(activity.data["utm"], {"source": "expo", "campaign": "booth"})

        consent = ConsentEvent.objects.get(lead=lead)
        self.assertEqual((consent.action, consent.method, consent.basis),
                         ("grant", "web_form", "consent"))  # fmt: skip
        self.assertEqual(consent.text_version, f"purpose-v{self.purpose.version}")
        self.assertEqual(consent.text, f"{PURPOSE_JA}\n\n{CONSENT_JA}")
        self.assertEqual((consent.ip, consent.user_agent), ("203.0.113.9", "Mozilla/5.0 test"))
        self.assertEqual(consent.source, "https://www.example.co.jp/product")

        submission = Submission.objects.get()
        self.assertEqual((submission.lead, submission.consent_given), (lead, True))
        self.assertEqual(
            sorted(Answer.objects.filter(field=self.f["関心"]).values_list("value", flat=True)),
            ["CRM", "MA"],
        )

    def test_the_thank_you_page_follows_in_the_visitors_language(self):
        response = self.post(self.valid(), language="en")
        thanks = self.visitor.get(response["Location"])
        self.assertContains(thanks, "Thank you for your request.")
        response = self.post(self.valid(email="other@example.jp"), language="ja")
        self.assertContains(
            self.visitor.get(response["Location"]), "お申し込みありがとうございました。"
        )

    def test_a_known_lead_is_updated_but_never_blanked(self):
        lead = self.make_lead(email="hanako@yamada-shoji.co.jp", title="部長",
                              phone="06-1111-2222", first_name="花子")  # fmt: skip
        self.post(self.valid(電話="", 名="", email="ＨＡＮＡＫＯ＠yamada-shoji.co.jp",
                             姓="山田", 導入時期="半年以内"))  # fmt: skip
        self.assertEqual(Lead.objects.count(), 1, "matched on the normalized e-mail")
        lead.refresh_from_db()
        self.assertEqual(lead.phone, "+81611112222", "an empty answer keeps the known phone")
        self.assertEqual((lead.first_name, lead.title), ("花子", "部長"))
        self.assertEqual(lead.custom_attributes["導入時期"], "半年以内")
        self.assertEqual(lead.source, "manual", "the source of a known lead stays")
        changes = Activity.objects.get(lead=lead, kind="lead.updated").data["changes"]
        self.assertNotIn("phone", changes)
        self.assertIn("custom_attributes", changes)

    def test_an_unticked_consent_box_is_kept_as_evidence_but_grants_nothing(self):
        self.post(self.valid(consent=None))
        submission = Submission.objects.get()
        self.assertIs(submission.consent_given, False)
        self.assertIn(CONSENT_JA, submission.consent_text)
        self.assertFalse(ConsentEvent.objects.exists())
        self.assertEqual(Lead.objects.get().email_consent, "unknown")
