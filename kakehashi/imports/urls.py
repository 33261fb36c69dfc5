from django.urls import path

from . import views

app_name = "imports"

urlpatterns = [
    path("imports/", views.import_list, name="list"),
    path("imports/<int:pk>/map/", views.import_map, name="map"),
    path("imports/<int:pk>/", views.import_detail, name="detail"),
    path("imports/<int:pk>/refused-rows.csv", views.import_errors, name="errors"),
    path("imports/<int:pk>/discard/", views.import_discard, name="discard"),
]
