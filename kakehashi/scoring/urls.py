from django.urls import path

from . import views

app_name = "scoring"

urlpatterns = [
    path("scoring/", views.score_list, name="list"),
    path("scoring/new/", views.score_create, name="create"),
    path("scoring/starter/", views.score_starter, name="starter"),
    path("scoring/hot/", views.hot, name="hot"),
    path("scoring/model/", views.model_page, name="model"),
    path("scoring/model/train/", views.model_train, name="train"),
    path("scoring/<int:pk>/", views.score_detail, name="detail"),
    path("scoring/<int:pk>/edit/", views.score_edit, name="edit"),
    path("scoring/<int:pk>/delete/", views.score_delete, name="delete"),
    path("scoring/<int:pk>/mql/", views.score_mql, name="mql"),
    path("scoring/<int:pk>/rules/new/", views.engagement_rule_edit, name="rule_create"),
    path("scoring/<int:pk>/rules/<int:rule_pk>/", views.engagement_rule_edit, name="rule_edit"),
    path(
        "scoring/<int:pk>/rules/<int:rule_pk>/delete/",
        views.engagement_rule_delete,
        name="rule_delete",
    ),
    path("scoring/<int:pk>/fit/new/", views.fit_rule_edit, name="fit_create"),
    path("scoring/<int:pk>/fit/<int:rule_pk>/", views.fit_rule_edit, name="fit_edit"),
    path("scoring/<int:pk>/fit/<int:rule_pk>/delete/", views.fit_rule_delete, name="fit_delete"),
    path("scoring/leads/<int:lead_pk>/", views.lead_panel, name="lead_panel"),
]
