from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kakehashi.scoring.rules import KEY_RE, OPERATORS

from .models import EntryRule, Journey, Stage


class PeriodForm(forms.Form):
    """The map's period: the last 30 days unless chosen."""

    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def period(self, today: date) -> tuple[date, date]:
        data = self.cleaned_data if self.is_valid() else {}
        until = data.get("until") or today
        since = data.get("since") or until - timedelta(days=30)
        if since > until:
            since, until = until, since
        return since, until


class JourneyForm(forms.ModelForm):
    class Meta:
        model = Journey
        fields = ["name_ja", "name_en", "active"]


class StageForm(forms.ModelForm):
    class Meta:
        model = Stage
        fields = ["name_ja", "name_en", "key", "position", "owner_function", "is_handoff",
                  "is_nurture", "description"]  # fmt: skip


class EntryRuleForm(forms.ModelForm):
    conditions_text = forms.CharField(
        label=_("Conditions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line: key operator value, e.g. form equals 資料請求."),
    )

    class Meta:
        model = EntryRule
        fields = ["kind", "score", "threshold", "grade", "activity_kind", "days", "from_stages",
                  "active"]  # fmt: skip
        widgets = {"from_stages": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, journey: Journey, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["from_stages"].queryset = Stage.objects.filter(journey=journey)  # type: ignore[attr-defined]
        if self.instance.pk and self.instance.conditions:
            self.initial["conditions_text"] = "\n".join(
                f"{c['key']} {c['op']} {c['value']}" for c in self.instance.conditions
            )

    def clean_conditions_text(self) -> list[dict[str, str]]:
        parsed = []
        for line in (self.cleaned_data.get("conditions_text") or "").splitlines():
            if not line.strip():
                continue
            parts = line.strip().split(None, 2)
            if len(parts) != 3 or parts[1] not in OPERATORS or not KEY_RE.match(parts[0]):
                raise forms.ValidationError(
                    _("Write each condition as: key operator value (operators: %(ops)s).")
                    % {"ops": ", ".join(OPERATORS)}
                )
            parsed.append({"key": parts[0], "op": parts[1], "value": parts[2]})
        return parsed

    def save(self, commit: bool = True) -> EntryRule:
        rule = super().save(commit=False)
        rule.conditions = self.cleaned_data.get("conditions_text") or []
        return rule


class MoveForm(forms.Form):
    stage = forms.ModelChoiceField(label=_("Move to"), queryset=Stage.objects.none())
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def __init__(self, *args: Any, journey: Journey, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = Stage.objects.filter(journey=journey).order_by("position")  # type: ignore[attr-defined]
