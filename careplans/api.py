"""JSON API for care plans: a patient's active plan, with goals, milestones, responsibilities, exercises."""

from typing import Any

from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import ErrorSerializer
from teams.api import PatientScopedAPIView
from teams.models import AuditEvent
from teams.services import audit_record

from .models import CarePlan, Exercise, Goal, Milestone, Responsibility
from .selectors import plan_whole


class MilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = ["id", "goal", "description", "target", "due_date", "achieved_on", "version"]


class GoalSerializer(serializers.ModelSerializer):
    class Meta:
        model = Goal
        fields = [
            "id",
            "patient_words",
            "value",
            "measure",
            "baseline",
            "target_value",
            "target_date",
            "version",
        ]


class ResponsibilitySerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.get_username")

    class Meta:
        model = Responsibility
        fields = ["id", "goal", "intervention", "details", "owner", "discipline", "frequency", "starts_on"]
        fields += ["ends_on", "status", "version"]


class ExerciseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Exercise
        fields = ["id", "goal", "name", "sets", "reps", "hold_seconds", "sessions_per_week", "rest_days"]
        fields += ["phase", "progression_rule", "lighter_alternative", "version"]


class CarePlanSerializer(serializers.ModelSerializer):
    goals = GoalSerializer(many=True)
    milestones = serializers.SerializerMethodField()
    responsibilities = ResponsibilitySerializer(many=True)
    exercises = ExerciseSerializer(many=True)

    class Meta:
        model = CarePlan
        fields = ["id", "status", "start_date", "review_date", "risk_stratum", "summary_physical"]
        fields += ["summary_psychological", "summary_social", "version", "goals", "milestones"]
        fields += ["responsibilities", "exercises"]

    @extend_schema_field(MilestoneSerializer(many=True))
    def get_milestones(self, plan: CarePlan) -> Any:
        return MilestoneSerializer(
            [m for goal in plan.goals.all() for m in goal.milestones.all()], many=True
        ).data


class ActiveCarePlanView(PatientScopedAPIView):
    """The patient's current care plan, whole: the active one, else the newest (a draft, or the last
    completed); 404 when the patient has none."""

    @extend_schema(responses={200: CarePlanSerializer, 404: ErrorSerializer})
    def get(self, request: Request, patient_id: int) -> Response:
        patient = self.patient
        plan = plan_whole(patient=patient)
        if plan is None:
            raise Http404("This patient has no care plan.")
        audit_record(actor=request.user, action=AuditEvent.Action.VIEW, patient=patient, obj=patient)
        return Response(CarePlanSerializer(plan).data)
