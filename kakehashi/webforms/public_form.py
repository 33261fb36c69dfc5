"""The visitor's form, built from a form's fields: server-side validation with Django's
translated messages, simple branching (show B if A), and the honeypot.

Inputs are named ``f<field id>`` (matrix rows ``f<field id>_<row>``), never by the staff-chosen
key, so nothing a marketer types ends up in an HTML attribute name.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kakehashi.lib import normalize
from kakehashi.lib.jp import PREFECTURES

from . import guards
from .models import MULTI_KINDS, Field, FieldKind, PurposeText


class NormalizedEmailField(forms.EmailField):
    """Full-width ＠ and letters, stray spaces and capitals are folded before validation."""

    def to_python(self, value: Any) -> str:
        return normalize.normalize_email(super().to_python(value))


class PhoneField(forms.CharField):
    def validate(self, value: Any) -> None:
        super().validate(value)
        if value and not normalize.normalize_phone(value):
            raise forms.ValidationError(
                _("Enter a phone number, such as 03-1234-5678."), code="invalid_phone"
            )


def _choices(options: list[dict[str, Any]], language: str) -> list[tuple[str, str]]:
    return [(str(o["value"]), Field.choice_label(o, language)) for o in options]


def _prefectures(language: str) -> list[tuple[Any, str]]:
    return [("", "—"), *[(code, en if language == "en" else ja) for code, ja, en in PREFECTURES]]


def build_field(f: Field, language: str, required: bool) -> forms.Field:
    label, help_text = f.label(language), f.help(language)
    common: dict[str, Any] = {"label": label, "help_text": help_text, "required": required}
    kind = f.kind
    if kind == FieldKind.EMAIL:
        # A text input, not type=email: browsers refuse full-width ＠ that we fold on the server.
        text = forms.TextInput(attrs={"inputmode": "email", "autocomplete": "email"})
        return NormalizedEmailField(max_length=254, widget=text, **common)
    if kind == FieldKind.PHONE:
        return PhoneField(max_length=40, widget=forms.TextInput(attrs={"type": "tel"}), **common)
    if kind == FieldKind.SELECT:
        return forms.ChoiceField(choices=[("", "—"), *_choices(f.options, language)], **common)
    if kind == FieldKind.SINGLE_CHOICE:
        return forms.ChoiceField(
            choices=_choices(f.options, language), widget=forms.RadioSelect, **common
        )
    if kind in MULTI_KINDS:
        widget = (
            forms.CheckboxSelectMultiple
            if kind == FieldKind.MULTIPLE_CHOICE
            else forms.SelectMultiple
        )
        return forms.MultipleChoiceField(
            choices=_choices(f.options, language), widget=widget, **common
        )
    if kind in (FieldKind.CHECKBOX, FieldKind.CONSENT):
        return forms.BooleanField(**common)
    if kind == FieldKind.DATE:
        return forms.DateField(
            input_formats=["%Y-%m-%d", "%Y/%m/%d"],
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            **common,
        )
    if kind == FieldKind.PREFECTURE:
        return forms.TypedChoiceField(
            choices=_prefectures(language), coerce=int, empty_value=None, **common
        )
    if kind in (FieldKind.RATING, FieldKind.NPS):
        return forms.ChoiceField(
            choices=[(v, v) for v in f.scale()], widget=forms.RadioSelect, **common
        )
    if kind == FieldKind.HIDDEN:
        return forms.CharField(max_length=200, required=False, widget=forms.HiddenInput)
    if kind == FieldKind.FREE_TEXT:
        return forms.CharField(
            max_length=f.limit, widget=forms.Textarea(attrs={"rows": 4}), strip=True, **common
        )
    return forms.CharField(max_length=f.limit, **common)


@dataclass
class Item:
    """One field as the template draws it: its bound input(s) and its branching rule."""

    field: Field
    inputs: list[forms.BoundField]
    show_if_name: str = ""
    show_if_value: str = ""
    label: str = ""
    help: str = ""
    errors: list[str] = dataclasses.field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.field.kind

    @property
    def required(self) -> bool:
        return self.field.required


def answer_text(f: Field, value: Any) -> str:
    """How an answer reads on the timeline and in scoring rules (language-neutral)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if f.kind == FieldKind.PREFECTURE and value:
        return PREFECTURES[int(value) - 1][1]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return "" if value is None else str(value)


