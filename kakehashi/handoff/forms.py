from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kakehashi.accounts.models import User
from kakehashi.journey.models import Stage

from .actions import CALL_OUTCOMES
from .models import AssignmentRule, HandoffPolicy, RejectReason

OUTCOME_LABELS = {
    "connected": _("Connected"),
    "voicemail": _("Left a voicemail"),
    "no_answer": _("No answer"),
    "wrong_number": _("Wrong number"),
    "appointment": _("Appointment set"),
}
EMAIL_OUTCOMES = {"sent": _("Sent"), "replied": _("Replied"), "bounced": _("Bounced")}


class TouchForm(forms.Form):
    channel = forms.ChoiceField(choices=[("call", _("Call")), ("email", _("E-mail"))])
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[(k, OUTCOME_LABELS[k]) for k in CALL_OUTCOMES] + list(EMAIL_OUTCOMES.items()),
    )
    summary = forms.CharField(label=_("Note"), required=False, max_length=500)


class AcceptForm(forms.Form):
    stage = forms.ModelChoiceField(
        label=_("Move to"), queryset=Stage.objects.none(), required=False
    )
    comment = forms.CharField(label=_("Comment"), required=False, max_length=1000)

    def __init__(self, *args: Any, policy: HandoffPolicy, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = Stage.objects.filter(  # type: ignore[attr-defined]
            journey_id=policy.stage.journey_id, position__gt=policy.stage.position, is_nurture=False
        ).order_by("position")


class RejectForm(forms.Form):
    reason = forms.ModelChoiceField(
        label=_("Reason"),
        queryset=RejectReason.objects.filter(active=True),
        error_messages={"required": _("Choose a reason: marketing learns from it.")},
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=1000, widget=forms.TextInput
    )


class PolicyForm(forms.ModelForm):
    extra_holidays_text = forms.CharField(
        label=_("Company holidays"),
        required=False,
        help_text=_("Dates such as 2026-08-14, separated by commas."),
    )

    class Meta:
        model = HandoffPolicy
        fields = ["team", "accept_stage", "recycle_stage", "account_based", "sla_hours", "day_start",
                  "day_end", "work_days", "year_end_holidays", "on_breach", "escalate_to",
                  "hot_points", "active"]  # fmt: skip
        widgets = {"day_start": forms.TimeInput(attrs={"type": "time"}),
                   "day_end": forms.TimeInput(attrs={"type": "time"})}  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stages = Stage.objects.filter(journey_id=self.instance.stage.journey_id).order_by(
            "position"
        )
        self.fields["accept_stage"].queryset = stages  # type: ignore[attr-defined]
        self.fields["recycle_stage"].queryset = stages  # type: ignore[attr-defined]
        self.initial["extra_holidays_text"] = ", ".join(self.instance.extra_holidays or [])

    def clean_extra_holidays_text(self) -> list[str]:
        import datetime as dt

        days = []
        for part in (
            (self.cleaned_data.get("extra_holidays_text") or "").replace("、", ",").split(",")
        ):
            if part.strip():
                try:
                    days.append(dt.date.fromisoformat(part.strip()).isoformat())
                except ValueError:
                    raise forms.ValidationError(_("Write dates as 2026-08-14.")) from None
        return days

    def save(self, commit: bool = True) -> HandoffPolicy:
        policy = super().save(commit=False)
        policy.extra_holidays = self.cleaned_data.get("extra_holidays_text") or []
        return policy


class AssignmentRuleForm(forms.ModelForm):
    members_text = forms.CharField(
        label=_("Members"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line: e-mail, weight, capacity (weight and capacity optional)."),
    )
    prefectures_text = forms.CharField(label=_("Prefectures (territory)"), required=False,
                                       help_text=_("JIS codes 1–47, separated by commas; empty for all."))  # fmt: skip
    industries_text = forms.CharField(label=_("Industries"), required=False,
                                      help_text=_("Industry codes such as manufacturing, it; empty for all."))  # fmt: skip
    sizes_text = forms.CharField(label=_("Company sizes"), required=False,
                                 help_text=_("Bands such as 300-999, 1000+; empty for all."))  # fmt: skip

    class Meta:
        model = AssignmentRule
        fields = ["name", "position", "method", "active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rule = self.instance
        if rule.pk:
            self.initial["members_text"] = "\n".join(
                f"{m.user.email}, {m.weight}, {m.capacity or ''}".rstrip(", ")
                for m in rule.members.select_related("user")
            )
        self.initial["prefectures_text"] = ", ".join(str(p) for p in rule.prefectures or [])
        self.initial["industries_text"] = ", ".join(rule.industries or [])
        self.initial["sizes_text"] = ", ".join(rule.employee_bands or [])

    @staticmethod
    def _split(text: str) -> list[str]:
        return [p.strip() for p in text.replace("、", ",").split(",") if p.strip()]

    def clean_prefectures_text(self) -> list[int]:
        try:
            codes = [int(p) for p in self._split(self.cleaned_data.get("prefectures_text") or "")]
        except ValueError:
            raise forms.ValidationError(_("Prefectures are numbers from 1 to 47.")) from None
        if any(not 1 <= c <= 47 for c in codes):
            raise forms.ValidationError(_("Prefectures are numbers from 1 to 47."))
        return codes

    def clean_members_text(self) -> list[tuple[User, int, int | None]]:
        members = []
        for line in (self.cleaned_data.get("members_text") or "").splitlines():
            parts = [p.strip() for p in line.split(",")]
            if not parts[0]:
                continue
            user = User.objects.filter(email=parts[0].lower(), is_active=True).first()
            if user is None:
                raise forms.ValidationError(
                    _("No active user with the e-mail %(email)s.") % {"email": parts[0]}
                )
            try:
                weight = int(parts[1]) if len(parts) > 1 and parts[1] else 1
                capacity = int(parts[2]) if len(parts) > 2 and parts[2] else None
            except ValueError:
                raise forms.ValidationError(_("Weight and capacity are whole numbers.")) from None
            members.append((user, weight, capacity))
        if not members:
            raise forms.ValidationError(_("Add at least one person."))
        return members

    def save(self, commit: bool = True) -> AssignmentRule:
        rule = super().save(commit=False)
        rule.prefectures = self.cleaned_data.get("prefectures_text") or []
        rule.industries = self._split(self.cleaned_data.get("industries_text") or "")
        rule.employee_bands = self._split(self.cleaned_data.get("sizes_text") or "")
        return rule


class ReasonForm(forms.ModelForm):
    class Meta:
        model = RejectReason
        fields = ["code", "name_ja", "name_en", "position", "active"]
