"""JSON API for staff and patients: tokens, and the patient registry (list, create, read, update)."""

from typing import Any, cast

from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError as DjangoValidationError
from django.forms.models import model_to_dict
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from knox import views as knox_views
from knox.models import AuthToken
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import AddressRateThrottle, ErrorSerializer
from core.authentication import TokenAuthentication

from . import services
from .access import patient_for_request
from .forms import PatientForm
from .models import AuditEvent, Language, Patient, User
from .selectors import patient_list, team_available
from .services import audit_record, audit_record_many
from .two_factor import WRONG_CODE, code_matches, has_device, must_use_two_factor


class PatientScopedAPIView(APIView):
    """An API view of one patient: the one access check runs before anything else, whatever the method
    (outside the patient's teams: 404, audited), and the view reads ``self.patient``."""

    patient_scoped = True  # read by the URL-wide access test
    # Whether emergency access may make this view's changes (see teams.access).
    emergency_writes = False

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        self.patient = patient_for_request(
            request._request, kwargs["patient_id"], emergency_writes=self.emergency_writes
        )


class PatientRecordsView(PatientScopedAPIView, generics.ListCreateAPIView):
    """One patient's records of a kind (screenings, check-ins): GET lists them, a view of the patient in
    the audit trail; POST adds one (each view writes ``create``)."""

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        audit_record(
            actor=request.user, action=AuditEvent.Action.VIEW, patient=self.patient, obj=self.patient
        )
        return super().list(request, *args, **kwargs)


def form_errors(form) -> dict[str, list[str]]:
    """A Django form's messages in the API's error shape."""
    return {field: [str(message) for message in messages] for field, messages in form.errors.items()}


