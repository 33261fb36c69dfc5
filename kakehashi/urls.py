from django.urls import include, path

from kakehashi.core import views as core_views

from .api import api

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/setlang/", core_views.set_language, name="set_language"),
    path("api/", api.urls),
    path("", include("kakehashi.tracking.urls")),
    path("", include("kakehashi.accounts.urls")),
    path("", include("kakehashi.leads.urls")),
    path("", include("kakehashi.scoring.urls")),
    path("", include("kakehashi.imports.urls")),
    path("", include("kakehashi.deals.urls")),
    path("", include("kakehashi.journey.urls")),
    path("", include("kakehashi.handoff.urls")),
    path("", include("kakehashi.webforms.urls")),
    path("", include("kakehashi.core.urls")),
]
