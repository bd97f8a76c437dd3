"""The JSON API, version 1, under /api/v1/. Every patient-scoped route takes ``<int:patient_id>``."""

from django.urls import path

from adherence import api as adherence_api
from careplans import api as careplans_api
from checkins import api as checkins_api
from routing import api as routing_api
from screening import api as screening_api
from teams import api as teams_api

urlpatterns = [
    path("auth/token/", teams_api.TokenCreateView.as_view(), name="api_token"),
    path("auth/logout/", teams_api.TokenRevokeView.as_view(), name="api_logout"),
    path("auth/logout-all/", teams_api.TokensRevokeAllView.as_view(), name="api_logout_all"),
    path("patients/", teams_api.PatientListView.as_view(), name="api_patient_list"),
    path("patients/<int:patient_id>/", teams_api.PatientDetailView.as_view(), name="api_patient_detail"),
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
    path(
        "patients/<int:patient_id>/screenings/<int:screening_id>/",
        screening_api.ScreeningDetailView.as_view(),
        name="api_screening_detail",
    ),
    path(
        "patients/<int:patient_id>/screenings/<int:screening_id>/amend/",
        screening_api.ScreeningAmendView.as_view(),
        name="api_screening_amend",
    ),
    path("alerts/", screening_api.AlertListView.as_view(), name="api_alert_list"),
    path(
        "alerts/<int:alert_id>/acknowledge/",
        screening_api.AlertAcknowledgeView.as_view(),
        name="api_alert_acknowledge",
    ),
    path(
        "patients/<int:patient_id>/checkins/",
        checkins_api.PatientCheckInsView.as_view(),
        name="api_patient_checkins",
    ),
    path(
        "patients/<int:patient_id>/care-plan/",
        careplans_api.ActiveCarePlanView.as_view(),
        name="api_patient_care_plan",
    ),
    path(
        "patients/<int:patient_id>/care-plans/<int:plan_id>/",
        careplans_api.VersionedPartView.as_view(),
        name="api_care_plan_details",
    ),
    path(
        "patients/<int:patient_id>/care-plans/<int:plan_id>/support/",
        careplans_api.PlanSupportView.as_view(),
        name="api_care_plan_support",
    ),
    path(
        "patients/<int:patient_id>/care-plans/<int:plan_id>/parts/<str:part>/<int:part_id>/",
        careplans_api.VersionedPartView.as_view(),
        name="api_care_plan_part",
    ),
    path(
        "patients/<int:patient_id>/adherence/",
        adherence_api.PatientAdherenceView.as_view(),
        name="api_patient_adherence",
    ),
    path(
        "teams/<int:team_id>/adherence/", adherence_api.TeamAdherenceView.as_view(), name="api_team_adherence"
    ),
    path(
        "patients/<int:patient_id>/sessions/",
        adherence_api.PatientSessionsView.as_view(),
        name="api_patient_sessions",
    ),
    path(
        "teams/<int:team_id>/adherence/sessions/",
        adherence_api.TeamSessionKindsView.as_view(),
        name="api_team_session_kinds",
    ),
    path("reviews/", routing_api.ReviewListView.as_view(), name="api_review_list"),
    path(
        "patients/<int:patient_id>/reviews/",
        routing_api.PatientReviewsView.as_view(),
        name="api_patient_reviews",
    ),
    path(
        "patients/<int:patient_id>/reviews/<int:review_id>/",
        routing_api.ReviewDetailView.as_view(),
        name="api_review_detail",
    ),
]
