"""Every change to forms, fields and purpose texts, and the public submission itself."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Max

from kakehashi.consent import actions as consent_actions
from kakehashi.consent.models import Action, Basis, Method
from kakehashi.leads import actions as lead_actions
from kakehashi.leads.models import Lead, LeadSource
from kakehashi.timeline.actions import record

from . import answers
from .models import (
    Answer,
    Field,
    FieldKind,
    Form,
    PurposeText,
    Submission,
    SubmissionStatus,
)

if TYPE_CHECKING:
    from kakehashi.accounts.models import User


class FieldHasAnswers(Exception):
    """Submissions answered this field: it cannot be deleted or change type (hide it instead)."""


class FormHasSubmissions(Exception):
    """A form that people submitted is evidence and keeps its data: close it instead."""


# --- forms ------------------------------------------------------------------------------------


@transaction.atomic
def create_form(*, actor: User | None, fields: Mapping[str, Any], now: datetime) -> Form:
    form = Form(**fields, created_by=actor, created_at=now, updated_at=now)
    form.save()
    record(
        kind="webform.created",
        actor=actor,
        occurred_at=now,
        data={"form_id": form.pk, "form": form.name, "form_kind": form.kind},
    )
    return form


@transaction.atomic
def update_form(
    *, form: Form, actor: User | None, changes: Mapping[str, Any], now: datetime
) -> Form:
    changed = sorted(k for k, v in changes.items() if getattr(form, k) != v)
    if not changed:
        return form
    for name in changed:
        setattr(form, name, changes[name])
    form.updated_at = now
    form.save()
    record(
        kind="webform.updated",
        actor=actor,
        occurred_at=now,
        data={"form_id": form.pk, "form": form.name, "fields": changed},
    )
    return form


@transaction.atomic
def set_status(*, form: Form, actor: User | None, status: str, now: datetime) -> Form:
    if form.status == status:
        return form
    before, form.status, form.updated_at = form.status, status, now
    form.save(update_fields=["status", "updated_at"])
    record(
        kind=f"webform.{status}",
        actor=actor,
        occurred_at=now,
        data={"form_id": form.pk, "form": form.name, "from": before},
    )
    return form


@transaction.atomic
def delete_form(*, form: Form, actor: User | None, now: datetime) -> None:
    if form.submissions.exists():
        raise FormHasSubmissions()
    record(
        kind="webform.deleted",
        actor=actor,
        occurred_at=now,
        data={"form_id": form.pk, "form": form.name},
    )
    form.delete()


# --- fields -----------------------------------------------------------------------------------


def _field_event(kind: str, f: Field, actor: User | None, now: datetime, **extra: Any) -> None:
    record(
        kind="webform.updated",
        actor=actor,
        occurred_at=now,
        data={"form_id": f.form_id, "form": f.form.name, "field": f.key, "change": kind, **extra},
    )


@transaction.atomic
def add_field(*, form: Form, actor: User | None, values: Mapping[str, Any], now: datetime) -> Field:
    last = form.fields.aggregate(m=Max("position"))["m"]
    f = Field(form=form, **values)
    f.position = (last or 0) + 1
    f.save()
    _field_event("added", f, actor, now)
    return f


@transaction.atomic
def update_field(
    *, f: Field, actor: User | None, changes: Mapping[str, Any], now: datetime
) -> Field:
    if "kind" in changes and changes["kind"] != f.kind and f.answer_rows.exists():
        raise FieldHasAnswers()
    changed = sorted(k for k, v in changes.items() if getattr(f, k) != v)
    for name in changed:
        setattr(f, name, changes[name])
    if changed:
        f.save()
        _field_event("changed", f, actor, now, fields=changed)
    return f


@transaction.atomic
def delete_field(*, f: Field, actor: User | None, now: datetime) -> None:
    if f.answer_rows.exists():
        raise FieldHasAnswers()
    _field_event("deleted", f, actor, now)
    f.delete()


@transaction.atomic
def move_field(*, f: Field, actor: User | None, up: bool, now: datetime) -> None:
    siblings = list(f.form.fields.all())
    i = next(i for i, s in enumerate(siblings) if s.pk == f.pk)
    j = i - 1 if up else i + 1
    if not 0 <= j < len(siblings):
        return
    siblings[i], siblings[j] = siblings[j], siblings[i]
    for position, s in enumerate(siblings, start=1):
        s.position = position
    Field.objects.bulk_update(siblings, ["position"])
    _field_event("moved", f, actor, now)


# --- purpose-of-use text (LEG-APPI-1) ---------------------------------------------------------


@transaction.atomic
def publish_purpose_text(
    *, actor: User | None, text_ja: str, text_en: str, now: datetime
) -> PurposeText:
    """A new version; earlier versions stay as they were, the evidence of what people saw."""
    last = PurposeText.objects.select_for_update().aggregate(m=Max("version"))["m"] or 0
    purpose = PurposeText.objects.create(
        version=last + 1,
        text_ja=text_ja.strip(),
        text_en=text_en.strip(),
        created_at=now,
        created_by=actor,
    )
    record(
        kind="webform.purpose_published",
        actor=actor,
        occurred_at=now,
        data={"version": purpose.version},
    )
    return purpose


def current_purpose() -> PurposeText | None:
    return PurposeText.objects.order_by("-version").first()


def consent_text(f: Field, purpose: PurposeText | None, language: str) -> str:
    """The exact words next to the checkbox: the purpose-of-use text, then the checkbox label."""
    parts = [purpose.text(language)] if purpose is not None else []
    parts.append(f.label(language))
    return "\n\n".join(p.strip() for p in parts if p.strip())


# --- submissions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Visit:
    """Where and how the visitor sent the form, and what they were shown."""

    language: str = "ja"
    purpose_version: int | None = None
    page_url: str = ""
    anonymous_id: str = ""
    ip: str | None = None
    user_agent: str = ""
    utm: dict[str, str] = field(default_factory=dict)


def _first_touch(form: Form, visit: Visit) -> str:
    """The campaign that brought the person: the form page's UTM, else the browser's first
    visit as tracking saw it, else the form's campaign, else the form."""
    from kakehashi.tracking.models import Visitor

    utm = {k: v for k, v in visit.utm.items() if k in ("source", "campaign")}
    if not utm and visit.anonymous_id:
        first = (
            Visitor.objects.filter(anonymous_id=visit.anonymous_id[:100])
            .exclude(utm_source="")
            .order_by("first_seen_at")
            .values_list("utm_source", "utm_campaign")
            .first()
        )
        utm = dict(zip(("source", "campaign"), first, strict=True)) if first else {}
    text = " / ".join(v for v in (utm.get("source"), utm.get("campaign")) if v)
    return (text or form.campaign or form.name)[:200]


