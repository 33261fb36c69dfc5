"""The consent ledger: append-only evidence and the rule that a refusal beats any exemption."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone as dj_timezone

from kakehashi.consent import actions, rules
from kakehashi.consent.models import AppendOnly, ConsentEvent
from kakehashi.testing import PersonaTestCase

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def ev(action, basis, days):
    return rules.Event(action, basis, T0 + timedelta(days=days))


def test_leg_jp_2_a_refusal_overrides_every_exemption():
    events = [ev("grant", "business_card", 0), ev("refuse", "none", 1), ev("grant", "customer", 2)]
    assert rules.effective_state(events) == "refused"


def test_the_persons_own_consent_lifts_an_earlier_refusal():
    events = [ev("refuse", "none", 0), ev("grant", "consent", 5)]
    assert rules.effective_state(events) == "granted"


def test_order_is_by_time_not_by_insertion():
    events = [ev("withdraw", "none", 3), ev("grant", "consent", 1)]
    assert rules.effective_state(events) == "withdrawn"
    assert rules.effective_state([]) == "unknown"


def test_most_restrictive_wins_a_merge():
    assert rules.most_restrictive("granted", "refused") == "refused"
    assert rules.most_restrictive("unknown", "granted") == "unknown"
    assert rules.most_restrictive("withdrawn", "unknown") == "withdrawn"


class LedgerTests(PersonaTestCase):
    def test_leg_jp_1_every_event_keeps_its_evidence_and_cannot_be_edited(self):
        lead = self.make_lead(email="hanako@example.jp")
        event = actions.record_consent(
            lead=lead, action="grant", method="web_form", basis="consent", text="メルマガを受け取る",
            text_version="2026-01", source="https://example.jp/form", ip="203.0.113.5",
            user_agent="Mozilla/5.0", actor=None, now=dj_timezone.now(),
        )  # fmt: skip
        lead.refresh_from_db()
        self.assertEqual(lead.email_consent, "granted")
        self.assertEqual(event.address_hash, actions.address_hash("HANAKO@example.jp"))
        event.text = "changed"
        with self.assertRaises(AppendOnly):
            event.save()
        with self.assertRaises(AppendOnly):
            event.delete()
        self.assertEqual(ConsentEvent.objects.get().text, "メルマガを受け取る")

    def test_leg_jp_4_evidence_outlives_the_lead(self):
        lead = self.make_lead(email="gone@example.jp")
        actions.record_consent(
            lead=lead, action="refuse", method="unsubscribe", basis="none", now=dj_timezone.now()
        )
        lead.delete()
        event = ConsentEvent.objects.get()
        self.assertIsNone(event.lead_id)
        self.assertEqual(event.address_hash, actions.address_hash("gone@example.jp"))

    def test_refusal_shows_on_the_timeline_and_blocks_marketing(self):
        lead = self.make_lead(email="no@example.jp")
        now = dj_timezone.now()
        actions.record_consent(
            lead=lead, action="grant", method="business_card", basis="business_card", now=now
        )
        actions.record_consent(
            lead=lead, action="refuse", method="staff", basis="none", now=now + timedelta(seconds=1)
        )
        actions.record_consent(
            lead=lead,
            action="grant",
            method="import",
            basis="customer",
            now=now + timedelta(seconds=2),
        )
        lead.refresh_from_db()
        self.assertEqual(lead.email_consent, "refused")
        self.assertFalse(lead.is_marketable)
        self.assertEqual(lead.activities.filter(kind__startswith="consent.").count(), 3)


@pytest.mark.parametrize("address", ["a@example.jp", "Ａ＠ＥＸＡＭＰＬＥ．ＪＰ "])
def test_address_hash_is_keyed_and_normalized(address, settings):
    assert actions.address_hash(address) == actions.address_hash("a@example.jp")
    before = actions.address_hash(address)
    settings.ADDRESS_HASH_KEY = "another-key"
    assert actions.address_hash(address) != before, "the hash depends on the key"
