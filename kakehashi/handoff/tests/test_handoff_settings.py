"""Managers set the hand-off up: the SLA and calendar, assignment rules, the reason list."""

from __future__ import annotations

from django.urls import reverse

from kakehashi.handoff.models import AssignmentRule, HandoffPolicy, RejectReason
from kakehashi.testing import PersonaTestCase

from .factories import btob, score, stage


class HandoffSettingsTests(PersonaTestCase):
    def setUp(self):
        score()
        self.journey = btob()
        self.client.force_login(self.mori)

    def set_up_policy(self):
        self.client.post(reverse("handoff:policy_create", args=[stage(self.journey, "mql").pk]),
                         {"team": self.inside_sales.pk})  # fmt: skip
        return HandoffPolicy.objects.get()

    def test_mori_sets_up_the_handoff_with_defaults_from_the_template(self):
        policy = self.set_up_policy()
        self.assertEqual((policy.accept_stage.key, policy.recycle_stage.key), ("sal", "nurture"))
        self.assertEqual(
            list(policy.rules.get().members.values_list("user", flat=True)), [self.ken.pk]
        )
        page = self.client.get(reverse("handoff:settings"))
        self.assertContains(page, "First touch within 4.0 business hours")

    def test_mori_changes_the_sla_and_calendar(self):
        policy = self.set_up_policy()
        form = {
            "team": self.inside_sales.pk, "accept_stage": policy.accept_stage_id,
            "recycle_stage": policy.recycle_stage_id, "account_based": "on", "sla_hours": "2",
            "day_start": "10:00", "day_end": "19:00", "work_days": "123456",
            "year_end_holidays": "on", "extra_holidays_text": "2026-08-14, 2026-08-15",
            "on_breach": "reassign", "hot_points": "40", "active": "on",
        }  # fmt: skip
        response = self.client.post(reverse("handoff:policy_edit", args=[policy.pk]), form)
        self.assertRedirects(response, reverse("handoff:settings"))
        policy.refresh_from_db()
        self.assertEqual(
            (policy.sla_hours, policy.work_days, policy.on_breach), (2, "123456", "reassign")
        )
        self.assertEqual(policy.extra_holidays, ["2026-08-14", "2026-08-15"])

    def test_a_business_day_ending_before_it_starts_is_refused(self):
        policy = self.set_up_policy()
        response = self.client.post(reverse("handoff:policy_edit", args=[policy.pk]), {
            "team": self.inside_sales.pk, "accept_stage": policy.accept_stage_id,
            "recycle_stage": policy.recycle_stage_id, "sla_hours": "4", "day_start": "18:00",
            "day_end": "09:00", "work_days": "12345", "on_breach": "escalate", "hot_points": "30",
        })  # fmt: skip
        self.assertContains(response, "The business day must end after it starts.")

    def test_a_weighted_territory_rule_with_members_by_email(self):
        policy = self.set_up_policy()
        response = self.client.post(reverse("handoff:rule_create", args=[policy.pk]), {
            "name": "関西", "position": "0", "method": "weighted", "active": "on",
            "members_text": "ken@example.jp, 3, 20\nyuki-nobody@example.jp",
            "prefectures_text": "26, 27",
        })  # fmt: skip
        self.assertContains(response, "No active user with the e-mail yuki-nobody@example.jp.")
        self.client.post(reverse("handoff:rule_create", args=[policy.pk]), {
            "name": "関西", "position": "0", "method": "weighted", "active": "on",
            "members_text": "ken@example.jp, 3, 20", "prefectures_text": "26, 27",
        })  # fmt: skip
        rule = AssignmentRule.objects.get(name="関西")
        member = rule.members.get()
        self.assertEqual((rule.prefectures, member.weight, member.capacity), ([26, 27], 3, 20))

    def test_the_reason_list_is_editable(self):
        self.client.post(reverse("handoff:reason_create"),
                         {"code": "student", "name_ja": "学生", "name_en": "Student", "position": "5", "active": "on"})  # fmt: skip
        self.assertTrue(RejectReason.objects.filter(code="student").exists())

    def test_ken_cannot_change_settings(self):
        self.client.force_login(self.ken)
        self.assertEqual(self.client.get(reverse("handoff:settings")).status_code, 403)
