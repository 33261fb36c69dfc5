from django.urls import path

from . import views

app_name = "journey"

urlpatterns = [
    path("journey/", views.journey_list, name="list"),
    path("journey/templates/<slug:key>/", views.from_blueprint, name="from_blueprint"),
    path("journey/<int:pk>/", views.journey_map, name="map"),
    path("journey/<int:pk>/edit/", views.journey_edit, name="edit"),
    path("journey/<int:pk>/stages/new/", views.stage_edit, name="stage_create"),
    path("journey/<int:pk>/stages/<int:stage_pk>/", views.stage_edit, name="stage_edit"),
    path("journey/<int:pk>/stages/<int:stage_pk>/delete/", views.stage_delete, name="stage_delete"),
    path("journey/<int:pk>/stages/<int:stage_pk>/rules/new/", views.rule_edit, name="rule_create"),
    path(
        "journey/<int:pk>/stages/<int:stage_pk>/rules/<int:rule_pk>/",
        views.rule_edit,
        name="rule_edit",
    ),
    path(
        "journey/<int:pk>/stages/<int:stage_pk>/rules/<int:rule_pk>/delete/",
        views.rule_delete,
        name="rule_delete",
    ),
    path("journey/stages/<int:stage_pk>/leads/", views.stage_leads, name="stage_leads"),
    path("journey/leads/<int:lead_pk>/", views.lead_journey, name="lead"),
    path("journey/leads/<int:lead_pk>/move/<int:pk>/", views.lead_move, name="lead_move"),
]
