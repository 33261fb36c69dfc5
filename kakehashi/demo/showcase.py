"""Turn demo leads into a working product: a score, the BtoB journey with leads along it, the
hand-off to inside sales, deals on the board and a tracking source — what a team would have
after a few weeks, so every page has something to show on the first run."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction

from kakehashi.accounts.models import Function, Team, User
from kakehashi.leads.models import Lead

# Where demo leads stand on the BtoB journey (stage key → share of leads), the rest at 認知.
SPREAD = [("interest", 0.25), ("consideration", 0.12), ("nurture", 0.05), ("mql", 0.02),
          ("sal", 0.02), ("sql", 0.01)]  # fmt: skip


def setup(*, now: datetime, seed: int = 7, deals: int = 150) -> dict[str, Any]:
    """Idempotent: each part is created only when the product has none of it yet."""
    rng = random.Random(seed)
    done: dict[str, Any] = {}
    done["score"] = _score(now)
    journey = _journey(now)
    done["journey"] = bool(journey)
    done["handoff"] = _handoff(journey, now)
    if journey is not None:
        _spread(journey, now, rng)  # after the hand-off exists, so MQLs reach the work queue
        if done["handoff"]:
            done["handoffs_decided"] = _settle_handoffs(journey, now, rng)
    done["deals"] = _deals(rng, now, deals)
    done["source"] = _source(now)
    return done


def _score(now: datetime) -> bool:
    from kakehashi.scoring import actions, recompute
    from kakehashi.scoring.models import Score

    if Score.objects.exists():
        return False
    score = actions.create_starter_score(actor=None, name="標準スコア", now=now)
    recompute.recompute_score(score_id=score.pk, now=now)
    return True


def _journey(now: datetime) -> Any:
    from kakehashi.journey import actions
    from kakehashi.journey.models import Journey

    if Journey.objects.exists():
        return None
    return actions.create_from_blueprint(key="btob", actor=None, now=now)


def _spread(journey: Any, now: datetime, rng: random.Random) -> None:
    from kakehashi.journey import actions
    from kakehashi.journey.models import Stage

    stages = {s.key: s for s in Stage.objects.filter(journey=journey)}
    # A sample is enough for the map to tell its story (moving each lead writes its history);
    # drawn with the seeded generator, so the same demo comes out every time.
    ids = list(Lead.objects.order_by("pk").values_list("pk", flat=True))
    leads = rng.sample(ids, min(5000, len(ids)))
    start = 0
    for key, share in SPREAD:
        count = int(len(leads) * share)
        for lead in Lead.objects.filter(pk__in=leads[start : start + count]):
            actions.move_lead(
                lead=lead,
                stage=stages[key],
                actor=None,
                reason="demo",
                now=now - timedelta(days=rng.randint(1, 60)),
            )
        start += count
    return journey


def _handoff(journey: Any, now: datetime) -> bool:
    from kakehashi.handoff import actions
    from kakehashi.handoff.models import HandoffPolicy
    from kakehashi.journey.models import Stage

    team = Team.objects.filter(function=Function.INSIDE_SALES).first()
    if journey is None or team is None or HandoffPolicy.objects.exists():
        return False
    stage = Stage.objects.get(journey=journey, key="mql")
    actions.create_default_policy(stage=stage, team=team, actor=None, now=now)
    return True


# What a rep writes when turning a lead down (the reason itself is coded).
REJECT_COMMENTS = ["予算が来期以降とのこと", "担当者が情報収集の段階", "競合と契約済み", ""]
FRESH_MQLS = 4


def _settle_handoffs(journey: Any, now: datetime, rng: random.Random) -> int:
    """The hand-offs the spread made are weeks old: as a team would have it, sales decided
    most of them within a day (accepted, or rejected with a coded reason that goes back to
    marketing), a few were missed and escalated, and today's MQLs wait in the queue with
    their SLA running. Everything goes through the product's own actions."""
    from kakehashi.handoff import actions
    from kakehashi.handoff.models import Handoff, RejectReason
    from kakehashi.journey import actions as journey_actions
    from kakehashi.journey.models import LeadStage, Stage

    reasons = list(RejectReason.objects.filter(active=True).order_by("position", "pk"))
    waiting = Handoff.objects.filter(status=Handoff.Status.OPEN, owner__isnull=False)
    decided = 0
    for handoff in waiting.select_related("owner").order_by("created_at", "pk"):
        owner = handoff.owner
        if owner is None:  # filtered out above; this tells the type checker
            continue
        roll = rng.random()
        when = min(handoff.created_at + timedelta(hours=rng.randint(1, 20)), now)
        if roll < 0.6:
            actions.accept(handoff=handoff, actor=owner, now=when)
        elif roll < 0.9 and reasons:
            actions.reject(handoff=handoff, actor=owner, reason=rng.choice(reasons),
                           comment=rng.choice(REJECT_COMMENTS), now=when)  # fmt: skip
        else:
            continue  # missed: the SLA check below escalates it
        decided += 1
    actions.check_sla(now=now)
    # Today's MQLs: leads still early on the journey reach the hand-off stage hours ago.
    mql = Stage.objects.get(journey=journey, key="mql")
    early = LeadStage.objects.filter(journey=journey, stage__position__lt=mql.position)
    ids = list(early.order_by("lead_id").values_list("lead_id", flat=True)[:200])
    for lead in Lead.objects.filter(pk__in=rng.sample(ids, min(FRESH_MQLS, len(ids)))):
        journey_actions.move_lead(lead=lead, stage=mql, actor=None, reason="demo",
                                  now=now - timedelta(hours=rng.randint(1, 6)))  # fmt: skip
    return decided


