from django.urls import path

from . import views

app_name = "deals"

urlpatterns = [
    path("deals/", views.board, name="board"),
    path("deals/pipelines/<int:pipeline_id>/", views.board, name="pipeline"),
    path("deals/list/", views.deal_list, name="list"),
    path("deals/new/", views.deal_create, name="create"),
    path("deals/forecast/", views.forecast, name="forecast"),
    path("deals/tasks/", views.my_tasks, name="tasks"),
    path("deals/tasks/<int:pk>/done/", views.task_done, name="task_done"),
    path("deals/tasks/<int:pk>/invite.ics", views.ics, name="ics"),
    path("deals/settings/", views.deal_settings, name="settings"),
    path("deals/appointment/<int:lead_id>/", views.appointment, name="appointment"),
    path("deals/<int:pk>/", views.deal_detail, name="detail"),
    path("deals/<int:pk>/edit/", views.deal_edit, name="edit"),
    path("deals/<int:pk>/move/", views.deal_move, name="move"),
    path("deals/<int:pk>/close/<str:outcome>/", views.deal_close, name="close"),
    path("deals/<int:pk>/log/", views.deal_log, name="log"),
    path("deals/<int:pk>/tasks/", views.deal_task, name="task"),
    path("deals/<int:pk>/follow/", views.follow_status, name="follow"),
]
