"""Shared scaffolding: a document-request form, a purpose-of-use text, and a visitor who posts
it the way a browser would (a token from some seconds ago, no cookies, no CSRF token)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from kakehashi.testing import PersonaTestCase
from kakehashi.webforms import actions, tokens
from kakehashi.webforms.models import Field, FieldKind, Form, PurposeText, Status

PURPOSE_JA = "ご入力いただいた個人情報は、資料の送付およびサービスのご案内に利用します。"
PURPOSE_EN = "We use your personal data to send the documents and tell you about our services."
CONSENT_JA = "個人情報の取り扱いに同意し、メールでの案内を希望します"
CONSENT_EN = "I agree to the handling of my personal data and would like e-mail updates"


def options(*labels: str) -> list[dict[str, str]]:
    return [{"value": label, "ja": label, "en": ""} for label in labels]


class WebformTestCase(PersonaTestCase):
    form: Form
    purpose: PurposeText
    f: dict[str, Field]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        now = timezone.now()
        cls.purpose = actions.publish_purpose_text(
            actor=cls.aiko, text_ja=PURPOSE_JA, text_en=PURPOSE_EN, now=now
        )
        cls.form = actions.create_form(
            actor=cls.aiko,
            fields={"name": "資料請求", "slug": "shiryo", "title_ja": "資料請求フォーム",
                    "title_en": "Request our brochure", "thank_you_ja": "お申し込みありがとうございました。",
                    "thank_you_en": "Thank you for your request.", "campaign": "expo-2026"},
            now=now,
        )  # fmt: skip
        specs: list[dict[str, Any]] = [
            {"key": "email", "kind": FieldKind.EMAIL, "label_ja": "メールアドレス",
             "label_en": "E-mail", "required": True, "maps_to": "lead:email"},
            {"key": "姓", "kind": FieldKind.TEXT, "label_ja": "姓", "label_en": "Last name",
             "required": True, "maps_to": "lead:last_name"},
            {"key": "名", "kind": FieldKind.TEXT, "label_ja": "名", "label_en": "First name",
             "maps_to": "lead:first_name"},
            {"key": "会社名", "kind": FieldKind.TEXT, "label_ja": "会社名", "label_en": "Company",
             "maps_to": "company:name"},
            {"key": "電話", "kind": FieldKind.PHONE, "label_ja": "電話番号", "label_en": "Phone",
             "maps_to": "lead:phone"},
            {"key": "都道府県", "kind": FieldKind.PREFECTURE, "label_ja": "都道府県",
             "label_en": "Prefecture", "maps_to": "lead:prefecture"},
            {"key": "導入時期", "kind": FieldKind.SELECT, "label_ja": "導入時期",
             "label_en": "When", "options": options("3か月以内", "半年以内", "未定"),
             "maps_to": "custom:導入時期"},
            {"key": "関心", "kind": FieldKind.MULTI_SELECT, "label_ja": "関心のある製品",
             "label_en": "Products", "options": options("CRM", "MA", "SFA")},
            {"key": "ご質問", "kind": FieldKind.FREE_TEXT, "label_ja": "ご質問",
             "label_en": "Questions"},
            {"key": "consent", "kind": FieldKind.CONSENT, "label_ja": CONSENT_JA,
             "label_en": CONSENT_EN},
            {"key": "utm_campaign", "kind": FieldKind.HIDDEN, "label_ja": "キャンペーン",
             "param": "utm_campaign"},
        ]  # fmt: skip
        cls.f = {}
        for spec in specs:
            cls.f[spec["key"]] = actions.add_field(
                form=cls.form, actor=cls.aiko, values=spec, now=now
            )
        actions.set_status(form=cls.form, actor=cls.aiko, status=Status.PUBLISHED, now=now)

    def setUp(self) -> None:
        cache.delete("webforms:rate:127.0.0.1")
        self.visitor = Client(HTTP_ACCEPT_LANGUAGE="en")  # no login, no cookies of ours

    @staticmethod
    def token(
        form: Form, *, seconds_ago: float = 30, language: str = "ja", version: int | None = -1
    ) -> str:
        if version == -1:
            current = actions.current_purpose()
            version = current.version if current else None
        return tokens.form_token(
            form_id=form.pk,
            shown_at=timezone.now() - timedelta(seconds=seconds_ago),
            language=language,
            purpose_version=version,
        )

    def answers(self, form: Form | None = None, **by_key: Any) -> dict[str, Any]:
        """POST data from answers keyed by field key: {'email': 'a@b.jp', '関心': ['CRM']}."""
        form = form or self.form
        fields = {f.key: f for f in form.fields.all()}
        data: dict[str, Any] = {}
        for key, value in by_key.items():
            if ":" in key:  # matrix cell 'key:row index'
                name, index = key.split(":")
                data[f"f{fields[name].pk}_{index}"] = value
            else:
                data[f"f{fields[key].pk}"] = value
        return data

    def post(
        self,
        data: dict[str, Any],
        *,
        form: Form | None = None,
        token: str | None = None,
        language: str = "ja",
        **extra: Any,
    ):
        form = form or self.form
        body = {"token": token or self.token(form, language=language), **data}
        with self.captureOnCommitCallbacks(execute=True):
            return self.visitor.post(f"/f/{form.slug}/", body, **extra)

    def valid(self, **overrides: Any) -> dict[str, Any]:
        values: dict[str, Any] = {
            "email": "Hanako@Yamada-Shoji.co.jp", "姓": "山田", "名": "花子",
            "会社名": "株式会社山田商事", "電話": "03-1234-5678", "都道府県": "13",
            "導入時期": "3か月以内", "関心": ["CRM", "MA"], "ご質問": "価格表もください",
            "consent": "on",
        }  # fmt: skip
        values.update(overrides)
        return self.answers(**{k: v for k, v in values.items() if v is not None})