def _identifiable(fields: Mapping[str, Any]) -> bool:
    return any(fields.get(k) for k in ("email", "phone", "last_name", "first_name"))


def _visitor_lead(visit: Visit) -> Lead | None:
    from kakehashi.tracking.models import Visitor

    if not visit.anonymous_id:
        return None
    visitor = (
        Visitor.objects.filter(anonymous_id=visit.anonymous_id[:100], lead__isnull=False)
        .select_related("lead")
        .order_by("-identified_at")
        .first()
    )
    return visitor.lead if visitor is not None else None


def _identify(form: Form, data: answers.Interpreted, visit: Visit, now: datetime) -> Lead | None:
    """The lead by normalized e-mail, else the known browser (forms without an e-mail field),
    else a new lead; None for an anonymous survey."""
    fields = dict(data.lead)
    email = fields.get("email", "")
    lead = Lead.objects.filter(email=email).first() if email else _visitor_lead(visit)
    if lead is None:
        if not _identifiable(fields):
            return None
        new = {
            **fields,
            "source": LeadSource.FORM,
            "first_touch": _first_touch(form, visit),
            "first_touch_at": now,
            "custom_attributes": data.custom,
        }
        try:
            return lead_actions.create_lead(actor=None, fields=new, now=now)
        except lead_actions.LeadEmailTaken:  # the same person sent twice at once
            lead = Lead.objects.get(email=email)
    changes: dict[str, Any] = dict(fields)
    if data.custom:
        changes["custom_attributes"] = {**lead.custom_attributes, **data.custom}
    return lead_actions.update_lead(lead=lead, actor=None, changes=changes, now=now)


def _update_company_custom(lead: Lead, values: dict[str, str], now: datetime) -> None:
    company = lead.company
    if not values or company is None:
        return
    lead_actions.update_company(
        company=company,
        actor=None,
        changes={"custom_attributes": {**company.custom_attributes, **values}},
        now=now,
    )


def _link_visitor(form: Form, visit: Visit, lead: Lead, now: datetime) -> None:
    """The browser that sent the form is this lead: its earlier page views join the timeline."""
    from kakehashi.tracking import actions as tracking_actions
    from kakehashi.tracking.models import Visitor

    aid = visit.anonymous_id[:100]
    if not aid:
        return
    if form.tracking_source is not None:
        tracking_actions.link_anonymous_id(
            source=form.tracking_source, anonymous_id=aid, lead=lead, now=now
        )
        return
    for visitor in Visitor.objects.filter(anonymous_id=aid).select_related("source"):
        tracking_actions.link_visitor(visitor=visitor, lead=lead, now=now)