def _deals(rng: random.Random, now: datetime, count: int) -> int:
    from kakehashi.deals import actions
    from kakehashi.deals.models import CloseReason, Deal, Stage

    if Deal.objects.exists():
        return 0
    pipeline = actions.ensure_defaults()
    open_stages = list(pipeline.stages.filter(kind=Stage.Kind.OPEN))
    won = list(CloseReason.objects.filter(outcome="won"))
    lost = list(CloseReason.objects.filter(outcome="lost", needs_competitor=False))
    sellers = list(User.objects.filter(team__function=Function.FIELD_SALES, is_active=True))
    if not sellers or not open_stages:
        return 0
    # Leads waiting in the hand-off queue stay there: a deal would move them on past it.
    candidates = list(
        Lead.objects.exclude(company=None)
        .exclude(handoffs__status="open")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    chosen = rng.sample(candidates, min(count, len(candidates)))
    by_pk = Lead.objects.select_related("company").in_bulk(chosen)
    leads = [by_pk[pk] for pk in chosen]
    made = 0
    for lead in leads:
        owner = rng.choice(sellers)
        created = now - timedelta(days=rng.randint(5, 120))
        with transaction.atomic():
            deal = actions.create_deal(
                name=f"{lead.company.name if lead.company else lead.display_name} "
                f"{rng.choice(['年間ライセンス', '導入支援', '追加ライセンス', 'PoC'])}",
                owner=owner, leads=[lead], amount=rng.choice([300000, 800000, 1200000, 2400000, 5000000]),
                expected_close_date=(now + timedelta(days=rng.randint(-10, 150))).date(),
                stage=rng.choice(open_stages), source="demo", actor=owner, now=created,
            )  # fmt: skip
            if rng.random() < 0.7:  # most deals moved recently; the rest show up as stale
                touched = max(created, now - timedelta(days=rng.randint(0, 10)))
                actions.log_sales_activity(kind=rng.choice(["call", "meeting", "email"]), deal=deal, actor=owner,
                                           outcome="connected", summary="進捗確認", now=touched)  # fmt: skip
            roll = rng.random()
            if roll < 0.15 and won:
                actions.win_deal(
                    deal=deal,
                    reason=rng.choice(won),
                    actor=owner,
                    now=created + timedelta(days=rng.randint(1, 30)),
                )
            elif roll < 0.25 and lost:
                actions.lose_deal(
                    deal=deal,
                    reason=rng.choice(lost),
                    actor=owner,
                    now=created + timedelta(days=rng.randint(1, 30)),
                )
        made += 1
    return made


def _source(now: datetime) -> bool:
    from kakehashi.tracking import actions
    from kakehashi.tracking.models import Source

    if Source.objects.exists():
        return False
    actions.create_source(name="コーポレートサイト", actor=None, now=now,
                          allowed_origins="https://www.kakehashi-demo.jp")  # fmt: skip
    return True
