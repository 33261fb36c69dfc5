"""Staff forms: form settings, the field editor, purpose texts, cross-tabs and exports."""

from __future__ import annotations

import os
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kakehashi.tracking.models import Source

from . import guards, mapping, queries
from .models import CHOICE_KINDS, Field, FieldKind, Form, PurposeText

MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
DOWNLOAD_EXTENSIONS = {".pdf", ".zip", ".docx", ".xlsx", ".pptx", ".png", ".jpg", ".jpeg"}


class FormSettingsForm(forms.ModelForm):
    redirect_url = Form._meta.get_field("redirect_url").formfield(assume_scheme="https")

    class Meta:
        model = Form
        fields = [
            "name", "slug", "kind", "title_ja", "title_en", "intro_ja", "intro_en",
            "thank_you_ja", "thank_you_en", "redirect_url", "download", "campaign",
            "tracking_source", "double_opt_in",
        ]  # fmt: skip
        widgets = {
            "intro_ja": forms.Textarea(attrs={"rows": 3}),
            "intro_en": forms.Textarea(attrs={"rows": 3}),
            "thank_you_ja": forms.Textarea(attrs={"rows": 3}),
            "thank_you_en": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tracking_source"].queryset = Source.objects.all()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        url = (data.get("redirect_url") or "").strip()
        data["redirect_url"] = url
        if url:
            # Checked here, not in clean_redirect_url: the tracking source's sites count too.
            hosts = guards.redirect_hosts(Form(tracking_source=data.get("tracking_source")))
            if not guards.is_allowed_redirect(url, hosts):
                self.add_error("redirect_url", forms.ValidationError(
                    _("Forms may only redirect to this server, your tracking source's sites or "
                      "the allowed hosts (%(hosts)s)."),
                    params={"hosts": ", ".join(sorted(hosts))},
                ))  # fmt: skip
        return data

    def clean_download(self) -> Any:
        upload = self.cleaned_data.get("download")
        if upload and hasattr(upload, "size") and "download" in self.changed_data:
            if upload.size > MAX_DOWNLOAD_BYTES:
                raise forms.ValidationError(_("The file may be at most 20 MB."))
            if os.path.splitext(upload.name)[1].lower() not in DOWNLOAD_EXTENSIONS:
                raise forms.ValidationError(_("Offer a PDF, ZIP, Office document or image file."))
        return upload


def _options_text(options: list[dict[str, Any]]) -> str:
    return "\n".join(f"{o['ja']} | {o['en']}" if o.get("en") else str(o["ja"]) for o in options)


def parse_options(text: str) -> list[dict[str, str]]:
    """One option per line: '日本語 | English' (the Japanese label is the stored value)."""
    options, seen = [], set()
    for line in text.splitlines():
        ja, _sep, en = (part.strip() for part in line.partition("|"))
        if not ja:
            continue
        if ja in seen:
            raise forms.ValidationError(_("“%(value)s” is listed twice."), params={"value": ja})
        if len(ja) > 200 or len(en) > 200:
            raise forms.ValidationError(_("Options may be at most 200 characters long."))
        seen.add(ja)
        options.append({"value": ja, "ja": ja, "en": en})
    return options


class FieldForm(forms.ModelForm):
    options_text = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One per line, Japanese | English: 3か月以内 | Within 3 months"),
    )
    rows_text = forms.CharField(
        label=_("Matrix rows"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For matrix questions: one row per line, Japanese | English."),
    )
    target = forms.ChoiceField(label=_("Saves to"), required=False)
    attribute = forms.CharField(
        label=_("Custom attribute name"),
        required=False,
        max_length=50,
        help_text=_("When saving to a custom attribute."),
    )

    class Meta:
        model = Field
        fields = [
            "kind", "label_ja", "label_en", "key", "help_ja", "help_en", "required", "page",
            "max_length", "param", "show_if_key", "show_if_value",
        ]  # fmt: skip

    def __init__(self, *args: Any, form: Form, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.parent = form
        self.fields["key"].required = False
        self.fields["key"].help_text = _(
            "How the answer is named on the timeline and in scoring rules; "
            "the Japanese label when left empty."
        )
        cast(forms.ChoiceField, self.fields["target"]).choices = [
            *mapping.choices(),
            ("custom", _("Custom attribute of the lead")),
            ("company_custom", _("Custom attribute of the company")),
        ]
        others = form.fields.exclude(pk=self.instance.pk) if self.instance.pk else form.fields.all()
        self.fields["show_if_key"] = forms.ChoiceField(
            label=_("Show only if question"),
            required=False,
            choices=[("", _("Always show"))] + [(f.key, f.label_ja) for f in others],
        )
        if self.instance.pk:
            self.initial["options_text"] = _options_text(self.instance.options)
            self.initial["rows_text"] = _options_text(self.instance.rows)
            target = self.instance.maps_to
            for prefix in (mapping.CUSTOM, mapping.COMPANY_CUSTOM):
                if target.startswith(prefix):
                    self.initial["target"], self.initial["attribute"] = (
                        prefix[:-1],
                        target[len(prefix) :],
                    )
                    break
            else:
                self.initial["target"] = target

    def clean_key(self) -> str:
        key = (self.cleaned_data.get("key") or "").strip()
        if not key:
            key = "".join((self.data.get("label_ja") or "").split()).replace(".", "")[:50]
        return key

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind", "")
        try:
            data["options"] = parse_options(data.get("options_text", ""))
            data["rows"] = parse_options(data.get("rows_text", ""))
        except forms.ValidationError as error:
            self.add_error("options_text", error)
            return data
        if kind in CHOICE_KINDS | {FieldKind.MATRIX} and not data["options"]:
            self.add_error("options_text", _("List the options to choose from."))
        if kind == FieldKind.MATRIX and not data["rows"]:
            self.add_error("rows_text", _("List the rows of the matrix."))
        if kind == FieldKind.HIDDEN and not data.get("param"):
            self.add_error("param", _("Name the URL parameter to keep, such as utm_campaign."))
        if kind == FieldKind.CONSENT:
            others = self.parent.fields.filter(kind=FieldKind.CONSENT).exclude(pk=self.instance.pk)
            if others.exists():
                self.add_error("kind", _("A form has one consent checkbox."))
        self._clean_target(data, kind)
        key = data.get("key")
        if key and self.parent.fields.filter(key=key).exclude(pk=self.instance.pk).exists():
            self.add_error("key", _("Another field already uses this key."))
        if data.get("show_if_key") and data.get("show_if_key") == key:
            self.add_error("show_if_key", _("A question cannot depend on itself."))
        return data

    def _clean_target(self, data: dict[str, Any], kind: str) -> None:
        target = data.get("target", "")
        if target in ("custom", "company_custom"):
            target = f"{target}:{(data.get('attribute') or '').strip()}"
        error = mapping.check(target, kind)
        if error:
            self.add_error("target", error)
        elif target == "lead:email" or target.startswith("lead:"):
            taken = self.parent.fields.filter(maps_to=target).exclude(pk=self.instance.pk)
            if taken.exists():
                self.add_error("target", _("Another field already saves to this lead field."))
        data["maps_to"] = target

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        out = {name: data.get(name) for name in self.Meta.fields}
        out.update({"options": data["options"], "rows": data["rows"], "maps_to": data["maps_to"]})
        out["page"] = out["page"] or 1
        out["show_if_value"] = out["show_if_value"] or ""
        out["param"] = out["param"] or ""
        return out


class PurposeTextForm(forms.ModelForm):
    class Meta:
        model = PurposeText
        fields = ["text_ja", "text_en"]
        widgets = {
            "text_ja": forms.Textarea(attrs={"rows": 8}),
            "text_en": forms.Textarea(attrs={"rows": 8}),
        }


class CrossTabForm(forms.Form):
    rows = forms.ChoiceField(label=_("Question"))
    columns = forms.ChoiceField(label=pgettext_lazy("cross-tab columns", "By"))

    def __init__(self, *args: Any, questions: list[Field], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        counted = [(str(f.pk), f.label_ja) for f in questions if f.kind != FieldKind.MATRIX]
        cast(forms.ChoiceField, self.fields["rows"]).choices = counted
        cast(forms.ChoiceField, self.fields["columns"]).choices = [
            (_("Questions"), counted),
            (
                _("Lead fields"),
                [(f"lead:{k}", d.label) for k, d in queries.LEAD_DIMENSIONS.items()],
            ),
        ]


class ExportForm(forms.Form):
    FORMATS = [
        ("csv", _("CSV (UTF-8 with BOM, for Excel)")),
        ("csv_cp932", _("CSV (Shift_JIS/CP932, for older Excel)")),
        ("xlsx", _("Excel workbook (.xlsx)")),
    ]
    format = forms.ChoiceField(label=_("Format"), choices=FORMATS, initial="csv")