def _activity_data(form: Form, submission: Submission, data: answers.Interpreted) -> dict[str, Any]:
    out: dict[str, Any] = {
        "form": form.name,
        "form_id": form.pk,
        "form_kind": form.kind,
        "submission_id": submission.pk,
        "answers": data.answers,
    }
    optional = {
        "campaign": form.campaign,
        "url": submission.page_url,
        "utm": submission.utm,
        "hidden": submission.hidden,
        "consent": data.consent,
    }
    out.update({k: v for k, v in optional.items() if v not in (None, "", {})})
    return out


@transaction.atomic
def submit(
    *, form: Form, values: list[tuple[Field, Any]], visit: Visit, now: datetime
) -> Submission:
    """Store a validated submission: lead by e-mail (never blanking a known value), the
    visitor's history, the consent as shown (LEG-JP-1, LEG-APPI-1) and `form.submitted`."""
    data = answers.interpret(values)
    consent_field = next((f for f, _v in values if f.kind == FieldKind.CONSENT), None)
    purpose = None
    if consent_field is not None and visit.purpose_version is not None:
        purpose = PurposeText.objects.filter(version=visit.purpose_version).first()
    lead = _identify(form, data, visit, now)
    pending = form.double_opt_in and lead is not None and bool(lead.email)
    submission = Submission.objects.create(
        form=form,
        lead=lead,
        submitted_at=now,
        status=SubmissionStatus.PENDING if pending else SubmissionStatus.ACCEPTED,
        language=visit.language,
        answers=data.answers,
        hidden=data.hidden,
        utm=visit.utm,
        page_url=visit.page_url[:500],
        anonymous_id=visit.anonymous_id[:100],
        ip=visit.ip,
        user_agent=visit.user_agent[:500],
        consent_given=data.consent,
        consent_text=consent_text(consent_field, purpose, visit.language) if consent_field else "",
        purpose=purpose,
    )
    Answer.objects.bulk_create(
        [
            Answer(submission=submission, field=r.field, row=r.row, value=r.value, text=r.text)
            for r in data.rows
        ]
    )
    if lead is None:
        return submission
    _update_company_custom(lead, data.company_custom, now)
    _link_visitor(form, visit, lead, now)
    record(
        kind="form.submitted",
        lead=lead,
        occurred_at=now,
        data=_activity_data(form, submission, data),
        idempotency_key=f"webforms:submission:{submission.pk}",
    )
    if data.consent and not pending:
        _record_consent(submission, lead, now, ip=visit.ip, user_agent=visit.user_agent)
    if pending:
        from . import tasks

        submission_id = submission.pk
        transaction.on_commit(lambda: tasks.send_confirmation(submission_id))
    return submission


def _record_consent(
    submission: Submission, lead: Lead, now: datetime, *, ip: str | None, user_agent: str
) -> None:
    consent_actions.record_consent(
        lead=lead,
        action=Action.GRANT,
        method=Method.WEB_FORM,
        basis=Basis.CONSENT,
        text=submission.consent_text,
        text_version=submission.purpose.label if submission.purpose else "",
        source=submission.page_url or f"form:{submission.form.slug}",
        ip=ip,
        user_agent=user_agent,
        now=now,
    )


class NotPending(Exception):
    """This submission does not wait for a confirmation (already confirmed, or never did)."""


@transaction.atomic
def confirm_submission(
    *, submission: Submission, ip: str | None, user_agent: str, now: datetime
) -> Submission:
    """Double opt-in: the visitor clicked the link in the e-mail and pressed the button."""
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if submission.status != SubmissionStatus.PENDING:
        raise NotPending()
    submission.status, submission.confirmed_at = SubmissionStatus.CONFIRMED, now
    submission.save(update_fields=["status", "confirmed_at"])
    lead = submission.lead
    if lead is None:
        return submission
    record(
        kind="form.confirmed",
        lead=lead,
        occurred_at=now,
        data={"form": submission.form.name, "form_id": submission.form_id,
              "submission_id": submission.pk},
    )  # fmt: skip
    if submission.consent_given:
        _record_consent(submission, lead, now, ip=ip, user_agent=user_agent)
    return submission


def log_export(
    *, form: Form, actor: User, fmt: str, columns: Iterable[str], lead_ids: Iterable[int],
    now: datetime,
) -> None:  # fmt: skip
    """Answers leaving kakehashi are a disclosure of personal data (LEG-APPI-3)."""
    lead_actions.record_disclosure(
        channel="export",
        actor=actor,
        recipient=f"{actor.email} ({fmt}, form {form.slug})",
        fields=columns,
        lead_ids=lead_ids,
        now=now,
    )
