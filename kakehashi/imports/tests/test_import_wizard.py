"""The import wizard: upload, confirm columns, preview, import (in the worker when large)."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from kakehashi.imports import actions
from kakehashi.imports.models import ImportRun, SavedMapping
from kakehashi.leads.models import Lead
from kakehashi.testing import PersonaTestCase

CSV = "氏名,メールアドレス,電話番号,予算\n山田 太郎,taro@example.jp,03-1234-5678,=1+1\n悪い 行,bad-email,,\n"


class WizardTests(PersonaTestCase):
    def upload(self, text=CSV, name="list.csv", encoding="cp932"):
        self.client.force_login(self.aiko)
        upload = SimpleUploadedFile(name, text.encode(encoding))
        response = self.client.post("/imports/", {"file": upload})
        run = ImportRun.objects.latest("pk")
        self.assertRedirects(response, f"/imports/{run.pk}/map/")
        return run

    def mapping_data(self, run, **extra):
        columns = {f"col_{k}": v for k, v in run.mapping.items()}
        return {**columns, "consent_basis": "", "source": "", "on_match": "update", **extra}

    def test_aiko_uploads_confirms_previews_and_imports(self):
        run = self.upload()
        page = self.client.get(f"/imports/{run.pk}/map/")
        self.assertContains(page, "taro@example.jp")  # first values shown next to each column
        self.assertEqual(run.encoding, "cp932")
        preview = self.client.post(
            f"/imports/{run.pk}/map/",
            self.mapping_data(run, action="preview"),
            HTTP_HX_REQUEST="true",
        )
        self.assertContains(preview, "+81312345678")
        self.assertContains(preview, "is not a valid e-mail address")
        self.assertFalse(Lead.objects.exists(), "a preview stores nothing")
        done = self.client.post(
            f"/imports/{run.pk}/map/", self.mapping_data(run, action="import", save_as="営業リスト")
        )
        self.assertRedirects(done, f"/imports/{run.pk}/")
        run.refresh_from_db()
        self.assertEqual((run.status, run.created, len(run.errors)), ("done", 1, 1))
        self.assertEqual(Lead.objects.get().custom_attributes, {"予算": "=1+1"})
        self.assertEqual(SavedMapping.objects.get().columns["予算"], "custom:予算")
        detail = self.client.get(f"/imports/{run.pk}/")
        self.assertContains(detail, "Refused rows")

    def test_sec_csv_1_refused_rows_download_to_fix_and_reimport(self):
        run = self.upload()
        self.client.post(f"/imports/{run.pk}/map/", self.mapping_data(run, action="import"))
        body = self.client.get(f"/imports/{run.pk}/refused-rows.csv").content.decode("utf-8-sig")
        lines = body.strip().splitlines()
        self.assertEqual(lines[0], "氏名,メールアドレス,電話番号,予算,Reason")
        self.assertTrue(lines[1].startswith("悪い 行,bad-email,,,"))

    def test_a_bad_mapping_is_explained(self):
        run = self.upload()
        data = self.mapping_data(run, action="import")
        data["col_0"] = data["col_1"] = "email"
        response = self.client.post(f"/imports/{run.pk}/map/", data)
        self.assertContains(response, "Two columns are mapped to E-mail.")

    def test_an_unreadable_file_is_refused_at_upload(self):
        self.client.force_login(self.aiko)
        response = self.client.post(
            "/imports/", {"file": SimpleUploadedFile("x.csv", bytes(range(128, 256)) * 20)}
        )
        self.assertContains(response, "neither UTF-8, UTF-16 nor CP932")
        self.assertFalse(ImportRun.objects.exists())

    @override_settings()
    def test_large_files_run_in_the_worker_with_progress(self):
        rows = "".join(
            f"社員{i} 太郎,user{i}@example.jp\n" for i in range(actions.INLINE_ROWS + 10)
        )
        run = self.upload("氏名,メールアドレス\n" + rows, encoding="utf-8")
        with self.captureOnCommitCallbacks(execute=True) as callbacks:
            response = self.client.post(
                f"/imports/{run.pk}/map/", self.mapping_data(run, action="import")
            )
        # Handed to the worker after the commit; the worker then asks for the leads' rescore.
        self.assertEqual(len(callbacks), 2)
        self.assertRedirects(response, f"/imports/{run.pk}/")
        run.refresh_from_db()
        self.assertEqual(
            (run.status, run.created, run.progress_percent), ("done", actions.INLINE_ROWS + 10, 100)
        )
        status = self.client.get(f"/imports/{run.pk}/", HTTP_HX_REQUEST="true")
        self.assertNotContains(status, "hx-trigger", msg_prefix="polling stops when finished")

    def test_others_imports_are_private_to_members(self):
        run = self.upload()
        self.client.force_login(self.ken)
        self.assertEqual(self.client.get(f"/imports/{run.pk}/map/").status_code, 403)
        self.client.force_login(self.mori)
        self.assertEqual(self.client.get(f"/imports/{run.pk}/map/").status_code, 200)

    def test_api_imports_a_file_with_a_token(self):
        from django.utils import timezone

        from kakehashi.accounts.actions import create_token

        key = create_token(user=self.aiko, name="sync", now=timezone.now()).key
        upload = SimpleUploadedFile("api.csv", CSV.encode("utf-8"))
        response = self.client.post("/api/v1/imports", {"file": upload, "consent_basis": "consent"},
                                    HTTP_AUTHORIZATION=f"Bearer {key}")  # fmt: skip
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertEqual((body["created"], body["errors"][0]["line"]), (1, 3))
        self.assertTrue(Lead.objects.get().is_marketable)
        again = self.client.get(f"/api/v1/imports/{body['id']}", HTTP_AUTHORIZATION=f"Bearer {key}")
        self.assertEqual(again.json()["status"], "done")
        bad = self.client.post(
            "/api/v1/imports",
            {"file": SimpleUploadedFile("b.csv", b"")},
            HTTP_AUTHORIZATION=f"Bearer {key}",
        )
        self.assertEqual(bad.status_code, 400)
