"""JSON API for adherence: a patient's metrics week by week, and a team's headline numbers."""

from typing import Any, cast

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import ErrorSerializer
from teams.api import PatientScopedAPIView
from teams.models import AuditEvent, Patient, User
from teams.services import audit_record

from . import dashboard, rollups
from .metrics import Rate
from .models import Session, SessionClinician
from .selectors import patient_sessions_with_clinicians, patient_weeks, team_alone, team_led


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


# --- sessions (issue 20) ---------------------------------------------------------------------------


class CreditSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(source="clinician_id", read_only=True)
    name = serializers.SerializerMethodField()

    class Meta:
        model = SessionClinician
        fields = ["id", "name", "discipline"]
        read_only_fields = fields

    def get_name(self, credit: SessionClinician) -> str:
        return str(credit.clinician)


class SessionSerializer(serializers.ModelSerializer):
    lead = serializers.IntegerField(
        source="clinician_id", read_only=True, help_text=_("The lead clinician's id.")
    )
    clinicians = serializers.SerializerMethodField(help_text=_("Everyone credited with the session."))
    joint = serializers.SerializerMethodField(help_text=_("Two or more clinicians credited."))
    series = serializers.IntegerField(source="series_id", read_only=True, allow_null=True)

    class Meta:
        model = Session
        fields = ["id", "starts_at", "status", "modality", "video_link", "lead", "clinicians", "joint"]
        fields += ["series"]
        read_only_fields = fields

    @extend_schema_field(CreditSerializer(many=True))
    def get_clinicians(self, session: Session) -> list[dict[str, Any]]:
        return CreditSerializer(getattr(session, "credited", []), many=True).data  # type: ignore[return-value]

    def get_joint(self, session: Session) -> bool:
        return len(getattr(session, "credited", [])) > 1


class PatientSessionsView(PatientScopedAPIView, generics.ListAPIView):
    """A patient's sessions, latest first: how each is held (modality, video link), who is credited with
    it (with discipline; joint when two or more), and the series it was booked in."""

    serializer_class = SessionSerializer

    def get_queryset(self) -> Any:
        return patient_sessions_with_clinicians(patient=self.patient)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        audit_record(
            actor=request.user, action=AuditEvent.Action.VIEW, patient=self.patient, obj=self.patient
        )
        return super().list(request, *args, **kwargs)


class TeamSessionKindsView(APIView):
    """A team's attendance and exercise completion by session modality and by joint vs single, over the
    last 12 weeks, as on the dashboard: for its leads and admins."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT, 404: ErrorSerializer})
    def get(self, request: Request, team_id: int) -> Response:
        team = team_led(user=cast(User, request.user), team_id=team_id)
        if team is None:
            raise Http404("No team matches the given query.")
        teams = team_alone(team=team)
        filters = dashboard.DashboardFilters({"team": team.pk}, teams=teams)
        window, patients = dashboard.window_and_patients(dashboard.overseen_patients(teams), filters)
        tables = dashboard.session_breakdown(patients, window)
        audit_record(actor=request.user, action=AuditEvent.Action.VIEW, object_type="team session kinds")

        def rows(name: str) -> list[dict[str, Any]]:
            return [
                {
                    name: row["key"],
                    "patients": row["figures"].patients,
                    "attendance": rate_data(row["figures"].attendance),
                    "exercise_completion": rate_data(row["figures"].exercise),
                }
                for row in tables[name]
            ]

        return Response(
            {
                "team": team.name,
                "start": window.start,
                "end": window.end,
                "by_modality": rows("modality"),
                "by_joint": rows("joint"),
            }
        )
