from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kakehashi.accounts.models import Team

from .models import CloseReason, Deal, FollowStep, Stage, Task
from .permissions import DEAL_FUNCTIONS

User = get_user_model()

CURRENCIES = [
    ("JPY", "JPY ¥"),
    ("USD", "USD $"),
    ("EUR", "EUR €"),
    ("CNY", "CNY 元"),
    ("KRW", "KRW ₩"),
]


def sales_users() -> Any:
    return (
        User.objects.filter(is_active=True)
        .filter(Q(team__function__in=DEAL_FUNCTIONS) | Q(role__in=["manager", "admin"]))
        .select_related("team")
    )


class DealForm(forms.ModelForm):
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCIES, initial="JPY")

    class Meta:
        model = Deal
        fields = ["name", "stage", "owner", "amount", "currency", "expected_close_date", "probability",
                  "committed", "source", "description"]  # fmt: skip
        widgets = {
            "expected_close_date": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, pipeline: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stage = cast(forms.ModelChoiceField, self.fields["stage"])
        stage.queryset = pipeline.stages.filter(kind=Stage.Kind.OPEN)
        if self.instance.pk and self.instance.status != Deal.Status.OPEN:
            del self.fields["stage"]
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = sales_users()
        self.fields["amount"].widget.attrs.update({"min": 0, "step": 1})

    def clean_probability(self) -> int | None:
        value = self.cleaned_data.get("probability")
        if value is not None and not 0 <= value <= 100:
            raise forms.ValidationError(_("A probability is between 0 and 100."))
        return value

    def clean_amount(self) -> Any:
        amount = self.cleaned_data.get("amount")
        if amount is not None and amount < 0:
            raise forms.ValidationError(_("An amount cannot be negative."))
        return amount


class CloseForm(forms.Form):
    reason = forms.ModelChoiceField(label=_("Reason"), queryset=CloseReason.objects.none())
    competitor = forms.CharField(label=_("Competitor"), required=False, max_length=200)

    def __init__(self, *args: Any, outcome: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.outcome = outcome
        field = cast(forms.ModelChoiceField, self.fields["reason"])
        field.queryset = CloseReason.objects.filter(outcome=outcome, active=True)
        if outcome == CloseReason.Outcome.WON:
            del self.fields["competitor"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        reason = data.get("reason")
        if reason and reason.needs_competitor and not (data.get("competitor") or "").strip():
            self.add_error("competitor", _("Which competitor won the deal?"))
        return data


class LogForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What happened"),
        choices=[
            ("call", _("Call")),
            ("meeting", _("Meeting")),
            ("visit", _("Visit")),
            ("email", _("E-mail")),
        ],
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        required=False,
        choices=[("", "—"), ("connected", _("Talked")), ("voicemail", _("Voicemail")),
                 ("no_answer", _("No answer")), ("positive", _("Positive")), ("negative", _("Negative")),
                 ("appointment_set", _("Appointment set"))],
    )  # fmt: skip
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    next_step = forms.CharField(label=_("Next step"), required=False, max_length=300)
    next_due = forms.DateTimeField(
        label=_("Next step by"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("next_due") and not data.get("next_step"):
            self.add_error("next_step", _("Say what the next step is."))
        return data


class TaskForm(forms.ModelForm):
    class Meta:
        model = Task
        fields = ["kind", "title", "due_at", "owner", "notes"]
        widgets = {"due_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
                   "notes": forms.Textarea(attrs={"rows": 2})}  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = User.objects.filter(
            is_active=True
        )


class AppointmentForm(forms.Form):
    owner = forms.ModelChoiceField(label=_("Field sales owner"), queryset=User.objects.none())
    starts_at = forms.DateTimeField(
        label=_("Starts"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    minutes = forms.IntegerField(
        label=_("Length (minutes)"), initial=60, min_value=15, max_value=480
    )
    location = forms.CharField(label=_("Place or meeting URL"), required=False, max_length=200)
    deal_name = forms.CharField(label=_("Deal name"), required=False, max_length=200)
    amount = forms.DecimalField(
        label=_("Expected amount"), required=False, min_value=0, decimal_places=0
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = cast(forms.ModelChoiceField, self.fields["owner"])
        owner.queryset = User.objects.filter(
            is_active=True, is_away=False, team__function="field_sales"
        )

    def ends_at(self) -> Any:
        return self.cleaned_data["starts_at"] + timedelta(minutes=self.cleaned_data["minutes"])


class DealFilterForm(forms.Form):
    owner = forms.ModelChoiceField(label=_("Owner"), required=False, queryset=User.objects.none(),
                                   empty_label=_("Anyone"))  # fmt: skip
    team = forms.ModelChoiceField(label=_("Team"), required=False, queryset=Team.objects.all(),
                                  empty_label=_("All teams"))  # fmt: skip
    close_month = forms.DateField(
        label=_("Closing in"), required=False, input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )  # fmt: skip
    q = forms.CharField(label=_("Search"), required=False, max_length=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = sales_users()

    def filter(self, deals: Any) -> Any:
        if not self.is_valid():
            return deals
        data = self.cleaned_data
        if data.get("owner"):
            deals = deals.filter(owner=data["owner"])
        if data.get("team"):
            deals = deals.filter(team=data["team"])
        if data.get("close_month"):
            month = data["close_month"]
            deals = deals.filter(
                expected_close_date__year=month.year, expected_close_date__month=month.month
            )
        if data.get("q"):
            deals = deals.filter(
                Q(name__icontains=data["q"]) | Q(company__name__icontains=data["q"])
            )
        return deals


StageFormSet = forms.modelformset_factory(
    Stage, fields=["name_ja", "name_en", "probability"], extra=0,
    widgets={"probability": forms.NumberInput(attrs={"min": 0, "max": 100})},
)  # fmt: skip
ReasonFormSet = forms.modelformset_factory(
    CloseReason, fields=["outcome", "label_ja", "label_en", "needs_competitor", "active"], extra=2
)
FollowStepFormSet = forms.modelformset_factory(
    FollowStep, fields=["day", "kind", "title"], extra=2, can_delete=True
)
