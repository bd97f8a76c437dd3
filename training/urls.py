from django.urls import path

from . import views

urlpatterns = [
    path("training/", views.training_mine, name="training_mine"),
    path("training/records/new/", views.training_record_add, name="training_record_add"),
    path("training/records/<int:record_id>/edit/", views.training_record_edit, name="training_record_edit"),
    path(
        "training/records/<int:record_id>/verify/",
        views.training_record_verify,
        name="training_record_verify",
    ),
    path("training/people/<int:user_id>/", views.training_person, name="training_person"),
    path("training/supervision/", views.supervision_list, name="supervision_list"),
    path("training/supervision/new/", views.supervision_new, name="supervision_new"),
    path("training/supervision/<int:supervision_id>/", views.supervision_detail, name="supervision_detail"),
]
