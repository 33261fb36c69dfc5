"""Every hand-off change: start, assign, touch, accept, reject, escalate. Atomic and audited."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case, Count, F, IntegerField, Q, Value, When
from django.utils.translation import gettext as _
from django.utils.translation import override

from kakehashi.accounts.models import Role, User
from kakehashi.leads.models import Lead
from kakehashi.timeline.actions import record

from . import assignment, calendar
from .models import (
    AssignmentMember,
    AssignmentRule,
    Handoff,
    HandoffPolicy,
    Notification,
    RejectReason,
)

if TYPE_CHECKING:
    from kakehashi.journey.models import Stage

# A lead reassigned this many times goes to the manager instead of the next person.
MAX_REASSIGN = 2
# Touches that count as the first contact when a person (not the system) records them.
TOUCH_KINDS = frozenset({"call.logged", "email.sent", "meeting.held", "visit.logged"})
CALL_OUTCOMES = ("connected", "voicemail", "no_answer", "wrong_number", "appointment")


class NotYourHandoff(PermissionError):
    """Only the hand-off's owner, a member of its team, a manager or an admin may act on it."""


class HandoffClosed(ValueError):
    """The hand-off was already accepted or rejected."""


class ReasonRequired(ValueError):
    """A rejection needs a coded reason."""


class NotALaterStage(ValueError):
    """Accepted leads move forward, to a stage after the hand-off stage."""


def calendar_of(policy: HandoffPolicy) -> calendar.BusinessCalendar:
    return calendar.calendar_for(
        start=policy.day_start,
        end=policy.day_end,
        work_days=policy.work_days,
        year_end=policy.year_end_holidays,
        extra=policy.extra_holidays or [],
        tz=settings.TIME_ZONE,
    )


def may_act(user: User, handoff: Handoff) -> bool:
    return bool(
        user.is_internal
        and (
            user.is_manager_or_admin
            or handoff.owner_id == user.pk
            or (handoff.team_id is not None and handoff.team_id == user.team_id)
        )
    )


# --- start and assign -------------------------------------------------------------------------


@transaction.atomic
def start_handoff(*, lead: Lead, stage_id: int, now: datetime) -> Handoff | None:
    """Hand a lead that entered a hand-off stage to sales and assign it at once. None when the
    stage has no active policy or the lead is already with sales."""
    policy = (
        HandoffPolicy.objects.select_related("team").filter(stage_id=stage_id, active=True).first()
    )
    if policy is None:
        return None
    try:
        with transaction.atomic():
            handoff = Handoff.objects.create(
                lead=lead, policy=policy, team=policy.team, created_at=now,
                source=lead.source, campaign=(lead.first_touch or "")[:200],
            )  # fmt: skip
    except IntegrityError:
        return None  # already open: the unique constraint on open hand-offs said so
    handoff.policy = policy
    assign(handoff=handoff, now=now, lead=lead)
    return handoff


def _profile(lead: Lead) -> dict[str, Any]:
    company = lead.company if lead.company_id else None
    return {
        "prefecture": lead.prefecture or (company.prefecture if company else None),
        "industry": company.industry if company else "",
        "employee_band": company.employee_band if company else "",
    }


def _fresh_user(user_id: int | None) -> User | None:
    # Read now, not from the lead's cached relations: "away" may have changed since.
    return User.objects.filter(pk=user_id).first() if user_id else None


def _account_owner(lead: Lead, exclude: set[int]) -> User | None:
    company = lead.company if lead.company_id else None
    owner = _fresh_user(company.owner_id) if company else None
    if owner and owner.is_active and not owner.is_away and owner.pk not in exclude:
        return owner
    return None


def _team_owner(lead: Lead, policy: HandoffPolicy, exclude: set[int]) -> User | None:
    """A lead someone in the receiving team already owns stays with them."""
    owner = _fresh_user(lead.owner_id)
    if owner and owner.team_id == policy.team_id and owner.is_active and not owner.is_away:
        return owner if owner.pk not in exclude else None
    return None


