from django.urls import path

from . import views

urlpatterns = [
    path("teams/<int:team_id>/", views.team_detail, name="team_detail"),
    path("teams/<int:team_id>/conference-settings/", views.team_settings, name="team_settings"),
    path("teams/<int:team_id>/conferences/new/", views.conference_new, name="conference_new"),
    path("conferences/", views.conference_list, name="conference_list"),
    path("conferences/<int:conference_id>/", views.conference_detail, name="conference_detail"),
    path("conferences/<int:conference_id>/start/", views.conference_start, name="conference_start"),
    path("conferences/<int:conference_id>/close/", views.conference_close, name="conference_close"),
    path(
        "conferences/<int:conference_id>/summary/",
        views.conference_summary,
        name="conference_summary",
    ),
    path("conferences/<int:conference_id>/agenda/add/", views.agenda_add, name="agenda_add"),
    path(
        "conferences/<int:conference_id>/agenda/<int:item_id>/",
        views.agenda_item,
        name="agenda_item",
    ),
    path(
        "conferences/<int:conference_id>/agenda/<int:item_id>/move/",
        views.agenda_move,
        name="agenda_move",
    ),
    path(
        "conferences/<int:conference_id>/agenda/<int:item_id>/discussed/",
        views.agenda_discussed,
        name="agenda_discussed",
    ),
    path(
        "conferences/<int:conference_id>/agenda/<int:item_id>/actions/",
        views.action_new,
        name="action_new",
    ),
    path(
        "conferences/<int:conference_id>/agenda/<int:item_id>/amend/",
        views.note_amend,
        name="note_amend",
    ),
    path(
        "conferences/<int:conference_id>/agenda/<int:item_id>/barrier-review/",
        views.barrier_review,
        name="barrier_review",
    ),
    path("tasks/", views.my_tasks, name="my_tasks"),
    path("tasks/<int:action_id>/done/", views.action_done, name="action_done"),
]
