from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views import i18n
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from kakehashi.accounts.decorators import internal_required
from kakehashi.accounts.http import AuthedHttpRequest
from kakehashi.leads.models import Company, Lead
from kakehashi.timeline.models import Activity, Note

from . import actions


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    database = actions.database_status()
    ok = database == "ok"
    worker = (
        actions.worker_status(now=timezone.now(), immediate=settings.HUEY["immediate"])
        if ok
        else "unknown"
    )
    return JsonResponse(
        {"status": "ok" if ok else "error", "database": database, "worker": worker},
        status=200 if ok else 503,
    )


@internal_required
def home(request: AuthedHttpRequest) -> HttpResponse:
    now = timezone.now()
    week_ago = now - timedelta(days=7)
    by_department = dict(
        Activity.objects.filter(occurred_at__gte=week_ago, lead__isnull=False)
        .values_list("department")
        .annotate(n=Count("id"))
        .values_list("department", "n")
    )
    context = {
        "lead_count": Lead.objects.count(),
        "company_count": Company.objects.count(),
        "new_leads": Lead.objects.filter(created_at__gte=week_ago).count(),
        "my_leads": Lead.objects.filter(owner=request.user).count(),
        "by_department": sorted(by_department.items()),
        "recent_notes": Note.objects.select_related("author", "author__team", "lead", "company")[
            :10
        ],
        "my_recent": Lead.objects.filter(owner=request.user)
        .select_related("company")
        .order_by("-last_activity_at")[:10],
    }
    return render(request, "core/home.html", context)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch language; a signed-in user's choice is saved so it follows them."""
    response = i18n.set_language(request)
    language = request.POST.get("language", "")
    user = request.user
    if user.is_authenticated and language in dict(settings.LANGUAGES):
        get_user_model().objects.filter(pk=user.pk).update(language=language)
    return response
