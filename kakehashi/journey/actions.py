"""Every change to journeys and to where leads are: atomic, audited, the cache refreshed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.db.models import Max, Q

from kakehashi.timeline.actions import record

from . import blueprints, engine
from .models import EntryRule, Journey, LeadStage, Stage

if TYPE_CHECKING:
    from kakehashi.accounts.models import User
    from kakehashi.leads.models import Lead


class ReasonRequired(ValueError):
    """A manual move needs a reason, for the people reading the lead's history."""


class AlreadyInStage(ValueError):
    """The lead is already in that stage."""


class StageInUse(ValueError):
    """Leads are in this stage: move them before deleting it."""


def _audit(actor: User | None, what: str, name: str, now: datetime) -> None:
    record(kind="journey.changed", actor=actor, occurred_at=now, data={"what": what, "name": name})

    transaction.on_commit(engine.invalidate)
    engine.invalidate()


@transaction.atomic
def create_from_blueprint(*, key: str, actor: User | None, now: datetime) -> Journey:
    """A new, editable journey from a ready-made template; existing leads start at its entry."""
    blueprint = blueprints.BLUEPRINTS[key]
    position = (Journey.objects.aggregate(m=Max("position"))["m"] or 0) + 1
    journey = Journey.objects.create(
        name_ja=blueprint["name_ja"], name_en=blueprint["name_en"], kind=blueprint["kind"],
        position=position, created_at=now, updated_at=now,
    )  # fmt: skip
    stages: dict[str, Stage] = {}
    for i, spec in enumerate(blueprint["stages"], start=1):
        stages[spec["key"]] = Stage.objects.create(
            journey=journey, key=spec["key"], name_ja=spec["name_ja"], name_en=spec["name_en"],
            position=i * 10, owner_function=spec["owner"], is_handoff=spec.get("handoff", False),
            is_nurture=spec.get("nurture", False), description=spec.get("description", ""),
        )  # fmt: skip
    for spec in blueprint["stages"]:
        for rule_spec in spec.get("rules", []):
            fields = {k: v for k, v in rule_spec.items() if k != "from"}
            rule = EntryRule.objects.create(stage=stages[spec["key"]], **fields)
            if rule_spec.get("from"):
                rule.from_stages.set([stages[k] for k in rule_spec["from"]])
    _audit(actor, "journey.created", journey.name_ja, now)
    enroll_leads(journey=journey, now=now)
    return journey


def enroll_leads(*, journey: Journey, now: datetime) -> int:
    """Put every lead that is not yet in ``journey`` (imports, older leads) at its entry stage:
    two INSERT … SELECT statements, whatever the number of leads."""
    entry = (
        Stage.objects.filter(journey=journey, is_nurture=False).order_by("position", "id").first()
    )
    if entry is None:
        return 0
    missing = (
        "FROM leads_lead l WHERE NOT EXISTS (SELECT 1 FROM journey_leadstage s "
        "WHERE s.lead_id = l.id AND s.journey_id = %s)"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO journey_stagechange (lead_id, journey_id, to_stage_id, changed_at, reason) "
            f"SELECT l.id, %s, %s, l.created_at, '' {missing}",
            [journey.pk, entry.pk, journey.pk],
        )
        cursor.execute(
            "INSERT INTO journey_leadstage (lead_id, journey_id, stage_id, entered_at) "
            f"SELECT l.id, %s, %s, l.created_at {missing}",
            [journey.pk, entry.pk, journey.pk],
        )
        return int(cursor.rowcount)


@transaction.atomic
def update_journey(
    *, journey: Journey, actor: User | None, changes: Mapping[str, Any], now: datetime
) -> Journey:
    for field, value in changes.items():
        setattr(journey, field, value)
    journey.updated_at = now
    journey.full_clean()
    journey.save()
    _audit(actor, "journey.updated", journey.name_ja, now)
    if journey.active:
        enroll_leads(journey=journey, now=now)
    return journey


