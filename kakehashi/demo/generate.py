"""A realistic bilingual demo data set, written with bulk inserts so 100k leads take minutes."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from faker import Faker

from kakehashi.accounts.models import Function, Role, Team, User
from kakehashi.leads.models import Company, Lead, LeadSource, Tag
from kakehashi.lib import normalize
from kakehashi.lib.bulk import insert_rows
from kakehashi.timeline.models import Activity, Department, Note

from . import data

DEMO_DOMAIN = "demo.kakehashi.localhost"
BATCH = 2000

TEAMS = [
    ("マーケティング部", Function.MARKETING),
    ("インサイドセールス部", Function.INSIDE_SALES),
    ("営業第一部", Function.FIELD_SALES),
    ("営業第二部", Function.FIELD_SALES),
    ("カスタマーサクセス部", Function.CUSTOMER_SUCCESS),
    ("経営企画室", Function.MANAGEMENT),
]
# The personas every test and tour refers to, plus colleagues.
USERS = [
    ("aiko", "高橋 愛子", "タカハシ アイコ", "マーケティング部", Role.MEMBER, "ja"),
    ("ken", "伊藤 健", "イトウ ケン", "インサイドセールス部", Role.MEMBER, "ja"),
    ("sato", "佐藤 翔太", "サトウ ショウタ", "営業第一部", Role.MEMBER, "ja"),
    ("mori", "森 由美", "モリ ユミ", "経営企画室", Role.MANAGER, "ja"),
    ("emma", "Emma Clark", "", "マーケティング部", Role.MEMBER, "en"),
    ("yuki", "中村 優希", "ナカムラ ユキ", "インサイドセールス部", Role.MEMBER, "ja"),
    ("daiki", "小林 大輝", "コバヤシ ダイキ", "営業第一部", Role.MANAGER, "ja"),
    ("haruka", "加藤 遥", "カトウ ハルカ", "営業第二部", Role.MEMBER, "ja"),
    ("james", "James Miller", "", "営業第二部", Role.MEMBER, "en"),
    ("rina", "山本 里奈", "ヤマモト リナ", "カスタマーサクセス部", Role.MEMBER, "ja"),
]
# Tokyo, Osaka, Kanagawa, Aichi, Fukuoka weigh more, as customer lists do.
PREFECTURE_WEIGHTS = [3 if p in (13, 27, 14, 23, 40, 11, 12, 28) else 1 for p in range(1, 48)]
PREFECTURE_WEIGHTS[12] = 12  # Tokyo

# (kind, weight) of activities after lead.created; sales kinds are done by sales users.
ACTIVITY_MIX = [
    ("page.viewed", 40), ("email.opened", 14), ("email.clicked", 7), ("form.submitted", 5),
    ("event.attended", 2), ("call.logged", 12), ("email.sent", 4), ("meeting.held", 4),
    ("visit.logged", 2), ("note.added", 6),
]  # fmt: skip


ACTIVITY_COLUMNS = (
    "kind", "department", "actor_id", "lead_id", "company_id", "occurred_at", "recorded_at",
    "data",
)  # fmt: skip


@dataclass
class Summary:
    teams: int = 0
    users: int = 0
    companies: int = 0
    leads: int = 0
    activities: int = 0
    notes: int = 0
    demo_password: str = ""


@dataclass
class _Pools:
    jp_last: list[tuple[str, str, str]] = field(default_factory=list)
    jp_first: list[tuple[str, str, str]] = field(default_factory=list)
    en_last: list[str] = field(default_factory=list)
    en_first: list[str] = field(default_factory=list)
    cities: list[str] = field(default_factory=list)


def _pools(rng: random.Random) -> _Pools:
    ja, en = Faker("ja_JP"), Faker("en_US")
    ja.seed_instance(rng.randint(0, 10**6))
    en.seed_instance(rng.randint(0, 10**6))
    pools = _Pools()
    pools.jp_last = list({ja.last_name_pair() for _ in range(600)})
    pools.jp_first = list({ja.first_name_pair() for _ in range(600)})
    pools.en_last = list({en.last_name() for _ in range(300)})
    pools.en_first = list({en.first_name() for _ in range(300)})
    pools.cities = list({ja.city() for _ in range(200)})
    return pools


def ensure_people(*, password: str, now: datetime) -> tuple[dict[str, Team], dict[str, User]]:
    teams = {}
    for name, function in TEAMS:
        teams[name], _ = Team.objects.get_or_create(name=name, defaults={"function": function})
    users = {}
    for handle, name, kana, team_name, role, language in USERS:
        email = f"{handle}@{DEMO_DOMAIN}"
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User(email=email, name=name, name_kana=kana, team=teams[team_name])
            user.role, user.language, user.date_joined = role, language, now
            user.set_password(password)
            user.save()
        users[handle] = user
    return teams, users


def _company_rows(rng: random.Random, count: int, pools: _Pools, now: datetime) -> list[Company]:
    companies: list[Company] = []
    seen: set[str] = set()
    while len(companies) < count:
        serial = len(companies)
        if rng.random() < 0.8:
            stem, stem_kana, stem_romaji = rng.choice(data.JP_STEMS)
            trade, trade_kana, trade_romaji, industry = rng.choice(data.JP_TRADES)
            base = stem + trade
            name = rng.choice(data.JP_LEGAL_FORMS).format(base)
            kana = stem_kana + trade_kana
            domain = f"{stem_romaji}-{trade_romaji}.co.jp"
            prefecture = rng.choices(range(1, 48), PREFECTURE_WEIGHTS)[0]
        else:
            word, industry = rng.choice(data.EN_COMPANY_WORDS)
            base = f"{word} {rng.choice(pools.en_last)}"
            name = f"{base} {rng.choice(data.EN_COMPANY_SUFFIXES)}"
            kana = ""
            domain = normalize.fold(base).replace(" ", "") + ".com"
            prefecture = 13
        if base in seen:  # same name and trade again: make it a branch of its own
            base = f"{base}{serial}"
            name = f"{name} {serial}"
            domain = domain.replace(".", f"{serial}.", 1)
        seen.add(base)
        company = Company(
            name=name,
            name_kana=kana,
            domain=domain,
            industry=industry,
            employee_band=rng.choice(["1-9", "10-49", "50-299", "50-299", "300-999", "1000+"]),
            prefecture=prefecture,
            city=rng.choice(pools.cities),
            created_at=now - timedelta(days=rng.randint(200, 400)),
        )
        company.updated_at = company.created_at
        company.refresh_derived_fields()
        companies.append(company)
    return companies


class _LeadFactory:
    def __init__(self, rng: random.Random, pools: _Pools, users: dict[str, User], now: datetime):
        self.rng, self.pools, self.now = rng, pools, now
        self.sales_users = [u for u in users.values() if u.team and u.team.function in (
            Function.INSIDE_SALES, Function.FIELD_SALES, Function.CUSTOMER_SUCCESS)]  # fmt: skip
        self.marketing_users = [
            u for u in users.values() if u.team and u.team.function == Function.MARKETING
        ]
        self.by_function: dict[str, list[User]] = {}
        for user in users.values():
            if user.team:
                self.by_function.setdefault(user.team.function, []).append(user)

    def lead(self, serial: int, company: Company | None) -> Lead:
        rng, pools = self.rng, self.pools
        japanese = company is None or bool(company.name_kana) or rng.random() < 0.3
        if japanese and company is not None and not company.name_kana:
            japanese = rng.random() < 0.5
        if japanese:
            last, last_kana, last_romaji = rng.choice(pools.jp_last)
            first, first_kana, first_romaji = rng.choice(pools.jp_first)
            local = f"{first_romaji}.{last_romaji}".lower()
            department, title = rng.choice(data.JP_DEPARTMENTS), rng.choice(data.JP_TITLES)
        else:
            last, first = rng.choice(pools.en_last), rng.choice(pools.en_first)
            last_kana = first_kana = ""
            local = f"{first}.{last}".lower()
            department, title = rng.choice(data.EN_DEPARTMENTS), rng.choice(data.EN_TITLES)
        domain = (
            company.domain if company else rng.choice(["gmail.com", "yahoo.co.jp", "outlook.jp"])
        )
        created = self.now - timedelta(days=rng.uniform(0, 365))
        owner = rng.choice(self.sales_users) if rng.random() < 0.55 else (
            rng.choice(self.marketing_users) if rng.random() < 0.3 else None)  # fmt: skip
        # Landlines: 0 + area + number = 10 digits; mobiles (090/080): 11 digits.
        area = rng.choice(["3", "6", "45", "52", "92", "11", "90", "80"])
        mobile = area in ("90", "80")
        digits = "".join(rng.choices("0123456789", k=8 if len(area) == 1 or mobile else 7))
        phone_raw = (
            f"0{area}-{digits[:4]}-{digits[4:]}"
            if len(area) == 1 or mobile
            else f"0{area}-{digits[:3]}-{digits[3:]}"
        )
        lead = Lead(
            email=f"{local}.{serial}@{domain}",
            phone_raw=phone_raw,
            phone="+81" + phone_raw[1:].replace("-", ""),
            last_name=last, first_name=first, last_name_kana=last_kana, first_name_kana=first_kana,
            company=company, department=department, title=title,
            postal_code=f"{rng.randint(100, 999)}{rng.randint(0, 9999):04d}" if japanese else "",
            prefecture=company.prefecture if company else rng.choices(range(1, 48), PREFECTURE_WEIGHTS)[0],
            city=company.city if company else rng.choice(pools.cities),
            source=rng.choices(
                [s.value for s in LeadSource],
                [30, 20, 12, 8, 5, 6, 4, 3, 6, 2, 3, 1],
            )[0],
            owner=owner, team_id=owner.team_id if owner else None,
            email_consent=rng.choices(["granted", "unknown", "withdrawn"], [60, 35, 5])[0],
            do_not_call=rng.random() < 0.03,
            created_at=created, updated_at=created,
        )  # fmt: skip
        lead.refresh_derived_fields()
        return lead

    def activities(
        self, lead: Lead, count: int
    ) -> Iterator[tuple[str, datetime, User | None, dict[str, Any]]]:
        rng = self.rng
        yield "lead.created", lead.created_at, None, {"source": lead.source, "tags": []}
        span = max((self.now - lead.created_at).total_seconds(), 60.0)
        kinds, weights = zip(*ACTIVITY_MIX, strict=True)
        for _ in range(count - 1):
            kind = rng.choices(kinds, weights)[0]
            at = lead.created_at + timedelta(seconds=rng.uniform(0, span))
            yield kind, at, *self._payload(kind, lead)

    def _payload(self, kind: str, lead: Lead) -> tuple[User | None, dict[str, Any]]:
        rng = self.rng
        if kind == "page.viewed":
            path, title = rng.choice(data.PAGES)
            return None, {"url": f"https://www.kakehashi-demo.jp{path}", "title": title}
        if kind in ("email.opened", "email.clicked"):
            payload = {"subject": rng.choice(data.EMAIL_SUBJECTS)}
            if kind == "email.clicked":
                payload["url"] = "https://www.kakehashi-demo.jp" + rng.choice(data.PAGES)[0]
            return None, payload
        if kind == "form.submitted":
            name, questions = rng.choice(data.FORMS)
            return None, {"form": name, "answers": {q: rng.choice(a) for q, a in questions.items()}}
        if kind == "event.attended":
            return None, {"event": rng.choice(data.EVENTS)}
        if kind == "email.sent":
            return rng.choice(self.by_function.get(Function.INSIDE_SALES, [None])), {
                "subject": "ご挨拶とご提案のお願い"
            }
        if kind == "call.logged":
            return rng.choice(self.by_function.get(Function.INSIDE_SALES, [None])), {
                "outcome": rng.choice(data.CALL_OUTCOMES),
                "summary": rng.choice(data.CALL_SUMMARIES),
                "next_step": rng.choice(data.NEXT_STEPS),
            }
        if kind in ("meeting.held", "visit.logged"):
            return rng.choice(self.by_function.get(Function.FIELD_SALES, [None])), {
                "outcome": "held",
                "summary": rng.choice(data.MEETING_SUMMARIES),
                "next_step": rng.choice(data.NEXT_STEPS),
            }
        # note.added: by someone from any department
        function = rng.choice(list(self.by_function))
        return rng.choice(self.by_function[function]), {
            "body": rng.choice(data.NOTES.get(function, data.NOTES["marketing"]))
        }


def generate(
    *,
    leads: int,
    activities_per_lead: int = 10,
    seed: int = 2026,
    password: str,
    now: datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> Summary:
    """Add ``leads`` leads (and their companies, notes and activities) to the database."""
    now = now or timezone.now()
    rng = random.Random(seed + Lead.objects.count())
    pools = _pools(rng)
    summary = Summary(demo_password=password)
    with transaction.atomic():
        teams, users = ensure_people(password=password, now=now)
        tags = [Tag.objects.get_or_create(name=name)[0] for name in data.TAGS]
    summary.teams, summary.users = len(teams), len(users)
    company_count = max(20, leads // 8)
    with transaction.atomic():
        companies = Company.objects.bulk_create(
            _company_rows(rng, company_count, pools, now), batch_size=BATCH
        )
    summary.companies = len(companies)
    factory = _LeadFactory(rng, pools, users, now)
    serial = (Lead.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    done = 0
    while done < leads:
        size = min(BATCH, leads - done)
        with transaction.atomic():
            counts = _write_batch(
                factory, rng, companies, tags, serial + done, size, activities_per_lead
            )
        summary.leads += size
        summary.activities += counts[0]
        summary.notes += counts[1]
        done += size
        if progress:
            progress(size)
    return summary


def _write_batch(
    factory: _LeadFactory,
    rng: random.Random,
    companies: list[Company],
    tags: list[Tag],
    serial: int,
    size: int,
    per_lead: int,
) -> tuple[int, int]:
    batch = []
    planned = []
    for i in range(size):
        company = rng.choice(companies) if rng.random() < 0.9 else None
        lead = factory.lead(serial + i, company)
        count = max(1, round(rng.gauss(per_lead, per_lead / 3))) if per_lead > 1 else 1
        events = list(factory.activities(lead, count))
        lead.last_activity_at = max(at for _, at, _, _ in events)
        batch.append(lead)
        planned.append(events)
    Lead.objects.bulk_create(batch, batch_size=BATCH)
    through = Lead.tags.through
    links = [
        through(lead_id=lead.pk, tag_id=tag.pk)
        for lead in batch
        if rng.random() < 0.3
        for tag in rng.sample(tags, rng.randint(1, 2))
    ]
    through.objects.bulk_create(links, batch_size=BATCH)
    notes: list[Note] = []
    note_events = []
    rows: list[tuple[Any, ...]] = []
    for lead, events in zip(batch, planned, strict=True):
        for kind, at, actor, payload in events:
            department = _department(kind, actor)
            actor_id = actor.pk if actor is not None else None
            if kind == "note.added":
                notes.append(Note(lead=lead, company_id=lead.company_id, author=actor,
                                  department=department, body=payload["body"], created_at=at))  # fmt: skip
                note_events.append((lead, at, actor_id, department, payload))
                continue
            rows.append((kind, department, actor_id, lead.pk, lead.company_id, at, at, payload))
    Note.objects.bulk_create(notes, batch_size=BATCH)
    for note, (lead, at, actor_id, department, payload) in zip(notes, note_events, strict=True):
        rows.append((
            "note.added", department, actor_id, lead.pk, lead.company_id, at, at,
            {"note_id": note.pk, "body": payload["body"]},
        ))  # fmt: skip
    insert_rows(Activity._meta.db_table, ACTIVITY_COLUMNS, rows)
    return len(rows), len(notes)


def _department(kind: str, actor: User | None) -> str:
    if actor is not None and actor.team is not None:
        return str(actor.team.function)
    if kind.split(".", 1)[0] in ("page", "email", "form", "event"):
        return Department.MARKETING
    return Department.SYSTEM
