"""Signing in: argon2, one message for every failure, lockout after repeated failures."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse

from kakehashi.testing import PersonaTestCase

PASSWORD = "correct-horse-battery-staple"


class LoginTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ken.set_password(PASSWORD)
        cls.ken.save()

    def login(self, email, password):
        return self.client.post(
            reverse("accounts:login"), {"username": email, "password": password}
        )

    def test_ken_logs_in_and_out(self):
        response = self.login("Ken@Example.jp", PASSWORD)
        self.assertRedirects(response, reverse("core:home"))
        home = self.client.get(reverse("core:home"))
        self.assertContains(home, "伊藤 健")
        self.client.post(reverse("accounts:logout"))
        self.assertEqual(self.client.get(reverse("core:home")).status_code, 302)

    def test_sec_auth_1_passwords_are_hashed_with_argon2(self):
        self.ken.refresh_from_db()
        self.assertTrue(self.ken.password.startswith("argon2$"))

    def test_sec_auth_1_unknown_email_and_wrong_password_read_the_same(self):
        wrong = self.login("ken@example.jp", "wrong-password")
        unknown = self.login("nobody@example.jp", "wrong-password")
        self.assertEqual(wrong.status_code, unknown.status_code)
        self.assertContains(wrong, "The e-mail address or password is not correct.")
        self.assertContains(unknown, "The e-mail address or password is not correct.")

    @override_settings(AXES_FAILURE_LIMIT=3)
    def test_sec_auth_1_lockout_after_repeated_failures(self):
        for _ in range(3):
            self.login("ken@example.jp", "wrong-password")
        locked = self.login("ken@example.jp", PASSWORD)
        self.assertEqual(locked.status_code, 429)
        self.assertContains(locked, "Too many attempts", status_code=429)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_sec_auth_1_weak_passwords_are_refused(self):
        for weak in ("password", "12345678901", "ken@example.jp", "short"):
            with self.subTest(password=weak), self.assertRaises(ValidationError):
                validate_password(weak, user=self.ken)

    def test_password_reset_answers_the_same_for_unknown_addresses(self):
        from django.core import mail

        known = self.client.post(reverse("accounts:password_reset"), {"email": "ken@example.jp"})
        unknown = self.client.post(
            reverse("accounts:password_reset"), {"email": "nobody@example.jp"}
        )
        self.assertRedirects(known, reverse("accounts:password_reset_done"))
        self.assertRedirects(unknown, reverse("accounts:password_reset_done"))
        self.assertEqual(len(mail.outbox), 1)
        self.assertIn("/accounts/reset/", mail.outbox[0].body)

    def test_deactivated_user_cannot_log_in(self):
        self.ken.is_active = False
        self.ken.save()
        response = self.login("ken@example.jp", PASSWORD)
        self.assertContains(response, "The e-mail address or password is not correct.")
