"""Lead list and related pages at scale, server-side through Django's test client.

Baselines from the same run: `floor` is /healthz through the same client and middleware (what
any request costs), `sql` is the page's own queries (count + one page of leads with company,
owner and tags) run directly, without the ORM's objects or the template.
"""

from __future__ import annotations

import time
from io import StringIO
from typing import Any

from django.core.management import call_command
from django.db import connection
from django.test import Client

from kakehashi.accounts.models import User
from kakehashi.demo import generate
from kakehashi.leads.models import Lead

from . import percentiles, time_calls

PAGE_SQL = """
SELECT l.id, l.last_name, l.first_name, l.last_name_kana, l.first_name_kana, l.email,
       l.department, l.title, l.source, l.created_at, l.last_activity_at, c.name, u.name
FROM leads_lead l
LEFT JOIN leads_company c ON c.id = l.company_id
LEFT JOIN accounts_user u ON u.id = l.owner_id
ORDER BY l.created_at DESC, l.id DESC
LIMIT 50 OFFSET %s
"""
TAGS_SQL = "SELECT lead_id, tag_id FROM leads_lead_tags WHERE lead_id IN ({})"


def ensure_data(leads: int, activities_per_lead: int) -> dict[str, Any]:
    call_command("migrate", interactive=False, verbosity=0)
    have = Lead.objects.count()
    result: dict[str, Any] = {"leads": leads, "existing_leads": have}
    if have < leads:
        started = time.perf_counter()
        call_command(
            "demo",
            leads=leads - have,
            activities_per_lead=activities_per_lead,
            json=True,
            showcase=False,
            stdout=StringIO(),
        )
        result["demo_seconds"] = round(time.perf_counter() - started, 1)
        result["demo_leads_per_s"] = round((leads - have) / result["demo_seconds"])
    return result


def _sql_page(offset: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM leads_lead")
        cursor.fetchone()
        cursor.execute(PAGE_SQL, [offset])
        ids = [str(row[0]) for row in cursor.fetchall()]
        cursor.execute(TAGS_SQL.format(",".join(ids) or "0"))
        cursor.fetchall()


def run(*, leads: int, activities_per_lead: int, repeat: int) -> dict[str, Any]:
    result = ensure_data(leads, activities_per_lead)
    user = User.objects.get(email=f"aiko@{generate.DEMO_DOMAIN}")
    client = Client(HTTP_HOST="127.0.0.1", HTTP_ACCEPT_LANGUAGE="ja")
    client.force_login(user)
    sample_lead = Lead.objects.order_by("-last_activity_at").first()
    owner = Lead.objects.exclude(owner=None).values_list("owner_id", flat=True).first()
    assert sample_lead is not None
    total = Lead.objects.count()
    deep_page = max(1, total // 50 // 2)

    def page(url: str) -> Any:
        def fetch() -> None:
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"{url} answered {response.status_code}")

        return fetch

    scenarios = {
        "lead_list": "/leads/",
        "lead_list_deep_page": f"/leads/?page={deep_page}",
        "lead_list_search": "/leads/?q=やまだ",
        "lead_list_owner_filter": f"/leads/?owner={owner}",
        "lead_list_sort_kana": "/leads/?sort=name",
        "company_list": "/companies/",
        "lead_detail": f"/leads/{sample_lead.pk}/",
    }
    floor = percentiles(time_calls(page("/healthz"), repeat=repeat))
    sql = percentiles(time_calls(lambda: _sql_page(0), repeat=repeat))
    result.update(
        {"total_leads": total, "repeat": repeat, "floor_healthz": floor, "sql_lead_page": sql}
    )
    pages: dict[str, Any] = {}
    for name, url in scenarios.items():
        figures = percentiles(time_calls(page(url), repeat=repeat))
        figures["x_floor"] = round(figures["p50_ms"] / max(floor["p50_ms"], 0.01), 1)
        if name == "lead_list":
            figures["x_sql"] = round(figures["p50_ms"] / max(sql["p50_ms"], 0.01), 1)
        pages[name] = {"url": url, **figures}
    result["pages"] = pages
    result["database"] = connection.vendor
    return result
