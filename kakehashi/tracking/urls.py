from django.urls import path

from . import endpoints, views

app_name = "tracking"

# The public front door: Segment-compatible paths at the root, like api.segment.io/v1/….
public = [
    path("v1/batch", endpoints.receive, name="batch"),
    path("v1/import", endpoints.receive, name="import"),
    path("v1/_floor", endpoints.floor, name="floor"),
    *[
        path(f"v1/{kind}", endpoints.receive, {"kind": kind}, name=kind)
        for kind in ("track", "identify", "page", "screen", "group", "alias")
    ],
    path("t.js", endpoints.script, name="script"),
    path("t.gif", endpoints.gif, name="pixel"),
]

staff = [
    path("settings/sources/", views.source_list, name="sources"),
    path("settings/sources/<int:pk>/", views.source_detail, name="source"),
    path("settings/sources/<int:pk>/rotate/", views.source_rotate, name="rotate"),
    path("settings/sources/<int:pk>/debugger/", views.debugger, name="debugger"),
    path(
        "settings/sources/<int:pk>/debugger/events/", views.debugger_events, name="debugger_events"
    ),
    path("settings/sources/<int:pk>/visitors/", views.visitors, name="visitors"),
]

urlpatterns = public + staff
