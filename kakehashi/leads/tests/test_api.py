"""The REST API for leads, companies, notes and the timeline, with tokens and permissions."""

from __future__ import annotations

import json

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kakehashi.accounts import actions as account_actions
from kakehashi.leads import actions
from kakehashi.leads.models import Lead
from kakehashi.testing import PersonaTestCase
from kakehashi.timeline.models import Activity


class ApiTestCase(PersonaTestCase):
    def token(self, user, scope="write"):
        return account_actions.create_token(
            user=user, name="test", scope=scope, now=timezone.now()
        ).key

    def call(self, method, path, user=None, body=None, token=None, **params):
        headers = {}
        if token is None and user is not None:
            token = self.token(user)
        if token:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        fn = getattr(self.client, method)
        if body is not None:
            return fn(path, data=json.dumps(body), content_type="application/json", **headers)
        return fn(path, params, **headers) if method == "get" else fn(path, **headers)


class LeadApiTests(ApiTestCase):
    def test_ken_creates_reads_and_updates_a_lead(self):
        token = self.token(self.ken)
        created = self.call(
            "post", "/api/v1/leads", token=token,
            body={"last_name": "山田", "first_name": "花子", "email": "Hanako@Example.JP",
                  "phone": "03-1234-5678", "company_name": "㈱山田商事", "owner_id": self.ken.pk,
                  "tags": ["展示会2026"]},
        )  # fmt: skip
        self.assertEqual(created.status_code, 201, created.content)
        body = created.json()
        self.assertEqual(body["email"], "hanako@example.jp")
        self.assertEqual(body["phone"], "+81312345678")
        self.assertEqual(body["company"]["name"], "(株)山田商事")  # NFKC-folded
        self.assertEqual(body["tags"], ["展示会2026"])
        self.assertEqual(body["team_id"], self.inside_sales.pk)
        lead_id = body["id"]
        updated = self.call(
            "patch", f"/api/v1/leads/{lead_id}", token=token, body={"title": "部長"}
        )
        self.assertEqual(updated.status_code, 200)
        self.assertEqual(updated.json()["title"], "部長")
        change = Activity.objects.get(kind="lead.updated")
        self.assertEqual(change.data["changes"]["title"], ["", "部長"])
        self.assertEqual(change.actor, self.ken)

    def test_list_filters_and_paginates(self):
        for i in range(7):
            self.make_lead(
                owner=self.sato if i % 2 else self.ken,
                last_name=f"営業{i}",
                email=f"l{i}@example.jp",
            )
        response = self.call(
            "get", "/api/v1/leads", user=self.aiko, owner_id=self.sato.pk, page_size=2
        )
        body = response.json()
        self.assertEqual(body["count"], 3)
        self.assertEqual(len(body["results"]), 2)
        page2 = self.call(
            "get", "/api/v1/leads", user=self.aiko, owner_id=self.sato.pk, page_size=2, page=2
        ).json()
        self.assertEqual(len(page2["results"]), 1)
        self.assertEqual(
            self.call("get", "/api/v1/leads", user=self.aiko, q="l3@").json()["count"], 1
        )

    def test_list_query_count_is_bounded(self):
        token = self.token(self.aiko)
        self.make_lead(last_name="一")
        self.call("get", "/api/v1/leads", token=token)  # first use records last_used_at
        with CaptureQueriesContext(connection) as few:
            self.call("get", "/api/v1/leads", token=token)
        for i in range(20):
            actions.create_lead(actor=None, fields={"last_name": f"多{i}", "company_name": f"社{i}"},
                                tags=[f"t{i}"], now=timezone.now())  # fmt: skip
        with CaptureQueriesContext(connection) as many:
            response = self.call("get", "/api/v1/leads", token=token)
        self.assertEqual(response.json()["count"], 21)
        self.assertEqual(len(many), len(few))

    def test_errors_are_declared_statuses_with_reasons(self):
        token = self.token(self.ken)
        self.make_lead(email="taken@example.jp")
        cases = [
            ("post", "/api/v1/leads", {"email": "taken@example.jp", "last_name": "x"}, 409),
            ("post", "/api/v1/leads", {"title": "部長"}, 400),
            ("post", "/api/v1/leads", {"last_name": "x", "email": "nope"}, 422),
            ("post", "/api/v1/leads", {"last_name": "x", "prefecture": 48}, 422),
            ("post", "/api/v1/leads", {"last_name": "x", "owner_id": 999999}, 400),
            ("get", "/api/v1/leads/999999", None, 404),
        ]
        for method, path, body, status in cases:
            with self.subTest(body=body):
                response = self.call(method, path, token=token, body=body)
                self.assertEqual(response.status_code, status, response.content)
                self.assertIn("detail", response.json())
        bad_paging = self.call("get", "/api/v1/leads", token=token, page_size=10000)
        self.assertEqual(bad_paging.status_code, 400)
        bad_json = self.client.post("/api/v1/leads", data="{not json", content_type="application/json",
                                    HTTP_AUTHORIZATION=f"Bearer {token}")  # fmt: skip
        self.assertIn(bad_json.status_code, (400, 422))

    def test_sec_authz_1_rep_of_another_team_cannot_patch(self):
        lead = self.make_lead(owner=self.sato)
        response = self.call(
            "patch", f"/api/v1/leads/{lead.pk}", user=self.haruka, body={"title": "x"}
        )
        self.assertEqual(response.status_code, 403)
        lead.refresh_from_db()
        self.assertEqual(lead.title, "")

    def test_marketing_patches_marketing_fields_only(self):
        lead = self.make_lead(owner=self.sato)
        token = self.token(self.aiko)
        ok = self.call(
            "patch",
            f"/api/v1/leads/{lead.pk}",
            token=token,
            body={"tags": ["VIP"], "source": "event"},
        )
        self.assertEqual(ok.status_code, 200)
        refused = self.call(
            "patch", f"/api/v1/leads/{lead.pk}", token=token, body={"email": "x@example.jp"}
        )
        self.assertEqual(refused.status_code, 403)
        self.assertIn("email", refused.json()["detail"])

    def test_only_managers_delete(self):
        lead = self.make_lead(owner=self.ken)
        self.assertEqual(
            self.call("delete", f"/api/v1/leads/{lead.pk}", user=self.ken).status_code, 403
        )
        self.assertEqual(
            self.call("delete", f"/api/v1/leads/{lead.pk}", user=self.mori).status_code, 204
        )
        self.assertFalse(Lead.objects.filter(pk=lead.pk).exists())

    def test_outsider_and_anonymous_are_refused(self):
        self.make_lead()
        self.assertEqual(self.call("get", "/api/v1/leads", user=self.outsider).status_code, 403)
        self.assertEqual(self.client.get("/api/v1/leads").status_code, 401)
        self.assertEqual(
            self.client.get("/api/v1/leads", HTTP_AUTHORIZATION="Bearer kk_nope_nope").status_code,
            401,
        )

    def test_leg_appi_3_api_pulls_of_personal_data_are_logged_per_lead(self):
        from kakehashi.leads.models import Disclosure

        pulled = self.make_lead(owner=self.sato, email="pulled@example.jp")
        token = account_actions.create_token(
            user=self.mori, name="BI export", scope="read", now=timezone.now()
        )
        self.call("get", "/api/v1/leads", token=token.key)
        self.call("get", f"/api/v1/leads/{pulled.pk}", token=token.key)
        logs = Disclosure.objects.filter(leads__lead_id=pulled.pk)
        self.assertEqual(logs.count(), 2)
        log = logs.first()
        self.assertEqual((log.channel, log.actor), ("api", self.mori))
        self.assertIn("BI export", log.recipient)
        self.assertIn("email", log.fields)
        # Reading in the browser is not a disclosure to another party.
        self.client.force_login(self.mori)
        self.client.get("/api/v1/leads")
        self.assertEqual(Disclosure.objects.count(), 2)
        page = self.client.get(f"/leads/{pulled.pk}/")
        self.assertContains(page, "BI export")
        self.client.force_login(self.sato)
        self.assertNotContains(self.client.get(f"/leads/{pulled.pk}/"), "BI export")
        pulled_id = pulled.pk
        pulled.delete()
        kept = Disclosure.objects.filter(leads__lead_id=pulled_id).count()
        self.assertEqual(kept, 2, "the log outlives the lead")

    def test_read_only_token_cannot_write(self):
        token = self.token(self.mori, scope="read")
        self.assertEqual(self.call("get", "/api/v1/leads", token=token).status_code, 200)
        response = self.call("post", "/api/v1/leads", token=token, body={"last_name": "x"})
        self.assertEqual(response.status_code, 403)
        self.assertFalse(Lead.objects.exists())


