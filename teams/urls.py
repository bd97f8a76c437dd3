from django.urls import path

from . import views

urlpatterns = [
    path("patients/", views.patient_list, name="patient_list"),
    path("patients/new/", views.patient_create, name="patient_create"),
    path("patients/emergency-access/", views.emergency_access, name="emergency_access"),
    path("patients/<int:patient_id>/", views.patient_overview, name="patient_overview"),
    path("patients/<int:patient_id>/edit/", views.patient_edit, name="patient_edit"),
    path("patients/<int:patient_id>/emergency/", views.emergency_notes, name="emergency_notes"),
    path("account/language/", views.interface_language, name="interface_language"),
]
