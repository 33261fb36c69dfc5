"""Deals: create, move, win, lose; sales activities, tasks, appointments and after-follow.

Every change lands on the shared timeline of the deal's leads (`deal.created`, `deal.won`,
`deal.lost` move them through the buyer's journey and teach the likelihood model), and is
linked to the deal so the deal page has its own timeline.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from kakehashi.timeline.actions import record
from kakehashi.timeline.models import Activity

from .models import (
    AfterFollow,
    CloseReason,
    Deal,
    DealActivity,
    DealLead,
    FollowTemplate,
    Pipeline,
    Stage,
    Task,
)

if TYPE_CHECKING:
    from kakehashi.accounts.models import User
    from kakehashi.leads.models import Company, Lead

# The Japanese B2B default (初回面談 → ヒアリング → 提案 → 見積 → 交渉 → 受注/失注).
DEFAULT_STAGES = [
    ("初回面談", "First meeting", 10, Stage.Kind.OPEN),
    ("ヒアリング", "Discovery", 20, Stage.Kind.OPEN),
    ("提案", "Proposal", 40, Stage.Kind.OPEN),
    ("見積", "Quote", 60, Stage.Kind.OPEN),
    ("交渉", "Negotiation", 80, Stage.Kind.OPEN),
    ("受注", "Won", 100, Stage.Kind.WON),
    ("失注", "Lost", 0, Stage.Kind.LOST),
]
DEFAULT_REASONS = [
    ("won", "要件・機能が合致", "Fits the requirements", False),
    ("won", "価格・費用対効果", "Price and value", False),
    ("won", "担当者との信頼関係", "Trust in the team", False),
    ("won", "導入支援・サポート", "Onboarding and support", False),
    ("lost", "価格", "Price", False),
    ("lost", "機能不足", "Missing features", False),
    ("lost", "競合他社に決定", "Lost to a competitor", True),
    ("lost", "予算なし", "No budget", False),
    ("lost", "時期尚早", "Bad timing", False),
    ("lost", "連絡が取れない", "No response", False),
]
DEFAULT_FOLLOW = [
    (7, Task.Kind.CALL, "導入オンボーディングの電話 / Onboarding call"),
    (30, Task.Kind.MEETING, "30日後の活用状況チェック / 30-day check-in"),
    (90, Task.Kind.MEETING, "90日後の振り返り・追加提案 / 90-day review and upsell"),
]
SALES_KINDS = {
    "call": "call.logged",
    "meeting": "meeting.held",
    "visit": "visit.logged",
    "email": "email.sent",
}


class ClosingStage(ValueError):
    """Won and lost are reached by winning or losing the deal, with a reason."""


class ReasonRequired(ValueError):
    """Winning or losing needs a reason from the list; lost-to-competitor needs the name too."""


class DealClosed(ValueError):
    """A won or lost deal no longer moves between stages."""


@transaction.atomic
def ensure_defaults() -> Pipeline:
    """The default pipeline, close reasons and after-follow plan (idempotent)."""
    pipeline = Pipeline.objects.filter(is_default=True).first()
    if pipeline is None:
        pipeline = Pipeline.objects.create(name="営業パイプライン", is_default=True)
        for position, (ja, en, probability, stage_kind) in enumerate(DEFAULT_STAGES):
            Stage.objects.create(pipeline=pipeline, name_ja=ja, name_en=en, position=position,
                                 probability=probability, kind=stage_kind)  # fmt: skip
    if not CloseReason.objects.exists():
        for position, (outcome, ja, en, competitor) in enumerate(DEFAULT_REASONS):
            CloseReason.objects.create(outcome=outcome, label_ja=ja, label_en=en,
                                       needs_competitor=competitor, position=position)  # fmt: skip
    if not FollowTemplate.objects.exists():
        template = FollowTemplate.objects.create(name="標準アフターフォロー", is_default=True)
        for day, kind, title in DEFAULT_FOLLOW:
            template.steps.create(day=day, kind=kind, title=title)
    return pipeline


def _link(deal: Deal, activities: Iterable[Activity]) -> None:
    DealActivity.objects.bulk_create(
        [DealActivity(deal=deal, activity=a) for a in activities], ignore_conflicts=True
    )


def _record_on_leads(deal: Deal, kind: str, *, actor: User | None, now: datetime,
                     data: dict[str, Any], leads: Sequence[Lead] | None = None) -> list[Activity]:  # fmt: skip
    """Record one activity per lead of the deal (the journey and scoring read them there)."""
    targets = list(leads if leads is not None else deal.leads.select_related("company"))
    activities = [
        record(kind=kind, lead=lead, company=deal.company, actor=actor, occurred_at=now,
               data={"deal_id": deal.pk, "deal": deal.name, **data})
        for lead in targets
    ]  # fmt: skip
    if not targets:
        activities.append(record(kind=kind, company=deal.company, actor=actor, occurred_at=now,
                                 data={"deal_id": deal.pk, "deal": deal.name, **data}))  # fmt: skip
    _link(deal, activities)
    return activities


@transaction.atomic
def create_deal(
    *,
    name: str,
    owner: User,
    leads: Sequence[Lead] = (),
    company: Company | None = None,
    amount: Decimal | int = 0,
    currency: str = "JPY",
    expected_close_date: date | None = None,
    probability: int | None = None,
    stage: Stage | None = None,
    source: str = "",
    description: str = "",
    actor: User | None,
    now: datetime,
) -> Deal:
    pipeline = stage.pipeline if stage else ensure_defaults()
    stage = stage or pipeline.stages.filter(kind=Stage.Kind.OPEN).order_by("position").first()
    if stage is None or stage.kind != Stage.Kind.OPEN:
        raise ClosingStage()
    company = company or next((lead.company for lead in leads if lead.company_id), None)
    deal = Deal.objects.create(
        name=name.strip(), pipeline=pipeline, stage=stage, company=company, owner=owner,
        team=owner.team, amount=Decimal(amount), currency=currency or "JPY",
        expected_close_date=expected_close_date, probability=probability, source=source[:200],
        description=description, created_at=now, updated_at=now, last_activity_at=now,
    )  # fmt: skip
    DealLead.objects.bulk_create(
        [DealLead(deal=deal, lead=lead, is_primary=i == 0) for i, lead in enumerate(leads)]
    )
    _record_on_leads(deal, "deal.created", actor=actor, now=now, leads=list(leads),
                     data={"amount": str(deal.amount), "currency": deal.currency, "stage": stage.name_ja})  # fmt: skip
    return deal


def _locked(deal: Deal) -> Deal:
    # Lock only the deal's own row: PostgreSQL refuses FOR UPDATE on the nullable (company) side
    # of an outer join, and the related rows need no lock.
    return (
        Deal.objects.select_for_update(of=("self",))
        .select_related("stage", "company")
        .get(pk=deal.pk)
    )


@transaction.atomic
def move_deal(*, deal: Deal, stage: Stage, actor: User | None, now: datetime) -> Deal:
    deal = _locked(deal)
    if deal.status != Deal.Status.OPEN:
        raise DealClosed()
    if stage.kind != Stage.Kind.OPEN or stage.pipeline_id != deal.pipeline_id:
        raise ClosingStage()
    if stage.pk == deal.stage_id:
        return deal
    before = deal.stage
    deal.stage, deal.updated_at, deal.last_activity_at = stage, now, now
    deal.save(update_fields=["stage", "updated_at", "last_activity_at"])
    _record_on_leads(deal, "deal.stage_changed", actor=actor, now=now, leads=_primary(deal),
                     data={"from": before.name_ja, "to": stage.name_ja, "probability": stage.probability})  # fmt: skip
    return deal


def _primary(deal: Deal) -> list[Lead]:
    link = deal.deal_leads.select_related("lead__company").order_by("-is_primary", "id").first()
    return [link.lead] if link else []


@transaction.atomic
def win_deal(*, deal: Deal, reason: CloseReason | None, actor: User | None, now: datetime) -> Deal:
    if reason is None or reason.outcome != CloseReason.Outcome.WON:
        raise ReasonRequired()
    deal = _close(deal, Stage.Kind.WON, reason, "", now)
    _record_on_leads(deal, "deal.won", actor=actor, now=now,
                     data={"amount": str(deal.amount), "currency": deal.currency, "reason": reason.label_ja})  # fmt: skip
    start_after_follow(deal=deal, now=now)
    return deal


@transaction.atomic
def lose_deal(*, deal: Deal, reason: CloseReason | None, competitor: str = "", actor: User | None,
              now: datetime) -> Deal:  # fmt: skip
    if reason is None or reason.outcome != CloseReason.Outcome.LOST:
        raise ReasonRequired()
    if reason.needs_competitor and not competitor.strip():
        raise ReasonRequired()
    deal = _close(deal, Stage.Kind.LOST, reason, competitor.strip(), now)
    _record_on_leads(deal, "deal.lost", actor=actor, now=now,
                     data={"reason": reason.label_ja, "competitor": deal.competitor})  # fmt: skip
    return deal


def _close(deal: Deal, kind: str, reason: CloseReason, competitor: str, now: datetime) -> Deal:
    deal = _locked(deal)
    if deal.status != Deal.Status.OPEN:
        raise DealClosed()
    stage = deal.pipeline.stages.filter(kind=kind).order_by("position").first()
    if stage is None:
        raise ClosingStage()
    deal.stage, deal.status = stage, kind
    deal.close_reason, deal.competitor = reason, competitor[:200]
    deal.closed_at = deal.updated_at = deal.last_activity_at = now
    deal.save()
    return deal


def start_after_follow(*, deal: Deal, now: datetime) -> AfterFollow:
    """On a win: the after-follow record and the plan's tasks for the deal's owner."""
    follow, created = AfterFollow.objects.get_or_create(
        deal=deal, defaults={"started_at": now, "updated_at": now}
    )
    if not created:
        return follow
    template = FollowTemplate.objects.filter(is_default=True).prefetch_related("steps").first()
    primary = _primary(deal)
    lead = primary[0] if primary else None
    if template is not None:
        Task.objects.bulk_create([
            Task(kind=step.kind if step.kind != Task.Kind.CALL else Task.Kind.AFTER_FOLLOW,
                 title=step.title, due_at=now + timedelta(days=step.day), owner=deal.owner,
                 lead=lead, company=deal.company, deal=deal, created_at=now)
            for step in template.steps.all()
        ])  # fmt: skip
    return follow


@transaction.atomic
def set_follow_status(
    *, follow: AfterFollow, status: str, actor: User, now: datetime
) -> AfterFollow:
    before = follow.status
    follow.status, follow.updated_at = status, now
    follow.save(update_fields=["status", "updated_at"])
    _record_on_leads(follow.deal, "deal.after_follow", actor=actor, now=now,
                     leads=_primary(follow.deal), data={"from": before, "to": status})  # fmt: skip
    return follow


@transaction.atomic
def log_sales_activity(
    *,
    kind: str,
    actor: User,
    lead: Lead | None = None,
    deal: Deal | None = None,
    outcome: str = "",
    summary: str = "",
    next_step: str = "",
    next_due: datetime | None = None,
    now: datetime,
) -> Activity:
    """A call, meeting, visit or e-mail with its outcome; a next step with a date becomes a task."""
    activity_kind = SALES_KINDS[kind]
    if lead is None and deal is not None:
        primary = _primary(deal)
        lead = primary[0] if primary else None
    data: dict[str, Any] = {
        "outcome": outcome[:100],
        "summary": summary[:2000],
        "next_step": next_step[:300],
    }
    if deal is not None:
        data.update(deal_id=deal.pk, deal=deal.name)
    activity = record(kind=activity_kind, lead=lead, company=deal.company if deal else None,
                      actor=actor, occurred_at=now, data=data)  # fmt: skip
    if deal is not None:
        _link(deal, [activity])
        Deal.objects.filter(pk=deal.pk).update(last_activity_at=now)
    if next_step and next_due:
        Task.objects.create(kind=Task.Kind.FOLLOW_UP, title=next_step[:200], due_at=next_due,
                            owner=actor, lead=lead, deal=deal, created_by=actor, created_at=now)  # fmt: skip
    return activity


@transaction.atomic
def create_task(*, kind: str, title: str, due_at: datetime, owner: User, actor: User, now: datetime,
                lead: Lead | None = None, deal: Deal | None = None, notes: str = "") -> Task:  # fmt: skip
    return Task.objects.create(kind=kind, title=title.strip()[:200], due_at=due_at, owner=owner, lead=lead,
                               deal=deal, company=deal.company if deal else (lead.company if lead else None),
                               notes=notes, created_by=actor, created_at=now)  # fmt: skip


@transaction.atomic
def complete_task(*, task: Task, actor: User, now: datetime) -> Task:
    if task.done_at is None:
        task.done_at = now
        task.save(update_fields=["done_at"])
        if task.lead_id or task.deal_id:
            activity = record(kind="task.completed", lead=task.lead, company=task.company, actor=actor,
                              occurred_at=now, data={"task": task.title, "kind": task.kind})  # fmt: skip
            if task.deal_id:
                _link(task.deal, [activity])  # type: ignore[arg-type]
    return task


@transaction.atomic
def set_appointment(
    *,
    lead: Lead,
    owner: User,
    starts_at: datetime,
    ends_at: datetime | None = None,
    location: str = "",
    deal_name: str = "",
    amount: Decimal | int = 0,
    source: str = "",
    actor: User,
    now: datetime,
) -> tuple[Deal, Task]:
    """Inside sales books a meeting (アポイント) for field sales: a deal, the meeting task, and
    an .ics invitation to the owner."""
    name = deal_name.strip() or _("%(company)s – first meeting") % {
        "company": lead.company.name if lead.company else lead.display_name
    }
    deal = create_deal(name=name, owner=owner, leads=[lead], amount=amount, source=source,
                       actor=actor, now=now)  # fmt: skip
    ends_at = ends_at or starts_at + timedelta(hours=1)
    task = Task.objects.create(kind=Task.Kind.MEETING, title=name[:200], due_at=starts_at, ends_at=ends_at,
                               location=location[:200], owner=owner, lead=lead, company=deal.company,
                               deal=deal, created_by=actor, created_at=now)  # fmt: skip
    activity = record(kind="meeting.scheduled", lead=lead, actor=actor, occurred_at=now,
                      data={"deal_id": deal.pk, "deal": deal.name, "starts_at": starts_at.isoformat(),
                            "owner": owner.display_name, "location": location})  # fmt: skip
    _link(deal, [activity])
    transaction.on_commit(lambda: send_invitation(task.pk))
    return deal, task


def invitation_ics(task: Task) -> bytes:
    """An iCalendar invitation for a meeting task (RFC 5545, via icalendar)."""
    import icalendar

    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//kakehashi//deals//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    event = icalendar.Event()
    event.add("uid", f"task-{task.pk}@kakehashi")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", task.due_at)
    event.add("dtend", task.ends_at or task.due_at + timedelta(hours=1))
    event.add("summary", task.title)
    if task.location:
        event.add("location", task.location)
    lead = task.lead
    lines = [lead.display_name if lead else "", lead.company.name if lead and lead.company else ""]
    event.add("description", "\n".join(line for line in lines if line))
    event.add("organizer", f"mailto:{settings.DEFAULT_FROM_EMAIL.split('<')[-1].rstrip('>')}")
    event.add("attendee", f"mailto:{task.owner.email}")
    calendar.add_component(event)
    return calendar.to_ical()


def send_invitation(task_id: int) -> None:
    task = Task.objects.select_related("owner", "lead__company").get(pk=task_id)
    with override(task.owner.language or settings.LANGUAGE_CODE):
        message = EmailMessage(
            subject=_("Meeting booked: %(title)s") % {"title": task.title},
            body=_("A meeting was booked for you on %(when)s. The invitation is attached.")
            % {"when": timezone.localtime(task.due_at).strftime("%Y/%m/%d %H:%M")},
            to=[task.owner.email],
        )
    message.attach("invite.ics", invitation_ics(task), "text/calendar; method=REQUEST")
    message.send()


def send_daily_digest(*, now: datetime) -> int:
    """One e-mail per person with tasks due today or overdue; returns how many were sent."""
    from kakehashi.accounts.models import User

    end_of_day = timezone.localtime(now).replace(hour=23, minute=59, second=59)
    due = Task.objects.filter(done_at__isnull=True, due_at__lte=end_of_day).select_related(
        "lead", "deal"
    )
    by_owner: dict[int, list[Task]] = {}
    for task in due.order_by("due_at"):
        by_owner.setdefault(task.owner_id, []).append(task)
    sent = 0
    for user in User.objects.filter(pk__in=by_owner, is_active=True):
        tasks = by_owner[user.pk]
        with override(user.language or settings.LANGUAGE_CODE):
            lines = [
                f"{'!' if t.due_at < now else '-'} {timezone.localtime(t.due_at):%m/%d %H:%M} {t.title}"
                + (f" ({t.lead.display_name})" if t.lead else "")
                for t in tasks
            ]
            EmailMessage(
                subject=_("Your tasks for today: %(n)s") % {"n": len(tasks)},
                body=_("Overdue tasks are marked with !.")
                + "\n\n"
                + "\n".join(lines)
                + "\n\n"
                + settings.BASE_URL
                + "/deals/tasks/",
                to=[user.email],
            ).send()
        sent += 1
    return sent


@transaction.atomic
def convert_handoff(
    *,
    handoff: Any,
    owner: User,
    starts_at: datetime,
    ends_at: datetime | None = None,
    location: str = "",
    deal_name: str = "",
    amount: Decimal | int = 0,
    actor: User,
    now: datetime,
) -> tuple[Deal, Task]:
    """Inside sales accepts a hand-off and books the first meeting in one step: the lead is
    accepted (SAL), then the deal and the meeting for field sales exist (商談)."""
    from kakehashi.handoff import actions as handoff_actions

    if handoff.status == handoff.Status.OPEN:
        handoff_actions.accept(handoff=handoff, actor=actor, now=now)
    lead = handoff.lead
    return set_appointment(lead=lead, owner=owner, starts_at=starts_at, ends_at=ends_at, location=location,
                           deal_name=deal_name, amount=amount, source=f"handoff:{handoff.pk}",
                           actor=actor, now=now)  # fmt: skip
