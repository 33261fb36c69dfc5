"""One English word, several meanings: each field's label gets the Japanese of its own meaning."""

from __future__ import annotations

from django.utils import translation

from kakehashi.consent.models import ConsentEvent
from kakehashi.leads.models import Lead
from kakehashi.webforms.models import Form


def label(model, name):
    return str(model._meta.get_field(name).verbose_name)


def test_address_means_a_url_an_email_or_a_street_by_field():
    with translation.override("ja"):
        assert label(Form, "slug") == "公開URL"
        assert label(ConsentEvent, "address") == "メールアドレス"
        assert label(Lead, "address_line") == "番地・建物"
    with translation.override("en"):
        assert {label(Form, "slug"), label(ConsentEvent, "address")} == {"address"}
