"""Leads move through their journeys the moment an activity is recorded (event-driven).

``activity_recorded`` fires inside ``timeline.record``'s transaction. Scoring's receiver is
connected first (this module imports ``scoring.engine`` before connecting, and Django calls
receivers in the order they were connected), so a score rule here reads the score that this
very activity just moved. Journeys, stages and rules are cached per process for
``SNAPSHOT_SECONDS``; an activity no rule can fire on costs no query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, connection, transaction
from django.dispatch import receiver

from kakehashi.lib.refreshed import Refreshed
from kakehashi.scoring import decay
from kakehashi.scoring import engine as scoring_engine
from kakehashi.scoring import rules as scoring_rules
from kakehashi.timeline.models import Activity
from kakehashi.timeline.signals import activity_recorded

from . import rules
from .signals import stage_entered

if TYPE_CHECKING:
    from kakehashi.accounts.models import User
    from kakehashi.leads.models import Lead

SNAPSHOT_SECONDS = 5.0
# The journey and hand-off engines can be switched off (the benchmark's baseline run).
ENABLED = True


@dataclass(frozen=True)
class Snapshot:
    journeys: tuple[rules.JourneySpec, ...]


def load_specs() -> tuple[rules.JourneySpec, ...]:
    from kakehashi.scoring.models import Score

    from .models import EntryRule, Journey, Stage

    journeys = list(Journey.objects.filter(active=True).order_by("position", "id"))
    ids = [j.pk for j in journeys]
    primary = Score.objects.filter(active=True).order_by("position", "id").first()
    stages: dict[int, list[rules.StageSpec]] = {i: [] for i in ids}
    for s in Stage.objects.filter(journey_id__in=ids).order_by("position", "id"):
        stages[s.journey_id].append(stage_spec(s))
    by_journey: dict[int, list[rules.RuleSpec]] = {i: [] for i in ids}
    entry_rules = (
        EntryRule.objects.filter(stage__journey_id__in=ids, active=True)
        .select_related("stage")
        .prefetch_related("from_stages")
        .order_by("id")
    )
    for r in entry_rules:
        score_id = r.score_id or (primary.pk if primary else None)
        by_journey[r.stage.journey_id].append(
            rules.RuleSpec(
                id=r.pk,
                stage_id=r.stage_id,
                kind=r.kind,
                score_id=score_id,
                threshold=r.threshold,
                grade=r.grade,
                activity_kind=r.activity_kind,
                conditions=tuple(scoring_rules.Condition(**c) for c in r.conditions),
                days=r.days,
                from_stage_ids=frozenset(s.pk for s in r.from_stages.all()),
            )
        )
    return tuple(
        rules.JourneySpec(id=j.pk, stages=tuple(stages[j.pk]), rules=tuple(by_journey[j.pk]))
        for j in journeys
    )


def stage_spec(s: Any) -> rules.StageSpec:
    return rules.StageSpec(
        id=s.pk,
        journey_id=s.journey_id,
        key=s.key,
        position=s.position,
        owner_function=s.owner_function,
        is_handoff=s.is_handoff,
        is_nurture=s.is_nurture,
        name_ja=s.name_ja,
        name_en=s.name_en,
    )


_snapshot = Refreshed(lambda: Snapshot(journeys=load_specs()), SNAPSHOT_SECONDS)


def snapshot() -> Snapshot:
    return _snapshot.get()


def invalidate() -> None:
    """Forget the cached journeys (this process); other processes refresh within seconds."""
    _snapshot.forget()


# --- moving a lead ---------------------------------------------------------------------------


@dataclass
class Position:
    """A lead's row in one journey as read before moving it."""

    row_id: int | None
    stage: rules.StageSpec | None
    entered_at: datetime | None


def enter_stage(
    *,
    lead: Lead,
    journey: rules.JourneySpec,
    target: rules.StageSpec,
    current: Position,
    at: datetime,
    actor: User | None = None,
    rule_id: int | None = None,
    reason: str = "",
    activity_id: int | None = None,
) -> bool:
    """Move ``lead`` from ``current`` to ``target``; False when someone else moved it first.

    The claim is a conditional UPDATE on the row as it was read (or an insert guarded by the
    one-row-per-journey constraint), so two workers never move the same lead twice.
    """
    from kakehashi.timeline.actions import record

    from .models import LeadStage, StageChange

    since = current.entered_at
    if since is None and current.row_id is not None:
        rows = LeadStage.objects.filter(pk=current.row_id).values_list("entered_at", flat=True)
        since = rows.first()
    if current.row_id is not None and current.stage is not None:
        moved = LeadStage.objects.filter(pk=current.row_id, stage_id=current.stage.id).update(
            stage_id=target.id, entered_at=at
        )
        if not moved:
            return False
    else:
        try:
            with transaction.atomic():
                LeadStage.objects.create(
                    lead_id=lead.pk, journey_id=journey.id, stage_id=target.id, entered_at=at
                )
        except IntegrityError:
            return False
    StageChange.objects.create(
        lead_id=lead.pk,
        journey_id=journey.id,
        from_stage_id=current.stage.id if current.stage else None,
        to_stage_id=target.id,
        changed_at=at,
        seconds_in_from=max((at - since).total_seconds(), 0.0) if since else None,
        rule_id=rule_id,
        actor=actor,
        reason=reason[:300],
        activity_id=activity_id,
    )
    if current.stage is not None:
        record(
            kind="journey.stage_changed",
            lead=lead,
            actor=actor,
            occurred_at=at,
            data={
                "journey_id": journey.id,
                "from": current.stage.name_ja,
                "from_en": current.stage.name_en,
                "to": target.name_ja,
                "to_en": target.name_en,
                "to_key": target.key,
                "reason": reason,
                "rule_id": rule_id,
            },
        )
    stage_entered.send(
        sender=rules.StageSpec,
        lead=lead,
        journey_id=journey.id,
        stage=target,
        from_stage=current.stage,
        at=at,
        actor=actor,
        reason=reason,
    )
    return True


