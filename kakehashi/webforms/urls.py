from django.urls import path, re_path

from . import endpoints, views

app_name = "webforms"

# The public side: short addresses for print and QR codes.
public = [
    path("f/embed.js", endpoints.embed_js, name="embed_js"),
    path("f/confirm/<str:token>/", endpoints.confirm, name="confirm"),
    path("f/<slug:slug>/", endpoints.hosted, name="hosted"),
    path("f/<slug:slug>/thanks/<str:token>/", endpoints.thanks, name="thanks"),
    path("f/<slug:slug>/download/<str:token>/", endpoints.download, name="download"),
]

staff = [
    path("forms/", views.form_list, name="list"),
    path("forms/new/", views.form_create, name="create"),
    path("forms/purpose/", views.purpose, name="purpose"),
    path("forms/<int:pk>/", views.form_detail, name="detail"),
    path("forms/<int:pk>/status/", views.form_status, name="status"),
    path("forms/<int:pk>/delete/", views.form_delete, name="delete"),
    path("forms/<int:pk>/fields/new/", views.field_edit, name="field_create"),
    path("forms/<int:pk>/fields/<int:field_pk>/", views.field_edit, name="field_edit"),
    path("forms/<int:pk>/fields/<int:field_pk>/delete/", views.field_delete, name="field_delete"),
    path("forms/<int:pk>/fields/<int:field_pk>/move/", views.field_move, name="field_move"),
    re_path(r"^forms/(?P<pk>[0-9]+)/qr\.(?P<fmt>svg|png)$", views.qr_code, name="qr"),
    path("forms/<int:pk>/submissions/", views.submissions, name="submissions"),
    path("forms/<int:pk>/results/", views.results, name="results"),
    path("forms/<int:pk>/export/", views.export, name="export"),
]

urlpatterns = public + staff
