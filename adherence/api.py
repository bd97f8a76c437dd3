"""JSON API for adherence: a patient's metrics week by week, and a team's headline numbers."""

from typing import Any, cast

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import ErrorSerializer
from teams.api import PatientScopedAPIView
from teams.models import AuditEvent, Patient, User
from teams.services import audit_record

from . import dashboard, rollups
from .metrics import Rate
from .selectors import patient_weeks, team_alone, team_led


def rate_data(rate: Rate) -> dict[str, Any]:
    """A rate as numbers: value is null when there was nothing to count."""
    value = rate.value
    return {
        "numerator": float(rate.numerator),
        "denominator": float(rate.denominator),
        "value": None if value is None else round(float(value), 4),
    }


class PatientAdherenceView(PatientScopedAPIView):
    """The patient's exercise completion, attendance and check-in response per week (12 weeks, oldest
    first), beside weekly mean mood, pain and sleep and the week's PHQ-9."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT, 404: ErrorSerializer})
    def get(self, request: Request, patient_id: int) -> Response:
        patient = self.patient
        weeks = patient_weeks(patient=patient)
        audit_record(actor=request.user, action=AuditEvent.Action.VIEW, patient=patient, obj=patient)
        return Response(
            {
                "patient_id": patient.pk,
                "weeks": [
                    {
                        "week_starting": week.starts,
                        "exercise_completion": rate_data(week.exercise),
                        "attendance": rate_data(week.attendance),
                        "checkin_response": rate_data(week.response),
                        "mood": week.mood,
                        "pain": week.pain,
                        "sleep_quality": week.sleep,
                        "phq9": week.phq9,
                    }
                    for week in weeks
                ],
            }
        )


class TeamAdherenceView(APIView):
    """A team's headline numbers over the last 12 weeks, as on the dashboard: for its leads and admins."""

    @extend_schema(
        parameters=[OpenApiParameter("status", str, enum=["active", "discharged"])],
        responses={200: OpenApiTypes.OBJECT, 404: ErrorSerializer},
    )
    def get(self, request: Request, team_id: int) -> Response:
        team = team_led(user=cast(User, request.user), team_id=team_id)
        if team is None:
            raise Http404("No team matches the given query.")
        status = request.query_params.get("status", "")
        teams = team_alone(team=team)
        filters = dashboard.DashboardFilters({"team": team.pk, "status": status}, teams=teams)
        window, patients = dashboard.window_and_patients(dashboard.overseen_patients(teams), filters)
        valid_status = status if status in Patient.Status.values else ""
        numbers = dashboard.headline(rollups.Scope([team.pk], status=valid_status), window)
        audit_record(actor=request.user, action=AuditEvent.Action.VIEW, object_type="team adherence")
        return Response(
            {
                "team": team.name,
                "start": window.start,
                "end": window.end,
                "patients": patients.count(),
                **{name: rate_data(rate) for name, rate in numbers.items()},
            }
        )
