"""The permission table, persona by persona: read for all insiders, edit by ownership, marketing
fields for marketing, delete and export for managers and admins, nothing for outsiders."""

from __future__ import annotations

from django.urls import reverse

from kakehashi.accounts import permissions
from kakehashi.leads.models import Lead
from kakehashi.testing import PersonaTestCase


class LeadPermissionTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.lead = cls.make_lead(owner=cls.sato, email="hanako@customer.co.jp")

    def edit(self, user, **fields):
        self.client.force_login(user)
        data = {
            "last_name": self.lead.last_name,
            "first_name": self.lead.first_name,
            "email": self.lead.email,
            "source": self.lead.source,
            **fields,
        }
        return self.client.post(reverse("leads:edit", args=[self.lead.pk]), data)

    def test_every_internal_user_reads_every_lead(self):
        for user in (self.aiko, self.ken, self.sato, self.haruka, self.mori, self.admin):
            self.client.force_login(user)
            with self.subTest(user=user.email):
                self.assertEqual(self.client.get(reverse("leads:list")).status_code, 200)
                detail = self.client.get(reverse("leads:detail", args=[self.lead.pk]))
                self.assertContains(detail, "hanako@customer.co.jp")

    def test_outsider_without_a_team_is_refused(self):
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get(reverse("leads:list")).status_code, 403)
        detail = self.client.get(reverse("leads:detail", args=[self.lead.pk]))
        self.assertEqual(detail.status_code, 403)
        self.assertNotContains(detail, "hanako", status_code=403)

    def test_anonymous_visitor_is_sent_to_login(self):
        response = self.client.get(reverse("leads:detail", args=[self.lead.pk]))
        self.assertRedirects(response, f"/accounts/login/?next=/leads/{self.lead.pk}/")

    def test_sato_edits_the_lead_he_owns(self):
        response = self.edit(self.sato, title="部長")
        self.assertRedirects(response, reverse("leads:detail", args=[self.lead.pk]))
        self.lead.refresh_from_db()
        self.assertEqual(self.lead.title, "部長")

    def test_taro_edits_a_lead_his_team_owns(self):
        self.edit(self.taro, title="課長")
        self.lead.refresh_from_db()
        self.assertEqual(self.lead.title, "課長")

    def test_haruka_of_another_sales_team_cannot_edit(self):
        response = self.edit(self.haruka, title="社長")
        self.assertEqual(response.status_code, 403)
        self.lead.refresh_from_db()
        self.assertEqual(self.lead.title, "")

    def test_ken_in_inside_sales_cannot_edit_field_sales_lead(self):
        self.assertEqual(self.edit(self.ken, title="x").status_code, 403)

    def test_aiko_edits_only_marketing_fields(self):
        response = self.edit(self.aiko, title="社長", tags="展示会2026", source="trade_show")
        self.assertEqual(response.status_code, 302)
        self.lead.refresh_from_db()
        self.assertEqual(self.lead.title, "", "marketing must not change sales fields")
        self.assertEqual(self.lead.source, "trade_show")
        self.assertEqual([t.name for t in self.lead.tags.all()], ["展示会2026"])

    def test_aiko_sees_that_her_edit_form_is_limited(self):
        self.client.force_login(self.aiko)
        page = self.client.get(reverse("leads:edit", args=[self.lead.pk]))
        self.assertContains(page, 'name="tags"')
        self.assertNotContains(page, 'name="title"')

    def test_manager_edits_any_lead(self):
        self.edit(self.mori, title="本部長")
        self.lead.refresh_from_db()
        self.assertEqual(self.lead.title, "本部長")

    def test_members_cannot_delete(self):
        for user in (self.aiko, self.ken, self.sato):
            self.client.force_login(user)
            response = self.client.post(reverse("leads:delete", args=[self.lead.pk]))
            self.assertEqual(response.status_code, 403)
        self.assertTrue(Lead.objects.filter(pk=self.lead.pk).exists())

    def test_manager_deletes_and_the_deletion_is_audited(self):
        self.client.force_login(self.mori)
        response = self.client.post(reverse("leads:delete", args=[self.lead.pk]))
        self.assertRedirects(response, reverse("leads:list"))
        self.assertFalse(Lead.objects.filter(pk=self.lead.pk).exists())
        from kakehashi.timeline.models import Activity

        audit = Activity.objects.get(kind="lead.deleted")
        self.assertEqual(audit.actor, self.mori)
        self.assertEqual(audit.data["lead_id"], self.lead.pk)

    def test_only_managers_and_admins_may_export(self):
        allowed = {u.email for u in (self.mori, self.admin)}
        for user in (
            self.aiko,
            self.ken,
            self.sato,
            self.haruka,
            self.mori,
            self.admin,
            self.outsider,
        ):
            with self.subTest(user=user.email):
                self.assertEqual(permissions.can_export(user), user.email in allowed)

    def test_edit_of_a_missing_lead_is_a_404(self):
        self.client.force_login(self.mori)
        self.assertEqual(self.client.get(reverse("leads:edit", args=[999999])).status_code, 404)


class AccountAdminPermissionTests(PersonaTestCase):
    def test_only_admins_manage_users_and_teams(self):
        for user in (self.aiko, self.ken, self.sato, self.mori, self.outsider):
            self.client.force_login(user)
            with self.subTest(user=user.email):
                self.assertEqual(self.client.get(reverse("accounts:users")).status_code, 403)
                self.assertEqual(self.client.get(reverse("accounts:teams")).status_code, 403)
        self.client.force_login(self.admin)
        self.assertEqual(self.client.get(reverse("accounts:users")).status_code, 200)
