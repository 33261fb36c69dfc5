"""Anonymous visitors become leads: earlier events join the timeline, histories never mix."""

from __future__ import annotations

from django.utils import timezone

from kakehashi.leads import actions as lead_actions
from kakehashi.leads.models import Lead
from kakehashi.timeline.models import Activity
from kakehashi.tracking.models import Event, KnownUser, Status, Visitor

from .base import TrackingTestCase


def page(mid, anon="browser-1", url="https://www.example.co.jp/pricing", **extra):
    return {"type": "page", "messageId": mid, "anonymousId": anon, "name": "Pricing",
            "properties": {"url": url, "title": "料金プラン"}, **extra}  # fmt: skip


def identify(mid, email, anon="browser-1", **traits):
    return {"type": "identify", "messageId": mid, "anonymousId": anon,
            "traits": {"email": email, **traits}}  # fmt: skip


class StitchingTests(TrackingTestCase):
    def kinds(self, lead):
        return list(
            Activity.objects.for_lead(lead)
            .order_by("occurred_at", "id")
            .values_list("kind", flat=True)
        )

    def test_anonymous_page_views_stay_off_every_timeline(self):
        self.send("/v1/batch", {"batch": [page("p1"), page("p2")]})
        self.assertEqual(Event.objects.filter(status=Status.ANONYMOUS).count(), 2)
        self.assertFalse(Activity.objects.filter(kind="page.viewed").exists())
        self.assertTrue(Visitor.objects.filter(anonymous_id="browser-1", lead=None).exists())

    def test_identify_creates_the_lead_and_earlier_page_views_join_its_timeline(self):
        self.send(
            "/v1/batch", {"batch": [page("p1"), page("p2", url="https://www.example.co.jp/case")]}
        )
        self.send(
            "/v1/identify",
            identify("i1", "Hanako@Yamada-Shoji.co.jp", lastName="山田", firstName="花子"),
        )
        lead = Lead.objects.get(email="hanako@yamada-shoji.co.jp")
        self.assertEqual((lead.last_name, lead.first_name, lead.source), ("山田", "花子", "web"))
        # The earlier visits come before the lead existed, in the order they happened.
        self.assertEqual(
            self.kinds(lead), ["page.viewed", "page.viewed", "lead.created", "visitor.identified"]
        )
        viewed = (
            Activity.objects.for_lead(lead).filter(kind="page.viewed").order_by("occurred_at", "id")
        )
        self.assertEqual([a.data["title"] for a in viewed], ["料金プラン", "料金プラン"])
        self.assertEqual(viewed[1].data["url"], "https://www.example.co.jp/case")
        self.assertEqual(Activity.objects.get(kind="visitor.identified").data["earlier_events"], 2)
        self.assertFalse(Event.objects.filter(status=Status.ANONYMOUS).exists())

    def test_later_events_of_an_identified_visitor_land_on_the_lead(self):
        self.send("/v1/identify", identify("i1", "taro@example.jp"))
        self.send("/v1/track", {"anonymousId": "browser-1", "event": "Downloaded Brochure",
                                "messageId": "t1", "properties": {"file": "catalog.pdf"}})  # fmt: skip
        lead = Lead.objects.get(email="taro@example.jp")
        activity = Activity.objects.get(lead=lead, kind="track.downloaded_brochure")
        self.assertEqual(activity.data["properties"], {"file": "catalog.pdf"})
        self.assertEqual(activity.department, "marketing")

    def test_a_known_lead_is_never_replaced_or_overwritten(self):
        known = self.make_lead(
            owner=self.sato, email="ichiro@abe.example", last_name="阿部", first_name="一郎"
        )
        self.send(
            "/v1/identify", identify("i1", "ICHIRO@abe.example", lastName="<anon>", firstName="x")
        )
        self.assertEqual(Lead.objects.filter(email="ichiro@abe.example").count(), 1)
        known.refresh_from_db()
        self.assertEqual(
            (known.last_name, known.first_name, known.owner), ("阿部", "一郎", self.sato)
        )
        self.assertEqual(Visitor.objects.get().lead, known)

    def test_one_browser_identified_as_two_people_keeps_both_histories_apart(self):
        self.send("/v1/batch", {"batch": [page("p1"), identify("i1", "first@example.jp")]})
        self.send("/v1/page", page("p2"))
        self.send("/v1/identify", identify("i2", "second@example.jp"))
        self.send("/v1/page", page("p3"))
        first = Lead.objects.get(email="first@example.jp")
        second = Lead.objects.get(email="second@example.jp")

        def pages(lead):
            return set(
                Activity.objects.filter(lead=lead, kind="page.viewed").values_list(
                    "data__message_id", flat=True
                )
            )

        self.assertEqual(pages(first), {"p1", "p2"})
        self.assertEqual(pages(second), {"p3"})
        self.assertTrue(
            Activity.objects.get(lead=second, kind="visitor.identified").data["shared_device"]
        )

    def test_a_user_id_is_remembered_for_server_side_events(self):
        self.send(
            "/v1/identify",
            {"userId": "crm-42", "messageId": "i1", "traits": {"email": "k@example.jp"}},
        )
        self.send("/v1/track", {"userId": "crm-42", "event": "Order Completed", "messageId": "t1"})
        lead = Lead.objects.get(email="k@example.jp")
        self.assertTrue(KnownUser.objects.filter(user_id="crm-42", lead=lead).exists())
        self.assertIn("track.order_completed", self.kinds(lead))

    def test_an_email_as_user_id_identifies(self):
        self.send("/v1/identify", {"userId": "mail@example.jp", "messageId": "i1"})
        self.assertTrue(Lead.objects.filter(email="mail@example.jp").exists())

    def test_identify_without_an_email_keeps_the_visitor_anonymous(self):
        self.send(
            "/v1/identify",
            {"anonymousId": "browser-1", "messageId": "i1", "traits": {"plan": "free"}},
        )
        self.assertFalse(Lead.objects.exists())
        self.assertEqual(Event.objects.get().status, Status.ANONYMOUS)

    def test_alias_links_the_anonymous_history_to_a_known_user(self):
        self.send(
            "/v1/identify",
            {"userId": "crm-7", "messageId": "i1", "traits": {"email": "al@example.jp"}},
        )
        self.send("/v1/page", page("p1", anon="old-browser"))
        self.send("/v1/alias", {"userId": "crm-7", "previousId": "old-browser", "messageId": "a1"})
        lead = Lead.objects.get(email="al@example.jp")
        self.assertIn("page.viewed", self.kinds(lead))

    def test_the_company_is_recognized_from_the_email_domain(self):
        company = lead_actions.create_company(
            actor=self.aiko,
            fields={"name": "山田商事", "domain": "yamada-shoji.co.jp"},
            now=timezone.now(),
        )
        self.send("/v1/identify", identify("i1", "jiro@yamada-shoji.co.jp"))
        self.assertEqual(Lead.objects.get(email="jiro@yamada-shoji.co.jp").company, company)

    def test_free_mail_domains_name_no_company(self):
        lead_actions.create_company(
            actor=self.aiko, fields={"name": "Google", "domain": "gmail.com"}, now=timezone.now()
        )
        self.send("/v1/identify", identify("i1", "someone@gmail.com"))
        self.assertIsNone(Lead.objects.get(email="someone@gmail.com").company)

    def test_a_company_trait_names_the_company_of_a_new_lead(self):
        self.send(
            "/v1/identify",
            identify("i1", "ceo@newco.example", company={"name": "株式会社ニューコ"}),
        )
        self.assertEqual(
            Lead.objects.get(email="ceo@newco.example").company.name, "株式会社ニューコ"
        )

    def test_utm_parameters_become_the_first_touch(self):
        self.send(
            "/v1/page",
            page("p1", url="https://www.example.co.jp/?utm_source=newsletter&utm_campaign=spring"),
        )
        self.send("/v1/identify", identify("i1", "utm@example.jp"))
        visitor = Visitor.objects.get()
        self.assertEqual((visitor.utm_source, visitor.utm_campaign), ("newsletter", "spring"))
        self.assertEqual(
            Lead.objects.get(email="utm@example.jp").first_touch, "newsletter / spring"
        )

    def test_processing_is_idempotent_for_timeline_activities(self):
        self.send("/v1/identify", identify("i1", "idem@example.jp"))
        self.send("/v1/page", page("p1"))
        self.send("/v1/page", page("p1"))
        lead = Lead.objects.get(email="idem@example.jp")
        self.assertEqual(Activity.objects.filter(lead=lead, kind="page.viewed").count(), 1)


class OtherAppsLinkVisitorsTests(TrackingTestCase):
    def test_a_form_submission_links_the_browser_and_its_history(self):
        from kakehashi.tracking import actions

        self.send("/v1/page", page("p1", anon="form-browser"))
        lead = self.make_lead(email="form@example.jp")
        actions.link_anonymous_id(
            source=self.source, anonymous_id="form-browser", lead=lead, now=timezone.now()
        )
        self.assertTrue(Activity.objects.filter(lead=lead, kind="page.viewed").exists())