class PublicForm(forms.Form):
    """Validates a submission against the form's fields; see ``answers()`` for the result."""

    def __init__(
        self,
        fields: list[Field],
        language: str,
        *,
        purpose: PurposeText | None = None,
        data: Any = None,
        initial: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(data=data, initial=initial)
        self.form_fields = fields
        self.language = language
        self.purpose = purpose
        self.by_key = {f.key: f for f in fields}
        for f in fields:
            # Conditional fields are checked in clean(), once we know whether they show.
            required = f.required and not f.show_if_key
            if f.kind == FieldKind.MATRIX:
                for i, row in enumerate(f.rows):
                    self.fields[f"f{f.pk}_{i}"] = forms.ChoiceField(
                        label=Field.choice_label(row, language),
                        choices=_choices(f.options, language),
                        widget=forms.RadioSelect,
                        required=required,
                    )
            else:
                self.fields[f"f{f.pk}"] = build_field(f, language, required)
        self.fields[guards.HONEYPOT] = forms.CharField(required=False)

    def names(self, f: Field) -> list[str]:
        if f.kind == FieldKind.MATRIX:
            return [f"f{f.pk}_{i}" for i in range(len(f.rows))]
        return [f"f{f.pk}"]

    # --- branching ------------------------------------------------------------------------
    def _raw(self, f: Field) -> Any:
        return self.cleaned_data.get(f"f{f.pk}")

    def is_shown(self, f: Field) -> bool:
        """Show B if A: shown when the controlling question's answer is (or includes) the value."""
        if not f.show_if_key:
            return True
        controller = self.by_key.get(f.show_if_key)
        if controller is None:
            return True
        if not self.is_shown(controller):
            return False
        value = self._raw(controller)
        wanted = f.show_if_value
        if isinstance(value, list):
            return wanted in [str(v) for v in value]
        return answer_text(controller, value) == wanted or str(value) == wanted

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for f in self.form_fields:
            if not f.show_if_key:
                continue
            if not self.is_shown(f):
                for name in self.names(f):
                    cleaned.pop(name, None)
                    if self.errors:
                        self.errors.pop(name, None)
                continue
            if f.required:
                for name in self.names(f):
                    if name not in self.errors and cleaned.get(name) in (None, "", [], False):
                        self.add_error(name, self.fields[name].error_messages["required"])
        return cleaned

    # --- results --------------------------------------------------------------------------
    def values(self) -> list[tuple[Field, Any]]:
        """(field, python value) for every shown field, after is_valid()."""
        out: list[tuple[Field, Any]] = []
        for f in self.form_fields:
            if not self.is_shown(f):
                continue
            if f.kind == FieldKind.MATRIX:
                cells = {
                    str(row["value"]): self.cleaned_data.get(f"f{f.pk}_{i}") or ""
                    for i, row in enumerate(f.rows)
                }
                out.append((f, {row: col for row, col in cells.items() if col}))
            else:
                out.append((f, self._raw(f)))
        return out

    # --- rendering ------------------------------------------------------------------------
    def items(self) -> list[Item]:
        items = []
        for f in self.form_fields:
            if f.kind == FieldKind.HIDDEN:
                continue
            item = Item(f, [self[name] for name in self.names(f)])
            item.label, item.help = f.label(self.language), f.help(self.language)
            controller = self.by_key.get(f.show_if_key) if f.show_if_key else None
            if controller is not None:
                item.show_if_name, item.show_if_value = f"f{controller.pk}", f.show_if_value
            for bound in item.inputs:
                item.errors.extend(str(e) for e in bound.errors)
            items.append(item)
        return items

    def pages(self) -> list[tuple[int, list[Item]]]:
        pages: dict[int, list[Item]] = {}
        for item in self.items():
            pages.setdefault(item.field.page, []).append(item)
        return sorted(pages.items())

    def hidden_inputs(self) -> list[forms.BoundField]:
        return [self[f"f{f.pk}"] for f in self.form_fields if f.kind == FieldKind.HIDDEN]
