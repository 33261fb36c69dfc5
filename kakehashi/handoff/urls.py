from django.urls import path

from . import views

app_name = "handoff"

urlpatterns = [
    path("queue/", views.queue, name="queue"),
    path("queue/<int:pk>/touch/", views.touch, name="touch"),
    path("queue/<int:pk>/accept/", views.accept, name="accept"),
    path("queue/<int:pk>/reject/", views.reject, name="reject"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("feedback/", views.feedback, name="feedback"),
    path("feedback/loss/<slug:kind>/", views.loss, name="loss"),
    path("handoff/settings/", views.settings_page, name="settings"),
    path("handoff/stages/<int:stage_pk>/policy/", views.policy_create, name="policy_create"),
    path("handoff/policies/<int:pk>/", views.policy_edit, name="policy_edit"),
    path("handoff/policies/<int:pk>/rules/new/", views.rule_edit, name="rule_create"),
    path("handoff/policies/<int:pk>/rules/<int:rule_pk>/", views.rule_edit, name="rule_edit"),
    path("handoff/reasons/new/", views.reason_edit, name="reason_create"),
    path("handoff/reasons/<int:pk>/", views.reason_edit, name="reason_edit"),
]
