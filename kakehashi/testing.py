"""Shared test scaffolding: the personas every story-style test uses."""

from __future__ import annotations

from typing import Any

from django.test import Client, TestCase
from django.utils import timezone, translation

from kakehashi.accounts.models import Function, Role, Team, User
from kakehashi.leads import actions as lead_actions
from kakehashi.leads.models import Lead


def make_user(
    email: str, name: str, team: Team | None, role: str = Role.MEMBER, **extra: Any
) -> User:
    user = User(email=email, name=name, team=team, role=role, **extra)
    user.set_unusable_password()
    user.save()
    return user


class EnglishFirstClient(Client):
    """Browses in English unless a test asks for Japanese with HTTP_ACCEPT_LANGUAGE."""

    def __init__(self, *args: Any, **defaults: Any) -> None:
        defaults.setdefault("HTTP_ACCEPT_LANGUAGE", "en")
        super().__init__(*args, **defaults)


class PersonaTestCase(TestCase):
    """Aiko (marketing), Ken (inside sales), Sato and Taro (field sales 1), Haruka (field
    sales 2), Mori (manager), Admin, and an outsider without a team who must be refused."""

    marketing: Team
    inside_sales: Team
    field_sales: Team
    field_sales_2: Team
    management: Team
    aiko: User
    ken: User
    sato: User
    taro: User
    haruka: User
    mori: User
    admin: User
    outsider: User
    client_class = EnglishFirstClient

    @classmethod
    def setUpTestData(cls) -> None:
        cls.marketing = Team.objects.create(name="マーケティング部", function=Function.MARKETING)
        cls.inside_sales = Team.objects.create(
            name="インサイドセールス部", function=Function.INSIDE_SALES
        )
        cls.field_sales = Team.objects.create(name="営業第一部", function=Function.FIELD_SALES)
        cls.field_sales_2 = Team.objects.create(name="営業第二部", function=Function.FIELD_SALES)
        cls.management = Team.objects.create(name="経営企画室", function=Function.MANAGEMENT)
        cls.aiko = make_user("aiko@example.jp", "高橋 愛子", cls.marketing)
        cls.ken = make_user("ken@example.jp", "伊藤 健", cls.inside_sales)
        cls.sato = make_user("sato@example.jp", "佐藤 翔太", cls.field_sales)
        cls.taro = make_user("taro@example.jp", "鈴木 太郎", cls.field_sales)
        cls.haruka = make_user("haruka@example.jp", "加藤 遥", cls.field_sales_2)
        cls.mori = make_user("mori@example.jp", "森 由美", cls.management, Role.MANAGER)
        cls.admin = make_user("admin@example.jp", "Admin", None, Role.ADMIN)
        cls.outsider = make_user("outsider@example.com", "Outsider", None)

    def setUp(self) -> None:
        super().setUp()
        # Messages made outside a request (actions, commands) read in English too.
        self.enterContext(translation.override("en"))

    @staticmethod
    def make_lead(owner: User | None = None, **fields: Any) -> Lead:
        defaults: dict[str, Any] = {"last_name": "山田", "first_name": "太郎"}
        defaults.update(fields)
        if owner is not None:
            defaults["owner"] = owner
        return lead_actions.create_lead(actor=owner, fields=defaults, now=timezone.now())