def _open_counts(user_ids: Iterable[int]) -> dict[int, int]:
    rows = (
        Handoff.objects.open()
        .filter(owner_id__in=list(user_ids))
        .values("owner_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {r["owner_id"]: r["n"] for r in rows}


def _pick_from_rules(
    policy: HandoffPolicy, lead: Lead, exclude: set[int]
) -> tuple[User, AssignmentRule] | None:
    profile = _profile(lead)
    rules = AssignmentRule.objects.filter(policy=policy, active=True).order_by("position", "id")
    for rule in rules:
        if not assignment.rule_matches(
            {"prefectures": rule.prefectures, "industries": rule.industries,
             "employee_bands": rule.employee_bands}, profile,
        ):  # fmt: skip
            continue
        # The rule's row lock serializes the credit updates of concurrent assigners.
        AssignmentRule.objects.select_for_update().filter(pk=rule.pk).first()
        members = list(AssignmentMember.objects.filter(rule=rule).select_related("user"))
        counts = _open_counts(m.user_id for m in members)
        candidates = [
            assignment.Candidate(
                member_id=m.pk, user_id=m.user_id, weight=m.weight, credit=m.credit,
                open_count=counts.get(m.user_id, 0), capacity=m.capacity,
                away=m.user.is_away or m.user_id in exclude, active=m.user.is_active,
            )
            for m in members
        ]  # fmt: skip
        chosen = assignment.pick(candidates, weighted=rule.method == AssignmentRule.Method.WEIGHTED)
        if chosen is None:
            continue
        # Every eligible member's credit moves: one UPDATE for all of them.
        changed = [c for m, c in zip(members, candidates, strict=True) if m.credit != c.credit]
        AssignmentMember.objects.filter(pk__in=[c.member_id for c in changed]).update(
            credit=Case(
                *[When(pk=c.member_id, then=Value(c.credit)) for c in changed],
                output_field=IntegerField(),
            ),
            assigned_count=Case(
                When(pk=chosen.member_id, then=F("assigned_count") + 1),
                default=F("assigned_count"),
                output_field=IntegerField(),
            ),
        )
        user = next(m.user for m in members if m.pk == chosen.member_id)
        return user, rule
    return None


def assign(
    *,
    handoff: Handoff,
    now: datetime,
    exclude: Iterable[int] = (),
    actor: User | None = None,
    lead: Lead | None = None,
) -> User | None:
    """Give an open hand-off an owner: the company's owner (account-based) or the first
    matching rule's next person. The claim is a conditional UPDATE on the owner as read, so a
    hand-off is never assigned twice. None when nobody is available (it waits)."""
    policy = handoff.policy
    if lead is None:
        lead = Lead.objects.select_related("company").get(pk=handoff.lead_id)
    previous = handoff.owner_id
    skip = {*exclude, *([previous] if previous else [])}
    how = "owner"
    user = _team_owner(lead, policy, skip)
    if user is None and policy.account_based:
        how, user = "account", _account_owner(lead, skip)
    rule = None
    if user is None:
        found = _pick_from_rules(policy, lead, skip)
        if found is None:
            return None
        user, rule = found
        how = rule.method
    due = calendar_of(policy).add(now, policy.sla_hours)
    claimed = Handoff.objects.filter(pk=handoff.pk, status=Handoff.Status.OPEN).filter(
        Q(owner_id=previous) if previous else Q(owner__isnull=True)
    )
    if not claimed.update(owner=user, team_id=user.team_id or policy.team_id, assigned_at=now,
                          due_at=due, escalated_at=None):  # fmt: skip
        return None
    handoff.owner, handoff.assigned_at, handoff.due_at = user, now, due
    Lead.objects.filter(pk=lead.pk).update(owner=user, team_id=user.team_id, updated_at=now)
    record(
        kind="handoff.reassigned" if previous else "handoff.assigned",
        lead=lead, actor=actor, occurred_at=now,
        data={"handoff_id": handoff.pk, "owner_id": user.pk, "owner": user.display_name,
              "due_at": due.isoformat(), "how": how, "rule": rule.name if rule else ""},
    )  # fmt: skip
    kind = Notification.Kind.REASSIGNED if previous else Notification.Kind.ASSIGNED
    notify(user=user, kind=kind, lead=lead, handoff=handoff, now=now)
    return user


def assign_waiting(*, now: datetime, batch: int = 50) -> int:
    """Assign hand-offs that found nobody available. Each is claimed with
    ``SELECT … FOR UPDATE SKIP LOCKED`` (PostgreSQL) in its own transaction, so any number of
    workers run this at once without assigning a lead twice."""
    done = 0
    tried: set[int] = set()
    for _attempt in range(batch):
        with transaction.atomic():
            handoff = (
                Handoff.objects.select_for_update(skip_locked=True)
                .select_related("policy__team")
                .filter(status=Handoff.Status.OPEN, owner__isnull=True)
                .exclude(pk__in=tried)
                .order_by("created_at", "id")
                .first()
            )
            if handoff is None:
                break
            if assign(handoff=handoff, now=now) is None:
                tried.add(handoff.pk)  # nobody has room for it now; try the next one
            else:
                done += 1
    return done


# --- notifications ----------------------------------------------------------------------------


def notify(
    *,
    user: User,
    kind: str,
    lead: Lead | None,
    handoff: Handoff | None,
    now: datetime,
    dedupe_key: str | None = None,
) -> Notification | None:
    """An in-app notice now and an e-mail once the transaction commits."""
    with override(user.language or settings.LANGUAGE_CODE):
        message = _message(kind, lead, handoff)
    notice = Notification(
        user=user, kind=kind, lead=lead, handoff=handoff, message=message, created_at=now,
        dedupe_key=dedupe_key,
    )  # fmt: skip
    if dedupe_key is None:
        notice.save()
    else:
        try:
            with transaction.atomic():
                notice.save()
        except IntegrityError:
            return None  # this alert was already given
    notice_id = notice.pk

    def _send() -> None:
        from .tasks import send_notification_email

        send_notification_email(notice_id)

    transaction.on_commit(_send)
    return notice


def _message(kind: str, lead: Lead | None, handoff: Handoff | None) -> str:
    name = lead.display_name if lead else ""
    due = handoff.due_at if handoff else None
    due_text = (
        due.astimezone(calendar.ZoneInfo(settings.TIME_ZONE)).strftime("%Y/%m/%d %H:%M")
        if due
        else ""
    )
    if kind == Notification.Kind.ASSIGNED:
        return _("New lead for you: %(name)s. First touch due %(due)s.") % {
            "name": name,
            "due": due_text,
        }
    if kind == Notification.Kind.REASSIGNED:
        return _("Lead reassigned to you: %(name)s. First touch due %(due)s.") % {
            "name": name,
            "due": due_text,
        }
    if kind == Notification.Kind.ESCALATED:
        owner = handoff.owner.display_name if handoff and handoff.owner else "—"
        return _("SLA missed: %(name)s was not contacted by %(owner)s in time (due %(due)s).") % {
            "name": name, "owner": owner, "due": due_text}  # fmt: skip
    return _("Hot lead: %(name)s is engaging right now.") % {"name": name}


# --- touch, accept, reject ----------------------------------------------------------------------


def mark_first_touch(*, lead_id: int, at: datetime) -> int:
    """The first call, e-mail, meeting or visit by a person stops the SLA clock (one UPDATE)."""
    return Handoff.objects.filter(
        lead_id=lead_id, status=Handoff.Status.OPEN, first_touch_at__isnull=True
    ).update(first_touch_at=at)


@transaction.atomic
def log_touch(
    *, handoff: Handoff, actor: User, channel: str, outcome: str, summary: str, now: datetime
) -> None:
    """One-click logging from the work queue: a call or an e-mail, with its outcome."""
    if not may_act(actor, handoff):
        raise NotYourHandoff()
    kind = "call.logged" if channel == "call" else "email.sent"
    lead = Lead.objects.select_related("company").get(pk=handoff.lead_id)
    record(
        kind=kind, lead=lead, actor=actor, occurred_at=now,
        data={"outcome": outcome, "summary": summary, "handoff_id": handoff.pk, "logged": True},
    )  # fmt: skip


def _lock_open(handoff: Handoff, actor: User) -> Handoff:
    locked = Handoff.objects.select_for_update().select_related("policy").get(pk=handoff.pk)
    if not may_act(actor, locked):
        raise NotYourHandoff()
    if locked.status != Handoff.Status.OPEN:
        raise HandoffClosed()
    return locked


@transaction.atomic
def accept(
    *, handoff: Handoff, actor: User, now: datetime, stage: Stage | None = None, comment: str = ""
) -> Handoff:
    """Sales takes the lead: it moves to SAL (or a later stage such as SQL)."""
    locked = _lock_open(handoff, actor)
    policy = locked.policy
    target = stage or policy.accept_stage
    if target.journey_id != policy.stage.journey_id or target.position <= policy.stage.position:
        raise NotALaterStage()
    Handoff.objects.filter(pk=locked.pk).update(
        status=Handoff.Status.ACCEPTED, decided_at=now, decided_by=actor, comment=comment,
        first_touch_at=locked.first_touch_at or now,
    )  # fmt: skip
    lead = Lead.objects.select_related("company").get(pk=locked.lead_id)
    if lead.owner_id is None:
        Lead.objects.filter(pk=lead.pk).update(owner=actor, team_id=actor.team_id)
    record(
        kind="handoff.accepted", lead=lead, actor=actor, occurred_at=now,
        data={"handoff_id": locked.pk, "stage": target.name_ja, "stage_en": target.name_en,
              "comment": comment},
    )  # fmt: skip
    _move(lead, target, actor, _("Accepted by sales"), now)
    locked.refresh_from_db()
    return locked


@transaction.atomic
def reject(
    *, handoff: Handoff, actor: User, reason: RejectReason | None, comment: str, now: datetime
) -> Handoff:
    """Sales turns the lead down with a coded reason: it is recycled to nurturing, the reason on
    its timeline, and comes back as an MQL only on new engagement."""
    if reason is None:
        raise ReasonRequired()
    locked = _lock_open(handoff, actor)
    Handoff.objects.filter(pk=locked.pk).update(
        status=Handoff.Status.REJECTED, decided_at=now, decided_by=actor, reason=reason,
        comment=comment.strip(), first_touch_at=locked.first_touch_at or now,
    )  # fmt: skip
    lead = Lead.objects.select_related("company").get(pk=locked.lead_id)
    # Back to marketing: the lead leaves the rep's list and nurturing takes over.
    Lead.objects.filter(pk=lead.pk).update(owner=None, updated_at=now)
    lead.owner = None
    record(
        kind="handoff.rejected", lead=lead, actor=actor, occurred_at=now,
        data={"handoff_id": locked.pk, "reason": reason.code, "reason_ja": reason.name_ja,
              "reason_en": reason.name_en, "comment": comment.strip()},
    )  # fmt: skip
    target = locked.policy.recycle_stage
    _move(lead, target, actor, f"{reason.name_ja}: {comment.strip()}".rstrip(": "), now)
    locked.refresh_from_db()
    return locked


def _move(lead: Lead, stage: Stage, actor: User, reason: str, now: datetime) -> None:
    from kakehashi.journey import actions as journey_actions

    with contextlib.suppress(journey_actions.AlreadyInStage):
        journey_actions.move_lead(lead=lead, stage=stage, actor=actor, reason=reason, now=now)


def supersede_open(*, lead_id: int, now: datetime) -> int:
    """The lead left the hand-off stage some other way (a deal, a manual move)."""
    return Handoff.objects.filter(lead_id=lead_id, status=Handoff.Status.OPEN).update(
        status=Handoff.Status.SUPERSEDED, decided_at=now
    )


# --- the SLA clock ------------------------------------------------------------------------------


def managers_of(policy: HandoffPolicy) -> list[User]:
    if policy.escalate_to_id and policy.escalate_to and policy.escalate_to.is_active:
        return [policy.escalate_to]
    team_managers = list(User.objects.filter(team=policy.team, role=Role.MANAGER, is_active=True))
    if team_managers:
        return team_managers
    return list(
        User.objects.filter(role__in=[Role.MANAGER, Role.ADMIN], is_active=True).order_by("id")[:3]
    )


def check_sla(*, now: datetime, batch: int = 200) -> int:
    """Escalate or reassign hand-offs whose first touch is overdue. Each is claimed by a
    conditional UPDATE of escalated_at in its own transaction: two workers never escalate the
    same hand-off twice."""
    due = list(
        Handoff.objects.filter(
            status=Handoff.Status.OPEN, first_touch_at__isnull=True,
            escalated_at__isnull=True, due_at__lte=now,
        ).values_list("pk", flat=True)[:batch]
    )  # fmt: skip
    done = 0
    for pk in due:
        with transaction.atomic():
            claimed = Handoff.objects.filter(
                pk=pk, status=Handoff.Status.OPEN, first_touch_at__isnull=True,
                escalated_at__isnull=True,
            ).update(escalated_at=now)  # fmt: skip
            if not claimed:
                continue
            handoff = Handoff.objects.select_related(
                "policy__team", "policy__escalate_to", "owner"
            ).get(pk=pk)
            _breached(handoff, now)
            done += 1
    return done


def _breached(handoff: Handoff, now: datetime) -> None:
    policy = handoff.policy
    lead = Lead.objects.select_related("company").get(pk=handoff.lead_id)
    missed_by = handoff.owner
    if (
        policy.on_breach == HandoffPolicy.OnBreach.REASSIGN
        and handoff.reassigned_count < MAX_REASSIGN
    ):
        Handoff.objects.filter(pk=handoff.pk).update(reassigned_count=F("reassigned_count") + 1)
        handoff.reassigned_count += 1
        if assign(handoff=handoff, now=now) is not None:
            for manager in managers_of(policy):
                notify(user=manager, kind=Notification.Kind.ESCALATED, lead=lead,
                       handoff=_as_missed(handoff, missed_by), now=now)  # fmt: skip
            return
    managers = managers_of(policy)
    record(
        kind="handoff.escalated", lead=lead, occurred_at=now,
        data={"handoff_id": handoff.pk, "owner": missed_by.display_name if missed_by else "",
              "due_at": handoff.due_at.isoformat() if handoff.due_at else "",
              "to": [m.display_name for m in managers]},
    )  # fmt: skip
    for manager in managers:
        notify(user=manager, kind=Notification.Kind.ESCALATED, lead=lead, handoff=handoff, now=now)


def _as_missed(handoff: Handoff, owner: User | None) -> Handoff:
    return Handoff(pk=handoff.pk, owner=owner, due_at=handoff.due_at)


# --- hot leads --------------------------------------------------------------------------------


def hot_alert(*, lead: Lead, gained: int, now: datetime) -> Notification | None:
    owner = lead.owner if lead.owner_id else None
    if owner is None or not owner.is_active:
        return None
    key = f"hot:{lead.pk}:{owner.pk}:{now.date().isoformat()}"
    notice = notify(
        user=owner, kind=Notification.Kind.HOT, lead=lead, handoff=None, now=now, dedupe_key=key
    )
    if notice is not None:
        record(
            kind="handoff.hot_lead", lead=lead, occurred_at=now,
            data={"gained_24h": gained, "owner": owner.display_name},
        )  # fmt: skip
    return notice


# --- settings --------------------------------------------------------------------------------


@transaction.atomic
def save_policy(*, policy: HandoffPolicy, actor: User, now: datetime) -> HandoffPolicy:
    policy.updated_at = now
    policy.full_clean()
    policy.save()
    record(kind="handoff.settings_changed", actor=actor, occurred_at=now,
           data={"what": "policy", "stage": policy.stage.name_ja})  # fmt: skip
    return policy


@transaction.atomic
def save_rule(
    *,
    rule: AssignmentRule,
    members: list[tuple[User, int, int | None]],
    actor: User,
    now: datetime,
) -> AssignmentRule:
    """Save a rule and its members (person, weight, capacity); credits of kept members stay."""
    rule.full_clean()
    rule.save()
    keep = {user.pk for user, _w, _c in members}
    AssignmentMember.objects.filter(rule=rule).exclude(user_id__in=keep).delete()
    for user, weight, capacity in members:
        AssignmentMember.objects.update_or_create(
            rule=rule, user=user, defaults={"weight": max(weight, 1), "capacity": capacity}
        )
    record(kind="handoff.settings_changed", actor=actor, occurred_at=now,
           data={"what": "assignment_rule", "name": rule.name})  # fmt: skip
    return rule


@transaction.atomic
def save_reason(*, reason: RejectReason, actor: User, now: datetime) -> RejectReason:
    reason.full_clean()
    reason.save()
    record(kind="handoff.settings_changed", actor=actor, occurred_at=now,
           data={"what": "reject_reason", "name": reason.code})  # fmt: skip
    return reason


@transaction.atomic
def create_default_policy(
    *, stage: Stage, team: Any, actor: User | None, now: datetime
) -> HandoffPolicy:
    """A policy for a template journey's hand-off stage: accepted to SAL, rejected to
    nurturing, four business hours, round robin over the team."""
    from kakehashi.journey.models import Stage as StageModel

    later = StageModel.objects.filter(journey_id=stage.journey_id, position__gt=stage.position,
                                      is_nurture=False).order_by("position").first()  # fmt: skip
    nurture = (
        StageModel.objects.filter(journey_id=stage.journey_id, is_nurture=True)
        .order_by("position")
        .first()
    )
    policy = HandoffPolicy.objects.create(
        stage=stage, team=team, accept_stage=later or stage, recycle_stage=nurture or stage,
        updated_at=now,
    )  # fmt: skip
    rule = AssignmentRule.objects.create(policy=policy, name=str(team), position=1)
    for user in User.objects.filter(team=team, is_active=True).order_by("id"):
        AssignmentMember.objects.create(rule=rule, user=user)
    record(kind="handoff.settings_changed", actor=actor, occurred_at=now,
           data={"what": "policy", "stage": stage.name_ja})  # fmt: skip
    return policy
