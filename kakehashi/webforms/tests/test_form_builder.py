"""Marketing builds a form in the browser-less way staff do: settings, fields with options,
mapping and branching, publish. Sales reads everything; outsiders get nothing."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from kakehashi.timeline.models import Activity
from kakehashi.webforms.models import Field, Form

from .base import WebformTestCase


class FormBuilderTests(WebformTestCase):
    def field(self, form, **data):
        base = {"kind": "text", "label_ja": "", "label_en": "", "key": "", "help_ja": "",
                "help_en": "", "page": "1", "max_length": "", "param": "", "show_if_key": "",
                "show_if_value": "", "options_text": "", "rows_text": "", "target": "",
                "attribute": ""}  # fmt: skip
        return self.client.post(f"/forms/{form.pk}/fields/new/", {**base, **data})

    def test_aiko_builds_and_publishes_a_seminar_form(self):
        self.client.force_login(self.aiko)
        response = self.client.post("/forms/new/", {
            "name": "セミナー申込", "slug": "seminar-2026", "kind": "form",
            "title_ja": "MA活用セミナー お申し込み", "title_en": "MA seminar sign-up",
            "campaign": "seminar-2026-06",
        })  # fmt: skip
        form = Form.objects.get(slug="seminar-2026")
        self.assertRedirects(response, f"/forms/{form.pk}/", fetch_redirect_response=False)
        self.assertEqual(self.field(form, kind="email", label_ja="メール", key="email",
                                    target="lead:email", required="on").status_code, 302)  # fmt: skip
        self.field(form, kind="single_choice", label_ja="参加方法", key="参加方法",
                   options_text="会場 | On site\nオンライン | Online", required="on")  # fmt: skip
        self.field(form, kind="text", label_ja="会場での希望 席", target="custom",
                   attribute="座席", show_if_key="参加方法", show_if_value="会場")  # fmt: skip
        fields = list(form.fields.all())
        self.assertEqual([f.key for f in fields], ["email", "参加方法", "会場での希望席"])
        self.assertEqual(
            fields[1].options[1], {"value": "オンライン", "ja": "オンライン", "en": "Online"}
        )
        self.assertEqual(fields[2].maps_to, "custom:座席")
        self.client.post(f"/forms/{form.pk}/status/", {"status": "published"})
        form.refresh_from_db()
        self.assertEqual(form.status, "published")
        self.assertTrue(
            Activity.objects.filter(kind="webform.published", data__form_id=form.pk).exists()
        )
        page = self.visitor.get("/f/seminar-2026/?lang=en")
        self.assertContains(page, "MA seminar sign-up")
        self.assertContains(page, "Online")

    def test_the_builder_explains_what_it_refuses(self):
        self.client.force_login(self.aiko)
        response = self.field(self.form, kind="select", label_ja="予算")
        self.assertContains(response, "List the options to choose from.")
        response = self.field(self.form, kind="consent", label_ja="同意2")
        self.assertContains(response, "A form has one consent checkbox.")
        response = self.field(self.form, kind="text", label_ja="メール2", target="lead:email")
        self.assertContains(response, "This lead field needs a field of the matching type.")
        response = self.field(self.form, kind="text", label_ja="x", key="has space")
        self.assertContains(response, "Use a name without spaces or dots")
        response = self.field(self.form, kind="hidden", label_ja="utm")
        self.assertContains(response, "Name the URL parameter to keep")

    def test_a_field_with_answers_cannot_be_deleted_and_a_form_with_submissions_stays(self):
        self.post(self.valid())
        self.client.force_login(self.aiko)
        field = self.f["関心"]
        self.client.post(f"/forms/{self.form.pk}/fields/{field.pk}/delete/")
        self.assertTrue(Field.objects.filter(pk=field.pk).exists())
        self.client.post(f"/forms/{self.form.pk}/delete/")
        self.assertTrue(Form.objects.filter(pk=self.form.pk).exists())

    def test_fields_move_up_and_down(self):
        self.client.force_login(self.aiko)
        second = self.f["姓"]
        self.client.post(f"/forms/{self.form.pk}/fields/{second.pk}/move/", {"to": "up"})
        self.assertEqual([f.key for f in self.form.fields.all()][:2], ["姓", "email"])

    def test_sales_reads_forms_and_results_but_cannot_build(self):
        self.client.force_login(self.ken)
        for url in ("/forms/", f"/forms/{self.form.pk}/", f"/forms/{self.form.pk}/submissions/",
                    f"/forms/{self.form.pk}/results/"):  # fmt: skip
            self.assertEqual(self.client.get(url).status_code, 200, url)
        self.assertNotContains(self.client.get(f"/forms/{self.form.pk}/"), "Add field")
        self.assertEqual(self.client.get("/forms/new/").status_code, 403)
        self.assertEqual(
            self.client.post(f"/forms/{self.form.pk}/status/", {"status": "closed"}).status_code,
            403,
        )
        self.assertEqual(self.field(self.form, kind="text", label_ja="x").status_code, 403)
        self.assertEqual(
            self.client.post(f"/forms/{self.form.pk}/", {"name": "x"}).status_code, 403
        )

    def test_outsiders_and_anonymous_users_are_refused(self):
        self.assertEqual(self.client.get("/forms/").status_code, 302)
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get("/forms/").status_code, 403)
        self.assertEqual(self.client.get(f"/forms/{self.form.pk}/results/").status_code, 403)

    def test_the_form_list_costs_the_same_queries_for_many_forms(self):
        from django.utils import timezone

        from kakehashi.webforms import actions

        self.client.force_login(self.ken)
        self.client.get("/forms/")
        with CaptureQueriesContext(connection) as few:
            self.client.get("/forms/")
        for i in range(5):
            actions.create_form(actor=self.aiko, fields={"name": f"f{i}", "slug": f"f{i}",
                                "title_ja": "t"}, now=timezone.now())  # fmt: skip
        with CaptureQueriesContext(connection) as many:
            self.assertContains(self.client.get("/forms/"), "f4")
        self.assertEqual(len(few), len(many))
