from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kakehashi.lib import normalize
from kakehashi.lib.jp import PREFECTURES

from . import rules
from .models import EngagementRule, FitField, FitRule, Score

KIND_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")
# Record changes and notes can be edited or deleted after the fact: they never score.
UNSCORED_FAMILIES = ("lead", "company", "note", "user", "team", "token", "scoring", "source")
OPERATOR_WORDS = {
    "equals": "equals", "=": "equals", "is": "equals",
    "contains": "contains", "starts_with": "starts_with", "startswith": "starts_with",
}  # fmt: skip


class ScoreForm(forms.ModelForm):
    class Meta:
        model = Score
        fields = [
            "name", "description", "active", "position", "half_life_days",
            "fit_a", "fit_b", "fit_c", "engagement_1", "engagement_2", "engagement_3",
        ]  # fmt: skip

    def clean_name(self) -> str:
        name = normalize.clean(self.cleaned_data.get("name", ""))
        if not name:
            raise forms.ValidationError(_("A score needs a name."))
        return name


class ConditionsField(forms.Field):
    """Conditions on the activity's data, one per line: ``url contains /pricing``."""

    widget = forms.Textarea(attrs={"rows": 3, "placeholder": "url contains /pricing"})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return "\n".join(f"{c['key']} {c['op']} {c['value']}" for c in value)
        return value

    def to_python(self, value: Any) -> list[dict[str, str]]:
        result = []
        for number, line in enumerate(str(value or "").splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            parts = line.split(None, 2)
            if len(parts) < 3:
                raise forms.ValidationError(
                    _("Line %(n)s: write a condition as 'url contains /pricing'."),
                    params={"n": number},
                )
            key, word, expected = parts
            op = OPERATOR_WORDS.get(word.lower())
            if op is None:
                raise forms.ValidationError(
                    _("Line %(n)s: “%(word)s” is not a comparison; use equals, contains or "
                      "starts_with."),
                    params={"n": number, "word": word},
                )  # fmt: skip
            if not rules.KEY_RE.match(key) or "__" in key:
                raise forms.ValidationError(
                    _("Line %(n)s: “%(key)s” is not a data field name."),
                    params={"n": number, "key": key},
                )
            result.append({"key": key, "op": op, "value": expected})
        return result


class EngagementRuleForm(forms.ModelForm):
    conditions = ConditionsField(
        label=_("Conditions"),
        required=False,
        help_text=_(
            "One per line, all must hold: url contains /pricing, form equals 資料請求. "
            "Letters are compared ignoring case."
        ),
    )

    class Meta:
        model = EngagementRule
        fields = ["name", "kind", "conditions", "points", "cap_per_day", "cap_total", "active"]
        widgets = {"kind": forms.TextInput(attrs={"list": "activity-kinds"})}

    def clean_kind(self) -> str:
        kind = normalize.clean(self.cleaned_data.get("kind", "")).lower()
        if not KIND_RE.match(kind):
            raise forms.ValidationError(
                _("Write an activity kind such as page.viewed, or a family such as email.")
            )
        if kind.split(".", 1)[0] in UNSCORED_FAMILIES:
            raise forms.ValidationError(
                _("Record changes, notes and settings do not score; choose a lead's activity.")
            )
        return kind

    def clean_points(self) -> int:
        points = self.cleaned_data.get("points")
        if not points:
            raise forms.ValidationError(_("A rule gives or takes at least one point."))
        if abs(points) > 1000:
            raise forms.ValidationError(_("Points must be between -1,000 and 1,000."))
        return int(points)


def _prefecture_code(value: str) -> str | None:
    value = normalize.clean(value)
    for code, ja, en in PREFECTURES:
        if value in (str(code), ja, en, ja.rstrip("都道府県")):
            return str(code)
    return None


class FitRuleForm(forms.ModelForm):
    class Meta:
        model = FitRule
        fields = ["name", "field", "key", "op", "value", "points", "active"]

    def clean_points(self) -> int:
        points = self.cleaned_data.get("points")
        if not points:
            raise forms.ValidationError(_("A rule gives or takes at least one point."))
        return int(points)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        field = data.get("field")
        if field in (FitField.CUSTOM, FitField.COMPANY_CUSTOM) and not data.get("key"):
            self.add_error("key", _("Name the custom attribute this rule looks at."))
        if field == FitField.PREFECTURE and data.get("value"):
            codes = [_prefecture_code(v) for v in str(data["value"]).split(",") if v.strip()]
            if None in codes:
                self.add_error(
                    "value", _("Write prefectures as 東京都 or 13, separated by commas.")
                )
            else:
                data["value"] = ", ".join(c for c in codes if c)
        return data


class MqlForm(forms.Form):
    mql_threshold = forms.FloatField(label=_("MQL threshold"), required=False, min_value=0)


class CapacityForm(forms.Form):
    capacity = forms.IntegerField(
        label=_("Leads sales can take"), min_value=1, max_value=100_000, required=False
    )
