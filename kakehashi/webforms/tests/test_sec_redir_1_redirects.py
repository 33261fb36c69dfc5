"""SEC-REDIR-1: a form redirects only to this server, its tracking source's sites or the
allowlist — checked when marketing saves it and again when a visitor submits."""

from __future__ import annotations

from django.test import SimpleTestCase, override_settings
from django.utils import timezone

from kakehashi.tracking import actions as tracking_actions
from kakehashi.webforms import guards
from kakehashi.webforms.models import Form

from .base import WebformTestCase

HOSTS = {"crm.example.jp", "www.example.co.jp"}


class RedirectRuleTests(SimpleTestCase):
    def test_sec_redir_1_only_absolute_urls_on_allowed_hosts(self):
        allowed = ["https://www.example.co.jp/thanks", "http://crm.example.jp/x?y=1"]
        refused = [
            "https://evil.example/", "//evil.example/", "/relative", "javascript:alert(1)",
            "https://www.example.co.jp.evil.example/", "https://user@www.example.co.jp/",
            "https://evil.example\\@www.example.co.jp/", "https://www.example.co.jp:99999/",
            " https://www.example.co.jp/", "https://www.example.co.jp/\r\nSet-Cookie: a=b",
            "data:text/html,hi", "",
        ]  # fmt: skip
        for url in allowed:
            self.assertTrue(guards.is_allowed_redirect(url, HOSTS), url)
        for url in refused:
            self.assertFalse(guards.is_allowed_redirect(url, HOSTS), url)


class RedirectOnSubmitTests(WebformTestCase):
    def settings_post(self, url, source=""):
        self.client.force_login(self.aiko)
        data = {"name": "資料請求", "slug": "shiryo", "kind": "form", "title_ja": "資料請求フォーム",
                "redirect_url": url, "tracking_source": source}  # fmt: skip
        return self.client.post(f"/forms/{self.form.pk}/", data)

    def test_sec_redir_1_the_builder_refuses_a_foreign_redirect(self):
        response = self.settings_post("https://evil.example/thanks")
        self.assertContains(response, "Forms may only redirect to this server")
        self.assertEqual(Form.objects.get(pk=self.form.pk).redirect_url, "")

    def test_sec_redir_1_the_sources_site_and_the_allowlist_are_accepted(self):
        source = tracking_actions.create_source(name="Site", actor=self.aiko, now=timezone.now(),
                                                allowed_origins="https://www.example.co.jp")  # fmt: skip
        response = self.settings_post("https://www.example.co.jp/thanks", source=source.pk)
        self.assertEqual(response.status_code, 302)
        response = self.post(self.valid())
        self.assertEqual((response.status_code, response["Location"]),
                         (303, "https://www.example.co.jp/thanks"))  # fmt: skip
        with override_settings(WEBFORMS_REDIRECT_HOSTS=["lp.example.com"]):
            self.assertEqual(
                self.settings_post("https://lp.example.com/ok", source=source.pk).status_code, 302
            )

    def test_sec_redir_1_a_redirect_no_longer_allowed_falls_back_to_the_thank_you_page(self):
        Form.objects.filter(pk=self.form.pk).update(redirect_url="https://evil.example/")
        response = self.post(self.valid())
        self.assertEqual(response.status_code, 303)
        self.assertTrue(response["Location"].startswith("/f/shiryo/thanks/"))