def place_new_lead(lead: Lead, at: datetime) -> None:
    """Put a new lead in the first stage of every active journey."""
    for journey in snapshot().journeys:
        entry = journey.entry
        if entry is not None:
            enter_stage(
                lead=lead, journey=journey, target=entry, current=Position(None, None, None), at=at
            )


# Plain SQL on the per-activity path: the ORM's query building cost more than the queries.
POSITIONS = "SELECT journey_id, id, stage_id FROM journey_leadstage WHERE lead_id = %s"
SCORES = "SELECT score_id, g, fit_grade FROM scoring_leadscore WHERE lead_id = %s"


def positions(lead_id: int, journeys: list[rules.JourneySpec]) -> dict[int, Position]:
    """The lead's stage in each journey (entered_at is read only when it moves)."""
    found: dict[int, Position] = {}
    by_id = {j.id: j for j in journeys}
    with connection.cursor() as cursor:
        cursor.execute(POSITIONS, [lead_id])
        for journey_id, pk, stage_id in cursor.fetchall():
            if journey_id in by_id:
                found[journey_id] = Position(pk, by_id[journey_id].by_id.get(stage_id), None)
    return found


def score_states(lead_id: int, score_ids: set[int], at: datetime) -> dict[int, rules.ScoreState]:
    """The lead's engagement and fit letter at ``at`` in each score (one query)."""
    specs = {s.id: s for s in scoring_engine.snapshot().scores if s.id in score_ids}
    if not specs:
        return {}
    now = at.timestamp()
    states = {}
    with connection.cursor() as cursor:
        cursor.execute(SCORES, [lead_id])
        rows = cursor.fetchall()
    for score_id, g, letter in rows:
        spec = specs.get(score_id)
        if spec is None:
            continue
        states[score_id] = rules.ScoreState(
            engagement=decay.current(g, now, spec.epoch, spec.half_life),
            fit_letter=letter,
            thresholds=spec.engagement_thresholds,
        )
    return states


def engaged_scores(activity: Activity) -> set[int]:
    """Scores this activity earns points in: the "new engagement" score rules wait for."""
    return {
        s.id
        for s in scoring_engine.snapshot().scores
        if any(
            r.points > 0 for r in scoring_rules.matching(s.engagement, activity.kind, activity.data)
        )
    }


def evaluate(activity: Activity) -> None:
    """Move the activity's lead as far as the entry rules it fires allow, in every journey."""
    lead = activity.lead
    if lead is None or activity.kind.startswith("journey."):
        return
    snap = snapshot()
    if not snap.journeys:
        return
    if activity.kind == "lead.created":
        place_new_lead(lead, activity.occurred_at)
    reads_score = any(r.reads_score for j in snap.journeys for r in j.rules)
    engaged = engaged_scores(activity) if reads_score else set()
    fit = activity.kind in rules.FIT_KINDS
    fired = {j.id: j.fired(activity.kind, activity.data, engaged, fit) for j in snap.journeys}
    fired = {k: v for k, v in fired.items() if v}
    if not fired:
        return
    journeys = [j for j in snap.journeys if j.id in fired]
    where = positions(lead.pk, journeys)
    current_of = {j.id: where.get(j.id) or Position(None, j.entry, None) for j in journeys}
    # Only rules that could move the lead from where it is need its score.
    allowed = {
        j.id: [
            r for r in fired[j.id]
            if r.stage_id in j.by_id and rules.may_move(current_of[j.id].stage, j.by_id[r.stage_id], r)
        ]
        for j in journeys
    }  # fmt: skip
    needed = {r.score_id for rs in allowed.values() for r in rs if r.reads_score and r.score_id}
    states = score_states(lead.pk, needed, activity.occurred_at) if needed else {}
    for journey in journeys:
        current = current_of[journey.id]
        choice = rules.choose(journey, current.stage, allowed[journey.id], states)
        if choice is None:
            continue
        target, rule = choice
        if current.row_id is None:
            current = Position(None, None, None)
        enter_stage(
            lead=lead,
            journey=journey,
            target=target,
            current=current,
            at=activity.occurred_at,
            rule_id=rule.id,
            activity_id=activity.pk,
        )


@receiver(activity_recorded, dispatch_uid="journey.on_activity_recorded")
def on_activity_recorded(sender: Any, activity: Activity, **kwargs: Any) -> None:
    if ENABLED:
        evaluate(activity)
