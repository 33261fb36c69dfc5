"""The hand-off set up on the BtoB template: to inside sales, round robin, 4 business hours."""

from __future__ import annotations

from django.utils import timezone

from kakehashi.handoff import actions
from kakehashi.handoff.models import HandoffPolicy
from kakehashi.journey.tests.factories import MONDAY_10, TOKYO, btob, score, stage, stage_key

__all__ = ["MONDAY_10", "TOKYO", "btob", "policy", "score", "setup", "stage", "stage_key"]


def policy(journey, team, **fields) -> HandoffPolicy:
    p = actions.create_default_policy(
        stage=stage(journey, "mql"), team=team, actor=None, now=timezone.now()
    )
    if fields:
        HandoffPolicy.objects.filter(pk=p.pk).update(**fields)
        p.refresh_from_db()
    return p


def setup(test, **fields):
    """Score, journey and policy on ``test``; ken and a second inside-sales rep in rotation."""
    from kakehashi.testing import make_user

    test.score = score()
    test.journey = btob()
    test.yuki = make_user("yuki@example.jp", "山本 由紀", test.inside_sales)
    test.policy = policy(test.journey, test.inside_sales, **fields)
    return test.policy
