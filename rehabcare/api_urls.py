"""The JSON API, version 1, under /api/v1/."""

from django.urls import path

from screening import api as screening_api
from teams import api as teams_api

urlpatterns = [
    path("auth/token/", teams_api.TokenCreateView.as_view(), name="api_token"),
    path("patients/", teams_api.PatientListView.as_view(), name="api_patient_list"),
    path("instruments/", screening_api.InstrumentListView.as_view(), name="api_instrument_list"),
    path(
        "instruments/<str:code>/",
        screening_api.InstrumentDetailView.as_view(),
        name="api_instrument_detail",
    ),
    path(
        "patients/<int:patient_id>/screenings/",
        screening_api.PatientScreeningsView.as_view(),
        name="api_patient_screenings",
    ),
]
