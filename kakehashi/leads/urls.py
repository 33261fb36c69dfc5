from django.urls import path

from . import views

app_name = "leads"

urlpatterns = [
    path("leads/", views.lead_list, name="list"),
    path("leads/new/", views.lead_create, name="create"),
    path("leads/export/", views.lead_export, name="export"),
    path("leads/duplicates/", views.duplicate_list, name="duplicates"),
    path("leads/duplicates/<int:pk>/", views.duplicate_review, name="duplicate_review"),
    path("leads/<int:pk>/subject-export/", views.lead_subject_export, name="subject_export"),
    path("leads/<int:pk>/", views.lead_detail, name="detail"),
    path("leads/<int:pk>/edit/", views.lead_edit, name="edit"),
    path("leads/<int:pk>/delete/", views.lead_delete, name="delete"),
    path("leads/<int:pk>/notes/", views.lead_note, name="note"),
    path("leads/<int:pk>/timeline/", views.lead_timeline, name="timeline"),
    path("companies/", views.company_list, name="company_list"),
    path("companies/new/", views.company_create, name="company_create"),
    path("companies/<int:pk>/", views.company_detail, name="company_detail"),
    path("companies/<int:pk>/edit/", views.company_edit, name="company_edit"),
    path("companies/<int:pk>/delete/", views.company_delete, name="company_delete"),
    path("companies/<int:pk>/notes/", views.company_note, name="company_note"),
    path("companies/<int:pk>/timeline/", views.company_timeline, name="company_timeline"),
    path("companies/<int:pk>/merge/<int:other>/", views.company_merge, name="company_merge"),
]
