"""One timeline that both departments write to and read from."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kakehashi.testing import PersonaTestCase
from kakehashi.timeline import actions
from kakehashi.timeline.models import Note


class SharedTimelineTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.lead = cls.make_lead(owner=cls.sato, email="hanako@customer.co.jp")
        actions.record(
            kind="page.viewed",
            lead=cls.lead,
            data={"url": "https://x.example/pricing", "title": "料金"},
        )
        actions.record(
            kind="call.logged",
            lead=cls.lead,
            actor=cls.ken,
            data={"outcome": "connected", "summary": "予算は来期"},
        )

    def test_aikos_note_appears_in_satos_view_with_her_team(self):
        self.client.force_login(self.aiko)
        self.client.post(
            reverse("leads:note", args=[self.lead.pk]), {"body": "展示会で名刺交換。MAに関心あり。"}
        )
        note = Note.objects.get()
        self.assertEqual(note.department, "marketing")
        self.client.force_login(self.sato)
        page = self.client.get(reverse("leads:detail", args=[self.lead.pk]))
        self.assertContains(page, "展示会で名刺交換。MAに関心あり。")
        self.assertContains(page, "高橋 愛子 · マーケティング部")
        self.assertContains(page, "予算は来期")  # inside sales' call, same timeline
        self.assertContains(page, "https://x.example/pricing")  # marketing's page view

    def test_htmx_note_returns_the_refreshed_timeline(self):
        self.client.force_login(self.ken)
        response = self.client.post(
            reverse("leads:note", args=[self.lead.pk]),
            {"body": "折り返し待ち"},
            HTTP_HX_REQUEST="true",
        )
        self.assertContains(response, "折り返し待ち")
        self.assertNotContains(response, "<html")

    def test_empty_note_is_refused_without_saving(self):
        self.client.force_login(self.ken)
        response = self.client.post(
            reverse("leads:note", args=[self.lead.pk]), {"body": ""}, HTTP_HX_REQUEST="true"
        )
        self.assertContains(response, "errorlist")
        self.assertFalse(Note.objects.exists())

    def test_filter_by_department_and_kind(self):
        self.client.force_login(self.aiko)
        url = reverse("leads:timeline", args=[self.lead.pk])
        sales = self.client.get(url, {"department": "inside_sales"})
        self.assertContains(sales, "予算は来期")
        self.assertNotContains(sales, "pricing")
        pages = self.client.get(url, {"kind": "page"})
        self.assertContains(pages, "pricing")
        self.assertNotContains(pages, "予算は来期")
        bogus = self.client.get(url, {"department": "'; DROP TABLE x;--"})
        self.assertContains(bogus, "予算は来期")

    def test_sec_xss_2_note_bodies_are_escaped_everywhere(self):
        payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
        actions.add_note(author=self.ken, body=payload, lead=self.lead, now=timezone.now())
        self.client.force_login(self.sato)
        for url in (reverse("leads:detail", args=[self.lead.pk]), reverse("core:home")):
            page = self.client.get(url).content.decode()
            self.assertNotIn("<script>alert", page)
            self.assertNotIn("<img src=x", page)
            self.assertIn("&lt;script&gt;", page)

    def test_sec_csrf_1_state_changes_need_post_and_a_csrf_token(self):
        strict = Client(enforce_csrf_checks=True)
        strict.force_login(self.mori)
        self.assertEqual(strict.get(reverse("leads:delete", args=[self.lead.pk])).status_code, 405)
        self.assertEqual(strict.post(reverse("leads:delete", args=[self.lead.pk])).status_code, 403)
        self.assertEqual(
            strict.post(reverse("leads:note", args=[self.lead.pk]), {"body": "x"}).status_code, 403
        )
        self.assertFalse(Note.objects.exists())

    def test_timeline_is_paginated(self):
        for i in range(35):
            actions.record(kind="email.opened", lead=self.lead, data={"subject": f"メルマガ {i}"})
        self.client.force_login(self.aiko)
        page = self.client.get(reverse("leads:timeline", args=[self.lead.pk]))
        self.assertEqual(len(page.context["timeline"]), 30)
        self.assertContains(page, "tpage=2")
