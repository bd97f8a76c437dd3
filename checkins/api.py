"""JSON API for check-ins: a patient's check-ins, and a new one sent by a patient app for the patient."""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import ErrorSerializer
from teams.api import PatientRecordsView, django_errors
from teams.models import User

from . import selectors, services
from .models import CheckIn, ExerciseLog


class CheckInSerializer(serializers.ModelSerializer):
    exercises = serializers.SerializerMethodField()

    class Meta:
        model = CheckIn
        fields = ["id", "submitted_at", "mood", "pain", "sleep_quality", "sleep_hours", "stressors", "alert"]
        fields += ["exercises"]
        read_only_fields = fields

    def get_exercises(self, checkin: CheckIn) -> dict[str, str]:
        return {str(log.exercise_id): log.done for log in checkin.exercise_logs.all()}


class CheckInInputSerializer(serializers.Serializer):
    mood = serializers.IntegerField(min_value=0, max_value=10, help_text="0 very low – 10 very good")
    pain = serializers.IntegerField(min_value=0, max_value=10, help_text="0 no pain – 10 worst")
    sleep_quality = serializers.IntegerField(min_value=0, max_value=10)
    sleep_hours = serializers.DecimalField(max_digits=3, decimal_places=1, min_value=0, max_value=24)
    stressors = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    exercises = serializers.DictField(
        child=serializers.ChoiceField(choices=ExerciseLog.Done.choices),
        required=False,
        help_text="Home exercise done today, by exercise id of the active plan",
    )


@extend_schema(request=CheckInInputSerializer, responses={201: CheckInSerializer, 400: ErrorSerializer})
class PatientCheckInsView(PatientRecordsView):
    """A patient's check-ins, newest first; POST stores one for the patient (e.g. from a patient app)."""

    serializer_class = CheckInSerializer

    def get_queryset(self) -> Any:
        return selectors.patient_checkins(patient=self.patient)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        given = CheckInInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        exercises = data.pop("exercises", {})
        try:
            ids = {int(key): done for key, done in exercises.items()}
        except ValueError:
            raise ValidationError({"exercises": ["Key each exercise by its id."]}) from None
        unknown = sorted(set(ids) - selectors.active_exercise_ids(patient=self.patient))
        if unknown:
            raise ValidationError(
                {"exercises": [f"Exercise {pk} is not in the patient's active plan." for pk in unknown]}
            )
        try:
            checkin = services.checkin_record(
                patient=self.patient,
                answers=data,
                exercises=ids,
                actor=request.user if isinstance(request.user, User) else None,
            )
        except DjangoValidationError as error:
            raise ValidationError(django_errors(error)) from None
        return Response(CheckInSerializer(checkin).data, status=status.HTTP_201_CREATED)
