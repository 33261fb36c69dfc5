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


def test_words_shared_by_two_screens_read_right_on_each():
    from django.template import Context, Template

    from kakehashi.consent.models import ConsentEvent
    from kakehashi.deals.models import Deal, Stage
    from kakehashi.handoff.models import Handoff
    from kakehashi.leads.models import Lead
    from kakehashi.tracking.models import Source, Status
    from kakehashi.webforms.forms import CrossTabForm

    with translation.override("ja"):
        assert str(Status.DROPPED.label) == "破棄"  # a refused event, not a journey drop-off
        # An open deal is in progress; an open hand-off waits for sales to accept or reject.
        assert str(Deal.Status.OPEN.label) == str(Stage.Kind.OPEN.label) == "進行中"
        assert str(Handoff.Status.OPEN.label) == "判定待ち"
        # A lead's source is where it came from; a consent's, where it was given; a tracking
        # source is a website or app sending events.
        assert str(Lead._meta.get_field("source").verbose_name) == "流入元"
        assert str(ConsentEvent._meta.get_field("source").verbose_name) == "取得元"
        assert str(Source._meta.verbose_name) == "ソース"
        assert str(CrossTabForm(questions=[]).fields["columns"].label) == "集計軸"
        rendered = Template(
            '{% load i18n %}{% translate "From" context "where a submission was sent from" %}|'
            '{% translate "From" %}|{% translate "All sources" context "tracking sources" %}|'
            '{% translate "All sources" %}|{% translate "Dropped" %}|'
            '{% translate "Open" context "deal status" %}|{% translate "Open" %}'
        ).render(Context())
        assert rendered == "送信元|開始日|ソース一覧|すべての流入元|離脱|進行中|判定待ち"
