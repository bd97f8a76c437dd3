from django.urls import path

from . import views

urlpatterns = [
    path("instruments/", views.instrument_list, name="instrument_list"),
    path("instruments/<str:code>/", views.instrument_detail, name="instrument_detail"),
    path("alerts/", views.alert_queue, name="alert_queue"),
    path("patients/<int:patient_id>/screenings/new/", views.screening_new, name="screening_new"),
    path(
        "patients/<int:patient_id>/screenings/<int:screening_id>/",
        views.screening_detail,
        name="screening_detail",
    ),
    path(
        "patients/<int:patient_id>/screenings/<int:screening_id>/amend/",
        views.screening_amend,
        name="screening_amend",
    ),
    path(
        "patients/<int:patient_id>/alerts/<int:alert_id>/acknowledge/",
        views.alert_acknowledge,
        name="alert_acknowledge",
    ),
    path("patients/<int:patient_id>/alerts/<int:alert_id>/close/", views.alert_close, name="alert_close"),
]