def django_errors(error: DjangoValidationError) -> dict[str, Any]:
    if hasattr(error, "error_dict"):
        return {field: [str(m) for m in messages] for field, messages in error.message_dict.items()}
    return {"non_field_errors": [str(m) for m in error.messages]}


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, trim_whitespace=False)
    code = serializers.CharField(
        max_length=16,
        required=False,
        allow_blank=True,
        help_text=_("The second factor, for whoever must use it: the app's code or a backup code."),
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()
    expiry = serializers.DateTimeField()


def _second_factor_refused(request: Request, user: User, code: str) -> str:
    """Why the second factor does not let ``user`` in ("" when it does), as on the sign-in pages."""
    if not has_device(user):
        return "Set up two-factor sign-in on the web first (sign in at /login/), then ask for a token."
    return "" if code_matches(request._request, user, code) is not None else str(WRONG_CODE)


@extend_schema(
    request=TokenRequestSerializer, responses={200: TokenSerializer, 400: ErrorSerializer}, auth=[]
)
class TokenCreateView(APIView):
    """``POST {"username", "password", "code"}`` → ``{"token", "expiry"}``. Failed attempts count towards
    lockout. ``code`` is the second factor, asked of whoever must use it on the web."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [AddressRateThrottle]

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
                {"detail": "Unable to sign in with those credentials.", "errors": {}},
                status=status.HTTP_400_BAD_REQUEST,
            )
        if must_use_two_factor(user):
            refused = _second_factor_refused(request, user, given.validated_data.get("code", ""))
            if refused:
                return Response(
                    {"detail": "Two-factor sign-in is required.", "errors": {"code": [refused]}},
                    status=status.HTTP_400_BAD_REQUEST,
                )
        token_row, token = AuthToken.objects.create(user)
        audit_record(actor=user, action=AuditEvent.Action.LOGIN, object_type="api token")
        return Response({"token": token, "expiry": token_row.expiry}, status=status.HTTP_200_OK)


@extend_schema(request=None, responses={204: None, 401: ErrorSerializer})
class TokenRevokeView(knox_views.LogoutView):
    """Revoke the token this request is signed with."""

    authentication_classes = [TokenAuthentication]


@extend_schema(request=None, responses={204: None, 401: ErrorSerializer})
class TokensRevokeAllView(knox_views.LogoutAllView):
    """Revoke every token of the signed-in user (e.g. after losing a device)."""

    authentication_classes = [TokenAuthentication]


class PatientSerializer(serializers.ModelSerializer):
    team = serializers.CharField(source="team.name", read_only=True)
    team_id = serializers.IntegerField(read_only=True)
    primary_clinician = serializers.CharField(source="primary_clinician.get_username", read_only=True)
    # Plain strings: either may be empty ("" is not an email address to a JSON schema).
    email = serializers.CharField(read_only=True, help_text=_("Contact email, or empty"))
    mobile = serializers.CharField(read_only=True, help_text=_("Mobile in E.164, or empty"))

    class Meta:
        model = Patient
        fields = [
            "id",
            "mrn",
            "given_name",
            "family_name",
            "date_of_birth",
            "email",
            "mobile",
            "status",
            "team",
            "team_id",
            "primary_clinician",
            "language",
            "reminder_channel",
            "consent_to_reminders",
            "reminder_consent_given_on",
            "reminder_consent_note",
        ]
        read_only_fields = fields


class PatientInputSerializer(serializers.Serializer):
    """What a client sends to register or update a patient; checked by the same rules as the form."""

    mrn = serializers.CharField(max_length=32)
    given_name = serializers.CharField(max_length=100)
    family_name = serializers.CharField(max_length=100)
    date_of_birth = serializers.DateField()
    email = serializers.EmailField(required=False, allow_blank=True)
    mobile = serializers.CharField(required=False, allow_blank=True)
    reminder_channel = serializers.ChoiceField(choices=Patient.Channel.choices, required=False)
    language = serializers.ChoiceField(choices=Language.choices, required=False)
    consent_to_reminders = serializers.BooleanField(required=False)
    reminder_consent_given_on = serializers.DateField(
        required=False, allow_null=True, help_text=_("The day the patient agreed; required with consent")
    )
    reminder_consent_note = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text=_("How they agreed")
    )
    status = serializers.ChoiceField(choices=Patient.Status.choices, required=False)
    team = serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text=_("Team id"))
    primary_clinician = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, help_text=_("User id of a member of the team")
    )


DEFAULTS = {
    "reminder_channel": Patient.Channel.EMAIL,
    "language": Language.ENGLISH,
    "status": Patient.Status.ACTIVE,
}


def _patient_form(request: Request, instance: Patient | None = None) -> PatientForm:
    """Types first (the serializer), then the same rules as the page (the form)."""
    given = PatientInputSerializer(data=request.data, partial=instance is not None)
    given.is_valid(raise_exception=True)
    if instance is None:
        data = DEFAULTS | dict(given.validated_data)
    else:
        data = model_to_dict(instance, fields=list(PatientForm.Meta.fields)) | dict(given.validated_data)
    form = PatientForm(data=data, instance=instance, user=cast(User, request.user))
    if not form.is_valid():
        raise ValidationError(form_errors(form))
    return form


@extend_schema(
    parameters=[
        OpenApiParameter("q", str, description="Name or MRN starts with"),
        OpenApiParameter("team", int, description="Team id"),
        OpenApiParameter("status", str, enum=list(Patient.Status.values)),
        OpenApiParameter("mrn", str, description="Exact MRN (any case)"),
    ]
)
class PatientListView(generics.ListCreateAPIView):
    """The patients the user may see, filtered; POST registers one (same rules as the form)."""

    serializer_class = PatientSerializer

    def get_queryset(self) -> Any:
        params = self.request.query_params
        team = None
        if params.get("team"):
            team = team_available(user=cast(User, self.request.user), team_id=_int(params["team"], "team"))
            if team is None:
                return Patient.objects.none()
        return patient_list(
            user=cast(User, self.request.user),
            q=params.get("q", ""),
            status=params.get("status", ""),
            team=team,
            mrn=params.get("mrn", ""),
        )

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().list(request, *args, **kwargs)
        audit_record_many(
            actor=request.user,
            action=AuditEvent.Action.VIEW,
            patient_ids=[row["id"] for row in response.data["results"]],
            object_type="patient list",
        )
        return response

    @extend_schema(request=PatientInputSerializer, responses={201: PatientSerializer, 400: ErrorSerializer})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        form = _patient_form(request)
        try:
            patient = services.patient_create(user=cast(User, request.user), data=form.cleaned_data)
        except DjangoValidationError as error:
            raise ValidationError(django_errors(error)) from None
        return Response(PatientSerializer(patient).data, status=status.HTTP_201_CREATED)


def _int(value: str, name: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise ValidationError({name: ["Give a whole number."]}) from None
    if not 1 <= number <= 2**31 - 1:
        raise ValidationError({name: ["No such id."]})
    return number


class PatientDetailView(PatientScopedAPIView):
    """One patient: GET reads, PATCH changes the fields given (same rules as the form)."""

    @extend_schema(responses={200: PatientSerializer, 404: ErrorSerializer})
    def get(self, request: Request, patient_id: int) -> Response:
        patient = self.patient
        audit_record(actor=request.user, action=AuditEvent.Action.VIEW, patient=patient, obj=patient)
        return Response(PatientSerializer(patient).data)

    @extend_schema(
        request=PatientInputSerializer(partial=True),
        responses={200: PatientSerializer, 400: ErrorSerializer, 404: ErrorSerializer},
    )
    def patch(self, request: Request, patient_id: int) -> Response:
        patient = self.patient
        form = _patient_form(request, instance=patient)
        try:
            patient = services.patient_update(
                user=cast(User, request.user), patient=patient, data=form.cleaned_data
            )
        except DjangoValidationError as error:
            raise ValidationError(django_errors(error)) from None
        return Response(PatientSerializer(patient).data)