@transaction.atomic
def save_stage(*, stage: Stage, actor: User | None, now: datetime) -> Stage:
    if stage.position is None:
        top = Stage.objects.filter(journey=stage.journey).aggregate(m=Max("position"))["m"]
        stage.position = (top or 0) + 10
    stage.full_clean()
    stage.save()
    _audit(actor, "stage.saved", stage.name_ja, now)
    return stage


@transaction.atomic
def delete_stage(*, stage: Stage, actor: User | None, now: datetime) -> None:
    if LeadStage.objects.filter(stage=stage).exists():
        raise StageInUse()
    name = stage.name_ja
    stage.delete()
    _audit(actor, "stage.deleted", name, now)


@transaction.atomic
def save_rule(
    *, rule: EntryRule, from_stages: Iterable[Stage], actor: User | None, now: datetime
) -> EntryRule:
    rule.full_clean()
    rule.save()
    rule.from_stages.set(list(from_stages))
    _audit(actor, "rule.saved", str(rule.stage.name_ja), now)
    return rule


@transaction.atomic
def delete_rule(*, rule: EntryRule, actor: User | None, now: datetime) -> None:
    name = rule.stage.name_ja
    rule.delete()
    _audit(actor, "rule.deleted", name, now)


@transaction.atomic
def move_lead(*, lead: Lead, stage: Stage, actor: User | None, reason: str, now: datetime) -> bool:
    """Move a lead by hand, in any direction, with a reason; entering a hand-off stage hands
    it off like any other entry."""
    reason = reason.strip()
    if not reason:
        raise ReasonRequired()
    spec = engine.stage_spec(stage)
    journey = engine.rules.JourneySpec(
        id=stage.journey_id,
        stages=tuple(engine.stage_spec(s) for s in Stage.objects.filter(journey=stage.journey_id)),
    )
    row = LeadStage.objects.select_for_update().filter(lead=lead, journey=stage.journey_id).first()
    if row is not None and row.stage_id == stage.pk:
        raise AlreadyInStage()
    current = engine.Position(
        row.pk if row else None,
        journey.by_id.get(row.stage_id) if row else None,
        row.entered_at if row else None,
    )
    return engine.enter_stage(
        lead=lead, journey=journey, target=spec, current=current, at=now, actor=actor,
        reason=reason,
    )  # fmt: skip


def sweep_inactive(*, now: datetime, batch: int = 500) -> int:
    """Move leads that have been quiet for a rule's days (the one entry rule that needs a
    clock). Each lead is claimed by a conditional UPDATE in its own short transaction, so two
    workers sweeping at once never move the same lead twice."""
    from kakehashi.leads.models import Lead

    moved = 0
    for journey in engine.snapshot().journeys:
        for rule in journey.rules:
            if rule.kind != engine.rules.INACTIVITY or not rule.days:
                continue
            target = journey.by_id.get(rule.stage_id)
            if target is None:
                continue
            cutoff = now - timedelta(days=rule.days)
            if rule.from_stage_ids:
                sources = list(rule.from_stage_ids)
            else:
                sources = [
                    s.id for s in journey.stages
                    if s.position < target.position and not s.is_nurture and s.id != target.id
                ]  # fmt: skip
            quiet = Q(lead__last_activity_at__lt=cutoff) | Q(
                lead__last_activity_at__isnull=True, lead__created_at__lt=cutoff
            )
            rows = list(
                LeadStage.objects.filter(journey_id=journey.id, stage_id__in=sources)
                .filter(quiet, entered_at__lt=cutoff)
                .values_list("pk", "lead_id", "stage_id", "entered_at")[:batch]
            )
            for pk, lead_id, stage_id, entered_at in rows:
                with transaction.atomic():
                    lead = Lead.objects.filter(pk=lead_id).first()
                    if lead is None:
                        continue
                    current = engine.Position(pk, journey.by_id.get(stage_id), entered_at)
                    moved += engine.enter_stage(
                        lead=lead, journey=journey, target=target, current=current, at=now,
                        rule_id=rule.id, reason="inactivity",
                    )  # fmt: skip
    return moved


def enroll_all(*, now: datetime) -> int:
    return sum(enroll_leads(journey=j, now=now) for j in Journey.objects.filter(active=True))
