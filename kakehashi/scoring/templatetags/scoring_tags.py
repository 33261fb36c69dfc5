from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from kakehashi.scoring import decay, engine, rules

register = template.Library()


@register.simple_tag
def grade(lead: Any) -> str:
    """A1…D4 for a lead annotated by ``queries.with_grades``; "" when it has no score yet."""
    score_id = getattr(lead, "grade_score", None)
    if score_id is None:
        return ""
    spec = next((s for s in engine.snapshot().scores if s.id == score_id), None)
    if spec is None:
        return ""
    now = timezone.now().timestamp()
    engagement = decay.current(lead.grade_g or 0.0, now, spec.epoch, spec.half_life)
    return f"{lead.grade_fit}{rules.engagement_digit(engagement, spec.engagement_thresholds)}"
