from django.urls import path

from . import conference_views, views

urlpatterns = [
    path("patients/", views.patient_list, name="patient_list"),
    path("patients/new/", views.patient_create, name="patient_create"),
    path("patients/emergency-access/", views.emergency_access, name="emergency_access"),
    path("patients/<int:patient_id>/", views.patient_overview, name="patient_overview"),
    path("patients/<int:patient_id>/edit/", views.patient_edit, name="patient_edit"),
    path("patients/<int:patient_id>/emergency/", views.emergency_notes, name="emergency_notes"),
    path("teams/<int:team_id>/", conference_views.team_detail, name="team_detail"),
    path("teams/<int:team_id>/conference-settings/", conference_views.team_settings, name="team_settings"),
    path("teams/<int:team_id>/conferences/new/", conference_views.conference_new, name="conference_new"),
    path("conferences/", conference_views.conference_list, name="conference_list"),
    path("conferences/<int:conference_id>/", conference_views.conference_detail, name="conference_detail"),
    path(
        "conferences/<int:conference_id>/start/", conference_views.conference_start, name="conference_start"
    ),
    path(
        "conferences/<int:conference_id>/close/", conference_views.conference_close, name="conference_close"
    ),
    path(
        "conferences/<int:conference_id>/summary/",
        conference_views.conference_summary,
        name="conference_summary",
    ),
    path("conferences/<int:conference_id>/agenda/add/", conference_views.agenda_add, name="agenda_add"),
    path(
        "conferences/<int:conference_id>/agenda/<int:item_id>/",
        conference_views.agenda_item,
        name="agenda_item",
    ),
    path(
        "conferences/<int:conference_id>/agenda/<int:item_id>/move/",
        conference_views.agenda_move,
        name="agenda_move",
    ),
    path(
        "conferences/<int:conference_id>/agenda/<int:item_id>/discussed/",
        conference_views.agenda_discussed,
        name="agenda_discussed",
    ),
    path(
        "conferences/<int:conference_id>/agenda/<int:item_id>/actions/",
        conference_views.action_new,
        name="action_new",
    ),
    path(
        "conferences/<int:conference_id>/agenda/<int:item_id>/amend/",
        conference_views.note_amend,
        name="note_amend",
    ),
    path("tasks/", conference_views.my_tasks, name="my_tasks"),
    path("tasks/<int:action_id>/done/", conference_views.action_done, name="action_done"),
]
