"""JSON API for staff and patients: token sign-in and the patient list."""

from typing import Any, cast

from django.contrib.auth import authenticate
from knox.models import AuthToken
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from .models import AuditEvent, Patient, User
from .selectors import patient_list
from .services import audit_record


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, trim_whitespace=False)


class TokenCreateView(APIView):
    """``POST {"username", "password"}`` → ``{"token", "expiry"}``. Failed attempts count towards lockout."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle]

    def post(self, request: Request) -> Response:
        given = TokenRequestSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        user = authenticate(
            request._request,
            username=given.validated_data["username"],
            password=given.validated_data["password"],
        )
        if user is None or not user.is_active:
            return Response(
                {"detail": "Unable to sign in with those credentials."}, status=status.HTTP_400_BAD_REQUEST
            )
        token_row, token = AuthToken.objects.create(user)
        audit_record(
            request=request._request, actor=user, action=AuditEvent.Action.LOGIN, object_type="api token"
        )
        return Response({"token": token, "expiry": token_row.expiry}, status=status.HTTP_200_OK)


class PatientSerializer(serializers.ModelSerializer):
    team = serializers.CharField(source="team.name")
    primary_clinician = serializers.CharField(source="primary_clinician.get_username")

    class Meta:
        model = Patient
        fields = [
            "id",
            "mrn",
            "given_name",
            "family_name",
            "date_of_birth",
            "status",
            "team",
            "primary_clinician",
            "language",
            "reminder_channel",
            "consent_to_reminders",
        ]


class PatientListView(generics.ListAPIView):
    """The patients the user may see; ``?q=`` searches name or MRN, ``?status=`` filters."""

    serializer_class = PatientSerializer

    def get_queryset(self) -> Any:
        params = self.request.query_params
        return patient_list(
            user=cast(User, self.request.user), q=params.get("q", ""), status=params.get("status", "")
        )

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        audit_record(request=request._request, action=AuditEvent.Action.VIEW, object_type="patient list")
        return super().list(request, *args, **kwargs)
