"""Ready-made journeys as plain data: a BtoB buyer's journey and a BtoC customer journey.

Each becomes an ordinary, editable journey. Score thresholds are starting points: marketing
sets them with the scoring page's MQL suggestion.
"""

from __future__ import annotations

from typing import Any

BTOB: dict[str, Any] = {
    "kind": "btob",
    "name_ja": "BtoB バイヤーズジャーニー",
    "name_en": "BtoB buyer's journey",
    "stages": [
        {"key": "awareness", "name_ja": "認知", "name_en": "Awareness", "owner": "marketing"},
        {"key": "interest", "name_ja": "興味関心", "name_en": "Interest", "owner": "marketing",
         "rules": [{"kind": "score", "threshold": 10}, {"kind": "activity", "activity_kind": "email.clicked"}]},
        {"key": "consideration", "name_ja": "比較検討", "name_en": "Consideration", "owner": "marketing",
         "rules": [{"kind": "activity", "activity_kind": "form.submitted"},
                   {"kind": "activity", "activity_kind": "event.attended"},
                   {"kind": "score", "threshold": 25}]},
        {"key": "mql", "name_ja": "MQL", "name_en": "MQL", "owner": "marketing", "handoff": True,
         "description": "Marketing-qualified: handed to inside sales with an SLA.",
         "rules": [{"kind": "score", "threshold": 50}]},
        {"key": "sal", "name_ja": "SAL", "name_en": "SAL", "owner": "inside_sales",
         "description": "Sales-accepted: inside sales took the lead."},
        {"key": "sql", "name_ja": "SQL", "name_en": "SQL", "owner": "inside_sales",
         "description": "Sales-qualified: an appointment is set.",
         "rules": [{"kind": "activity", "activity_kind": "meeting.held", "from": ["sal"]}]},
        {"key": "opportunity", "name_ja": "商談", "name_en": "Opportunity", "owner": "field_sales",
         "rules": [{"kind": "activity", "activity_kind": "deal.created"}]},
        {"key": "won", "name_ja": "受注", "name_en": "Won", "owner": "field_sales",
         "rules": [{"kind": "activity", "activity_kind": "deal.won"}]},
        {"key": "after_follow", "name_ja": "アフターフォロー", "name_en": "After-sales follow-up",
         "owner": "customer_success",
         "rules": [{"kind": "activity", "activity_kind": "deal.after_follow", "from": ["won"]},
                   {"kind": "activity", "activity_kind": "meeting.held", "from": ["won"]},
                   {"kind": "activity", "activity_kind": "call.logged", "from": ["won"]}]},
        {"key": "nurture", "name_ja": "ナーチャリング", "name_en": "Nurturing", "owner": "marketing",
         "nurture": True,
         "description": "Recycled leads: rejected by sales, lost, or gone quiet.",
         "rules": [{"kind": "activity", "activity_kind": "deal.lost", "from": ["opportunity"]},
                   {"kind": "inactivity", "days": 90, "from": ["interest", "consideration"]}]},
    ],
}  # fmt: skip

BTOC: dict[str, Any] = {
    "kind": "btoc",
    "name_ja": "BtoC カスタマージャーニー",
    "name_en": "BtoC customer journey",
    "stages": [
        {"key": "awareness", "name_ja": "認知", "name_en": "Awareness", "owner": "marketing"},
        {"key": "interest", "name_ja": "興味・関心", "name_en": "Interest", "owner": "marketing",
         "rules": [{"kind": "score", "threshold": 10}]},
        {"key": "consideration", "name_ja": "比較・検討", "name_en": "Consideration", "owner": "marketing",
         "rules": [{"kind": "activity", "activity_kind": "form.submitted"}]},
        {"key": "purchase", "name_ja": "購入", "name_en": "Purchase", "owner": "marketing",
         "rules": [{"kind": "activity", "activity_kind": "coupon.redeemed"},
                   {"kind": "activity", "activity_kind": "deal.won"}]},
        {"key": "repeat", "name_ja": "継続・リピート", "name_en": "Repeat", "owner": "customer_success",
         "rules": [{"kind": "activity", "activity_kind": "coupon.redeemed", "from": ["purchase"]}]},
        {"key": "advocacy", "name_ja": "ファン化・推奨", "name_en": "Advocacy", "owner": "customer_success",
         "rules": [{"kind": "activity", "activity_kind": "referral.made"}]},
        {"key": "dormant", "name_ja": "休眠", "name_en": "Dormant", "owner": "marketing",
         "nurture": True,
         "rules": [{"kind": "inactivity", "days": 180, "from": ["interest", "consideration", "purchase", "repeat"]}]},
    ],
}  # fmt: skip

BLUEPRINTS = {"btob": BTOB, "btoc": BTOC}
