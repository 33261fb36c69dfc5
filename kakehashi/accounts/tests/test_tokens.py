"""Personal API tokens: shown once, stored hashed, revocable."""

from __future__ import annotations

import json
from io import StringIO

from django.core.management import call_command
from django.urls import reverse

from kakehashi.accounts.models import ApiToken
from kakehashi.testing import PersonaTestCase


class TokenTests(PersonaTestCase):
    def test_ken_creates_a_token_sees_it_once_and_uses_it(self):
        self.client.force_login(self.ken)
        response = self.client.post(
            reverse("accounts:tokens"), {"name": "CRM sync", "scope": "write"}
        )
        key = response.context["issued"].key
        self.assertContains(response, key)
        token = ApiToken.objects.get()
        self.assertNotIn(key, (token.key_hash, token.key_prefix))
        self.assertEqual(token.key_hash, ApiToken.hash_key(key))
        self.assertNotContains(self.client.get(reverse("accounts:tokens")), key)
        self.client.logout()
        api = self.client.get("/api/v1/leads", HTTP_AUTHORIZATION=f"Bearer {key}")
        self.assertEqual(api.status_code, 200)
        token.refresh_from_db()
        self.assertIsNotNone(token.last_used_at)

    def test_a_revoked_token_is_refused(self):
        self.client.force_login(self.ken)
        key = (
            self.client.post(reverse("accounts:tokens"), {"name": "x", "scope": "read"})
            .context["issued"]
            .key
        )
        token = ApiToken.objects.get()
        self.client.post(reverse("accounts:token_revoke", args=[token.pk]))
        self.client.logout()
        self.assertEqual(
            self.client.get("/api/v1/leads", HTTP_AUTHORIZATION=f"Bearer {key}").status_code, 401
        )

    def test_nobody_revokes_someone_elses_token(self):
        self.client.force_login(self.ken)
        self.client.post(reverse("accounts:tokens"), {"name": "x", "scope": "read"})
        token = ApiToken.objects.get()
        self.client.force_login(self.sato)
        self.assertEqual(
            self.client.post(reverse("accounts:token_revoke", args=[token.pk])).status_code, 404
        )
        token.refresh_from_db()
        self.assertIsNone(token.revoked_at)

    def test_deactivating_a_user_disables_their_tokens(self):
        self.client.force_login(self.ken)
        key = (
            self.client.post(reverse("accounts:tokens"), {"name": "x", "scope": "read"})
            .context["issued"]
            .key
        )
        self.ken.is_active = False
        self.ken.save()
        self.client.logout()
        self.assertEqual(
            self.client.get("/api/v1/leads", HTTP_AUTHORIZATION=f"Bearer {key}").status_code, 401
        )

    def test_cli_token_create_prints_json_once(self):
        out = StringIO()
        call_command("token", "create", "--email", "KEN@example.jp", "--json", stdout=out)
        payload = json.loads(out.getvalue())
        self.assertTrue(payload["token"].startswith("kk_"))
        self.assertEqual(ApiToken.objects.get().key_hash, ApiToken.hash_key(payload["token"]))
        api = self.client.get("/api/v1/leads", HTTP_AUTHORIZATION=f"Bearer {payload['token']}")
        self.assertEqual(api.status_code, 200)
