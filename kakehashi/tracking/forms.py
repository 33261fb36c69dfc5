from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Source


class SourceForm(forms.ModelForm):
    class Meta:
        model = Source
        fields = ["name", "is_enabled", "allowed_origins", "blocked_ips"]
        widgets = {
            "allowed_origins": forms.Textarea(attrs={"rows": 3}),
            "blocked_ips": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_allowed_origins(self) -> str:
        lines = [
            line.strip().rstrip("/") for line in self.cleaned_data["allowed_origins"].splitlines()
        ]
        for line in filter(None, lines):
            parts = urlsplit(line)
            if parts.scheme not in ("http", "https") or not parts.hostname or parts.path:
                raise forms.ValidationError(
                    _("“%(value)s” is not an origin like https://www.example.co.jp."),
                    params={"value": line},
                )
        return "\n".join(filter(None, lines))

    def clean_blocked_ips(self) -> str:
        lines = [line.strip() for line in self.cleaned_data["blocked_ips"].splitlines()]
        for line in filter(None, lines):
            try:
                ipaddress.ip_network(line, strict=False)
            except ValueError:
                raise forms.ValidationError(
                    _("“%(value)s” is not an IP address or network."), params={"value": line}
                ) from None
        return "\n".join(filter(None, lines))


class NewSourceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("The website or app."))
