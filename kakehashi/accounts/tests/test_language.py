"""Japanese by default when the browser asks for it; English complete; a user's choice sticks."""

from __future__ import annotations

from django.urls import reverse

from kakehashi.testing import PersonaTestCase


class LanguageTests(PersonaTestCase):
    def test_login_page_follows_the_browser(self):
        ja = self.client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="ja-JP,ja;q=0.9")
        self.assertContains(ja, "ログイン")
        self.assertContains(ja, '<html lang="ja">')
        en = self.client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
        self.assertContains(en, "Log in")
        self.assertContains(en, '<html lang="en">')

    def test_japanese_is_the_default_without_a_preference(self):
        from django.test import Client

        self.assertContains(Client().get(reverse("accounts:login")), '<html lang="ja">')

    def test_a_users_saved_language_wins_over_the_browser(self):
        self.client.force_login(self.ken)
        self.client.post(reverse("set_language"), {"language": "en", "next": "/"})
        self.ken.refresh_from_db()
        self.assertEqual(self.ken.language, "en")
        page = self.client.get(reverse("leads:list"), HTTP_ACCEPT_LANGUAGE="ja")
        self.assertContains(page, "New lead")

    def test_main_pages_render_in_both_languages(self):
        lead = self.make_lead(owner=self.sato, company_name="東洋商事")
        self.client.force_login(self.sato)
        expectations = {
            "ja": ["リード", "会社", "共有タイムライン"],
            "en": ["Leads", "Companies", "Shared timeline"],
        }
        for language, words in expectations.items():
            self.client.post(reverse("set_language"), {"language": language, "next": "/"})
            page = self.client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
            for word in words:
                with self.subTest(language=language, word=word):
                    self.assertIn(word, page)
