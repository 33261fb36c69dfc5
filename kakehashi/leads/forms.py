from __future__ import annotations

from datetime import datetime, time
from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kakehashi.accounts.models import Team
from kakehashi.lib import normalize

from .models import Company, Lead, LeadSource, Tag

User = get_user_model()


def _choice(form: forms.BaseForm, name: str) -> forms.ModelChoiceField[Any]:
    return cast(forms.ModelChoiceField, form.fields[name])


def internal_users() -> Any:
    return User.objects.filter(is_active=True).select_related("team").order_by("name", "email")


class CustomAttributesField(forms.Field):
    """Custom attributes edited as 'key: value' lines."""

    widget = forms.Textarea(attrs={"rows": 3, "placeholder": "budget: 500万円"})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, dict):
            return "\n".join(f"{k}: {v}" for k, v in value.items())
        return value

    def to_python(self, value: Any) -> dict[str, str]:
        text = str(value or "")
        result: dict[str, str] = {}
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            key, sep, val = line.partition(":")
            if not sep or not key.strip():
                raise forms.ValidationError(
                    _("Line %(n)s: write custom attributes as 'name: value'."),
                    params={"n": number},
                )
            result[normalize.clean(key)[:60]] = normalize.clean(val)
        return result


class LeadForm(forms.ModelForm):
    """Create or edit a lead; fields the user may not edit are removed by the view."""

    company_name = forms.CharField(
        label=_("Company"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"list": "company-suggestions", "autocomplete": "off"}),
        help_text=_("An existing company is matched by name; a new name creates the company."),
    )
    # Plain text fields: the clean_* methods below fold full-width input before validating.
    email = forms.CharField(label=_("E-mail"), required=False, max_length=254)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    postal_code = forms.CharField(
        label=_("Postal code"),
        required=False,
        max_length=10,
        help_text=_("7 digits, for example 100-0005."),
    )
    tags = forms.CharField(
        label=_("Tags"), required=False, help_text=_("Separate tags with commas.")
    )
    custom_attributes = CustomAttributesField(label=_("Custom attributes"), required=False)

    class Meta:
        model = Lead
        fields = [
            "last_name", "first_name", "last_name_kana", "first_name_kana", "email", "phone",
            "company_name", "department", "title", "postal_code", "prefecture", "city",
            "address_line", "source", "first_touch", "owner", "team", "do_not_email",
            "do_not_call", "do_not_mail", "tags", "custom_attributes",
        ]  # fmt: skip

    def __init__(self, *args: Any, editable: frozenset[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "owner").queryset = internal_users()
        _choice(self, "team").queryset = Team.objects.all()
        if self.instance.pk:
            self.initial["company_name"] = (
                self.instance.company.name if self.instance.company else ""
            )
            self.initial["tags"] = ", ".join(t.name for t in self.instance.tags.all())
            self.initial["phone"] = self.instance.phone_raw or self.instance.phone
        allowed = set(editable) | ({"company_name"} if "company" in editable else set())
        for name in list(self.fields):
            if name not in allowed:
                del self.fields[name]

    def _get_validation_exclusions(self) -> set[str]:
        # clean_email / clean_phone / clean() check these with clearer messages than the
        # database constraints' generic ones; the constraints still guard the database.
        return {*super()._get_validation_exclusions(), "email", "phone"}  # type: ignore[misc]

    def clean_email(self) -> str:
        email = normalize.normalize_email(self.cleaned_data.get("email", ""))
        if email:
            forms.EmailField().clean(email)
            taken = Lead.objects.filter(email=email).exclude(pk=self.instance.pk).exists()
            if taken:
                raise forms.ValidationError(_("A lead with this e-mail address already exists."))
        return email

    def clean_phone(self) -> str:
        raw = normalize.clean(self.cleaned_data.get("phone", ""))
        if raw and not normalize.normalize_phone(raw):
            raise forms.ValidationError(_("This is not a valid phone number."))
        return raw

    def clean_postal_code(self) -> str:
        digits = normalize.postal_digits(self.cleaned_data.get("postal_code", ""))
        if digits and len(digits) != 7:
            raise forms.ValidationError(_("A postal code has 7 digits."))
        return digits

    def clean_tags(self) -> list[str]:
        raw = normalize.clean(self.cleaned_data.get("tags", "")).replace("、", ",")
        return [t.strip() for t in raw.split(",") if t.strip()]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        names = ("email", "phone", "last_name", "first_name")
        present = [n for n in names if n in self.fields]
        if present and len(present) == len(names) and not any(data.get(n) for n in names):
            raise forms.ValidationError(_("A lead needs a name, an e-mail address or a phone."))
        return data

    def changes(self) -> dict[str, Any]:
        """The cleaned values as action input (company by name, tags as names)."""
        return {name: self.cleaned_data[name] for name in self.fields if name in self.cleaned_data}


class CompanyForm(forms.ModelForm):
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    custom_attributes = CustomAttributesField(label=_("Custom attributes"), required=False)

    class Meta:
        model = Company
        fields = [
            "name", "name_kana", "domain", "industry", "employee_band", "prefecture", "city",
            "address_line", "phone", "website", "owner", "custom_attributes",
        ]  # fmt: skip

    def __init__(self, *args: Any, editable: frozenset[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "owner").queryset = internal_users()
        for name in list(self.fields):
            if name not in editable:
                del self.fields[name]

    def clean_name(self) -> str:
        name = normalize.clean(self.cleaned_data.get("name", ""))
        if not name:
            raise forms.ValidationError(_("A company needs a name."))
        return name

    def clean_phone(self) -> str:
        raw = normalize.clean(self.cleaned_data.get("phone", ""))
        if raw and not normalize.normalize_phone(raw):
            raise forms.ValidationError(_("This is not a valid phone number."))
        return normalize.normalize_phone(raw) if raw else ""


SORTS = {
    "-created_at": (("-created_at", "-id"), _("Newest first")),
    "created_at": (("created_at", "id"), _("Oldest first")),
    "name": (("sort_name", "id"), _("Name (kana order)")),
    "-name": (("-sort_name", "-id"), _("Name, reverse")),
    "-last_activity": (("-last_activity_at", "-id"), _("Recently active")),
}


class LeadFilterForm(forms.Form):
    """The lead list's filters; sort keys are whitelisted (SEC-SQL-1)."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    team = forms.ModelChoiceField(
        label=_("Team"), required=False, queryset=Team.objects.all(), empty_label=_("All teams")
    )
    tag = forms.ModelChoiceField(
        label=_("Tag"), required=False, queryset=Tag.objects.all(), empty_label=_("All tags")
    )
    source = forms.ChoiceField(
        label=_("Source"), required=False, choices=[("", _("All sources")), *LeadSource.choices]
    )
    created_from = forms.DateField(
        label=_("Created from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    created_to = forms.DateField(
        label=_("Created to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sort = forms.ChoiceField(
        label=_("Sort"), required=False, choices=[(k, v[1]) for k, v in SORTS.items()]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        users = internal_users().values_list("pk", "name", "email")
        cast(forms.ChoiceField, self.fields["owner"]).choices = [
            ("", _("Anyone")),
            ("me", _("Me")),
            ("none", _("Unassigned")),
            *[(str(pk), name or email) for pk, name, email in users],
        ]

    def filter(self, queryset: Any, user: Any) -> Any:
        data = self.cleaned_data
        if data.get("q"):
            queryset = queryset.search(data["q"])
        owner = data.get("owner")
        if owner == "me":
            queryset = queryset.filter(owner=user)
        elif owner == "none":
            queryset = queryset.filter(owner__isnull=True)
        elif owner:
            queryset = queryset.filter(owner_id=int(owner))
        if data.get("team"):
            queryset = queryset.filter(team=data["team"])
        if data.get("tag"):
            queryset = queryset.filter(tags=data["tag"])
        if data.get("source"):
            queryset = queryset.filter(source=data["source"])
        tz = timezone.get_current_timezone()
        if data.get("created_from"):
            start = datetime.combine(data["created_from"], time.min, tzinfo=tz)
            queryset = queryset.filter(created_at__gte=start)
        if data.get("created_to"):
            end = datetime.combine(data["created_to"], time.max, tzinfo=tz)
            queryset = queryset.filter(created_at__lte=end)
        return queryset.order_by(*SORTS[data.get("sort") or "-created_at"][0])


EXPORT_FORMATS = [
    ("csv", _("CSV (UTF-8 with BOM, for current Excel)")),
    ("csv_cp932", _("CSV (Shift_JIS/CP932, for older Excel)")),
    ("xlsx", _("Excel workbook (.xlsx)")),
]


class ExportForm(forms.Form):
    format = forms.ChoiceField(label=_("Format"), choices=EXPORT_FORMATS, initial="csv")
    columns = forms.MultipleChoiceField(
        label=_("Columns"), widget=forms.CheckboxSelectMultiple, required=True
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from .exports import COLUMNS, DEFAULT_COLUMNS

        super().__init__(*args, **kwargs)
        field = cast(forms.MultipleChoiceField, self.fields["columns"])
        field.choices = [(key, label) for key, (label, _get) in COLUMNS.items()]
        field.initial = DEFAULT_COLUMNS
