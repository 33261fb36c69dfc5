"""The REST API: /api/v1/…, OpenAPI at /api/openapi.json, docs at /api/docs."""

from __future__ import annotations

from ninja import NinjaAPI

from kakehashi.accounts.auth import API_AUTH
from kakehashi.deals.api import deals_router, tasks_router
from kakehashi.handoff.api import handoffs_router, journeys_router
from kakehashi.imports.api import router as imports_router
from kakehashi.leads.api import companies_router, leads_router
from kakehashi.timeline.api import notes_router, timeline_router

api = NinjaAPI(
    title="kakehashi API",
    version="1.0.0",
    description=(
        "Leads, companies, notes, the shared timeline and imports. Authenticate with a personal "
        "token from Settings → API tokens: `Authorization: Bearer kk_…`."
    ),
    auth=API_AUTH,
    docs_url="/docs",
)
api.add_router("/v1/leads", leads_router)
api.add_router("/v1/companies", companies_router)
api.add_router("/v1/notes", notes_router)
api.add_router("/v1/timeline", timeline_router)
api.add_router("/v1/imports", imports_router)
api.add_router("/v1/deals", deals_router)
api.add_router("/v1/tasks", tasks_router)
api.add_router("/v1/handoffs", handoffs_router)
api.add_router("/v1/journeys", journeys_router)
