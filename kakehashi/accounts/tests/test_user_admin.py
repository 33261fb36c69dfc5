"""Admins invite users into teams; the invited user chooses a password from the e-mailed link."""

from __future__ import annotations

import re

from django.core import mail
from django.urls import reverse

from kakehashi.accounts.models import Team, User
from kakehashi.testing import PersonaTestCase


class UserAdminTests(PersonaTestCase):
    def test_admin_invites_a_user_who_sets_a_password_and_logs_in(self):
        self.client.force_login(self.admin)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                reverse("accounts:user_create"),
                {
                    "email": "New.Rep@Example.jp",
                    "name": "新人 営業",
                    "team": self.field_sales.pk,
                    "role": "member",
                },
            )
        self.assertContains(response, "/accounts/invite/")
        user = User.objects.get(email="new.rep@example.jp")
        self.assertEqual(user.team, self.field_sales)
        self.assertFalse(user.has_usable_password())
        self.assertEqual(len(mail.outbox), 1)
        url = re.search(r"https?://\S+", mail.outbox[0].body).group(0)
        path = url.split("://", 1)[1].split("/", 1)[1]
        self.client.logout()
        form = self.client.post(
            "/" + path,
            {"new_password1": "Sakura-2026-kakehashi", "new_password2": "Sakura-2026-kakehashi"},
        )
        self.assertRedirects(form, reverse("accounts:login"))
        login = self.client.post(
            reverse("accounts:login"),
            {"username": "new.rep@example.jp", "password": "Sakura-2026-kakehashi"},
        )
        self.assertRedirects(login, reverse("core:home"))
        reused = self.client.get("/" + path)
        self.assertEqual(reused.status_code, 400, "an invitation link works once")

    def test_duplicate_email_is_refused(self):
        self.client.force_login(self.admin)
        response = self.client.post(
            reverse("accounts:user_create"),
            {"email": "KEN@example.jp", "name": "x", "role": "member"},
        )
        self.assertContains(response, "A user with this e-mail address already exists.")

    def test_admin_moves_a_user_and_the_change_is_audited(self):
        from kakehashi.timeline.models import Activity

        self.client.force_login(self.admin)
        self.client.post(
            reverse("accounts:user_edit", args=[self.ken.pk]),
            {
                "name": self.ken.name,
                "team": self.field_sales.pk,
                "role": "manager",
                "is_active": "on",
            },
        )
        self.ken.refresh_from_db()
        self.assertEqual((self.ken.team, self.ken.role), (self.field_sales, "manager"))
        change = Activity.objects.get(kind="user.updated")
        self.assertEqual(change.data["changes"]["role"], ["member", "manager"])

    def test_admin_creates_a_team_and_names_are_unique(self):
        self.client.force_login(self.admin)
        self.client.post(
            reverse("accounts:team_create"), {"name": "営業第三部", "function": "field_sales"}
        )
        self.assertTrue(Team.objects.filter(name="営業第三部").exists())
        again = self.client.post(
            reverse("accounts:team_create"), {"name": "営業第三部", "function": "marketing"}
        )
        self.assertContains(again, "A team with this name already exists.")