class CompanyNoteTimelineApiTests(ApiTestCase):
    def test_companies_crud(self):
        token = self.token(self.mori)
        created = self.call("post", "/api/v1/companies", token=token,
                            body={"name": "株式会社 東洋システムズ", "industry": "it", "prefecture": 13})  # fmt: skip
        self.assertEqual(created.status_code, 201, created.content)
        cid = created.json()["id"]
        self.assertEqual(
            self.call("get", "/api/v1/companies", token=token, q="東洋").json()["count"], 1
        )
        patched = self.call(
            "patch", f"/api/v1/companies/{cid}", token=token, body={"employee_band": "50-299"}
        )
        self.assertEqual(patched.json()["employee_band"], "50-299")
        bad = self.call("post", "/api/v1/companies", token=token, body={"name": ""})
        self.assertEqual(bad.status_code, 422)
        self.assertEqual(
            self.call("delete", f"/api/v1/companies/{cid}", token=token).status_code, 204
        )

    def test_notes_and_timeline(self):
        lead = self.make_lead(owner=self.sato)
        note = self.call(
            "post", "/api/v1/notes", user=self.aiko, body={"lead_id": lead.pk, "body": "資料DL 3回"}
        )
        self.assertEqual(note.status_code, 201, note.content)
        self.assertEqual(note.json()["department"], "marketing")
        timeline = self.call("get", "/api/v1/timeline", user=self.sato, lead_id=lead.pk).json()
        kinds = [a["kind"] for a in timeline["results"]]
        self.assertEqual(kinds, ["note.added", "lead.created"])
        marketing = self.call(
            "get", "/api/v1/timeline", user=self.sato, lead_id=lead.pk, department="marketing"
        )
        self.assertEqual(marketing.json()["count"], 1)
        self.assertEqual(self.call("get", "/api/v1/timeline", user=self.sato).status_code, 400)
        self.assertEqual(
            self.call(
                "post", "/api/v1/notes", user=self.aiko, body={"lead_id": lead.pk, "body": ""}
            ).status_code,
            422,
        )
        self.assertEqual(
            self.call("post", "/api/v1/notes", user=self.aiko, body={"body": "x"}).status_code, 400
        )

    def test_only_the_author_or_a_manager_edits_or_deletes_a_note(self):
        lead = self.make_lead(owner=self.sato)
        note_id = self.call(
            "post", "/api/v1/notes", user=self.aiko, body={"lead_id": lead.pk, "body": "初稿"}
        ).json()["id"]
        self.assertEqual(
            self.call(
                "patch", f"/api/v1/notes/{note_id}", user=self.ken, body={"body": "x"}
            ).status_code,
            403,
        )
        edited = self.call(
            "patch", f"/api/v1/notes/{note_id}", user=self.aiko, body={"body": "修正版"}
        )
        self.assertEqual(edited.json()["body"], "修正版")
        timeline = self.call(
            "get", "/api/v1/timeline", user=self.sato, lead_id=lead.pk, kind="note.added"
        ).json()
        self.assertEqual(timeline["results"][0]["data"]["body"], "修正版")
        self.assertEqual(
            self.call("delete", f"/api/v1/notes/{note_id}", user=self.sato).status_code, 403
        )
        self.assertEqual(
            self.call("delete", f"/api/v1/notes/{note_id}", user=self.mori).status_code, 204
        )
        kinds = [a.kind for a in Activity.objects.filter(lead=lead)]
        self.assertNotIn("note.added", kinds)
        self.assertIn("note.deleted", kinds)

    def test_openapi_declares_every_error_status(self):
        schema = self.client.get("/api/openapi.json").json()
        for path, operations in schema["paths"].items():
            for method, operation in operations.items():
                with self.subTest(path=path, method=method):
                    declared = set(operation["responses"])
                    self.assertTrue({"401", "403", "404", "422"} <= declared, declared)

    def test_docs_are_served_locally(self):
        page = self.client.get("/api/docs")
        self.assertEqual(page.status_code, 200)
        self.assertNotIn(b"cdn.jsdelivr", page.content)
        self.assertNotIn(b"unpkg.com", page.content)
