"""JSON API for instruments and screenings. Patient-scoped views go through the same access check."""

from typing import Any

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import ErrorSerializer
from teams.access import patient_for_request
from teams.api import PatientRecordsView, PatientScopedAPIView
from teams.models import AuditEvent, Patient
from teams.services import audit_record, audit_record_many

from . import selectors, services
from .forms import AlertFilterForm
from .instruments import INSTRUMENTS, Instrument, Source, get_instrument
from .models import Alert, Screening, Timepoint
from .selectors import AlertView


def _source_data(source: Source | None) -> dict[str, str] | None:
    if source is None:
        return None
    return {"citation": source.citation, "population": source.population, "derivation": source.derivation}


def _thresholds_data(instrument: Instrument) -> dict[str, Any] | None:
    thresholds = instrument.thresholds
    if thresholds is None:
        return None
    return {
        "mcid": str(thresholds.mcid),
        "rc": str(thresholds.rc),
        "mcid_source": _source_data(thresholds.mcid_source),
        "rc_source": _source_data(thresholds.rc_source),
        # Where the literature gives the MCID by baseline severity: the earlier score's range decides.
        "mcid_by_baseline": [
            {
                "baseline_low": rule.low,
                "baseline_high": rule.high,
                "mcid": str(rule.mcid),
                "source": _source_data(rule.source),
            }
            for rule in thresholds.mcid_by_baseline
        ],
    }


def instrument_data(instrument: Instrument) -> dict[str, Any]:
    return {
        "code": instrument.code,
        "name": instrument.name,
        "version": instrument.version,
        "domain": instrument.domain,
        "higher_is_better": instrument.higher_is_better,
        "min_total": instrument.min_total,
        "max_total": instrument.max_total,
        "items": [
            {
                "number": item.number,
                "label": item.label,
                "text": item.text,
                "reversed": item.reversed,
                "answers": [
                    {"value": answer.value, "label": answer.label, "score": answer.score}
                    for answer in item.answers
                ],
            }
            for item in instrument.items
        ],
        "subscales": {subscale.name: list(subscale.items) for subscale in instrument.subscales},
        "bands": [{"label": label, "low": low, "high": high} for label, low, high in instrument.band_edges],
        "thresholds": _thresholds_data(instrument),
        # Every cut-off with its source (citation, population), as the instrument page lists them.
        "cutoffs": [
            {"kind": "band", "rule": rule.describe, "source": _source_data(source)}
            for rule, source in instrument.sourced_bands
        ]
        + [
            {"kind": "flag", "rule": rule.describe, "source": _source_data(source)}
            for rule, source in instrument.sourced_flags
        ],
        "clinical_range": (
            {
                "low": instrument.clinical_range.low,
                "high": instrument.clinical_range.high,
                "source": _source_data(instrument.clinical_range.source),
            }
            if instrument.clinical_range
            else None
        ),
        "licence": instrument.licence,
        "citation": instrument.citation,
    }


class InstrumentListView(generics.GenericAPIView):
    @extend_schema(responses=OpenApiTypes.OBJECT, operation_id="instruments_list")
    def get(self, request: Request) -> Response:
        return Response(
            {"count": len(INSTRUMENTS), "results": [instrument_data(i) for i in INSTRUMENTS.values()]}
        )


@extend_schema(responses={200: OpenApiTypes.OBJECT, 404: ErrorSerializer})
class InstrumentDetailView(generics.GenericAPIView):
    def get(self, request: Request, code: str) -> Response:
        try:
            instrument = get_instrument(code)
        except LookupError:
            raise NotFound("No such instrument.") from None
        setting = selectors.instrument_setting(code)
        # The clinic's own cut-off and thresholds, with their source, where it set any.
        clinic = (
            {
                "high_cutoff": setting.high_cutoff,
                "mcid": None if setting.mcid is None else str(setting.mcid),
                "rc": None if setting.rc is None else str(setting.rc),
                "source": setting.source,
            }
            if setting is not None
            else None
        )
        return Response(instrument_data(instrument) | {"clinic_setting": clinic})


class ScreeningSerializer(serializers.ModelSerializer):
    entered_by = serializers.CharField(source="entered_by.get_username", default=None)

    class Meta:
        model = Screening
        fields = [
            "id",
            "instrument",
            "instrument_version",
            "timepoint",
            "source",
            "total",
            "band",
            "subscales",
            "flags",
            "answers",
            "administered_at",
            "entered_by",
            "amends",
            "amendment_reason",
            # A self-completed result: the language the patient answered in and the wording version seen.
            "language",
            "wording_version",
        ]
        read_only_fields = fields


class ScreeningInputSerializer(serializers.Serializer):
    instrument = serializers.CharField(max_length=20)
    timepoint = serializers.ChoiceField(choices=Timepoint.choices)
    answers = serializers.DictField(
        child=serializers.JSONField(),
        allow_empty=True,
        help_text='Answer value per item number, e.g. {"1": 2}',
    )
    missing_confirmed = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        default=list,
        help_text=(
            "Items you confirm are left blank. A total the instrument prorates over blank items is stored "
            "only when every blank item is listed here; otherwise the answer is 400 naming them."
        ),
    )


class AmendmentInputSerializer(serializers.Serializer):
    answers = serializers.DictField(child=serializers.JSONField(), allow_empty=True)
    reason = serializers.CharField(max_length=2000, help_text="Why the result is corrected.")
    missing_confirmed = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        default=list,
        help_text="As for a new result: the blank items a prorated corrected total may be scaled over.",
    )


@extend_schema(request=ScreeningInputSerializer, responses={201: ScreeningSerializer, 400: ErrorSerializer})
class PatientScreeningsView(PatientRecordsView):
    """A patient's screenings, newest first; POST scores and stores one."""

    serializer_class = ScreeningSerializer
    emergency_writes = True  # a screening may be recorded under emergency access

    def get_queryset(self) -> Any:
        return selectors.patient_screenings(patient=self.patient)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        given = ScreeningInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            screening = services.screening_record(
                patient=self.patient,
                instrument_code=given.validated_data["instrument"],
                timepoint=given.validated_data["timepoint"],
                answers=given.validated_data["answers"],
                entered_by=request.user,  # type: ignore[arg-type]
                missing_confirmed=given.validated_data["missing_confirmed"],
            )
        except services.ScreeningInvalid as invalid:
            raise ValidationError(invalid.errors) from None
        return Response(ScreeningSerializer(screening).data, status=status.HTTP_201_CREATED)


def _screening(patient: Patient, screening_id: int) -> Screening:
    screening = selectors.screening_for_patient(patient=patient, screening_id=screening_id)
    if screening is None:
        raise Http404("No screening matches the given query.")
    return screening


class ScreeningDetailView(PatientScopedAPIView):
    @extend_schema(responses={200: ScreeningSerializer, 404: ErrorSerializer})
    def get(self, request: Request, patient_id: int, screening_id: int) -> Response:
        screening = _screening(self.patient, screening_id)
        audit_record(
            actor=request.user, action=AuditEvent.Action.VIEW, patient=self.patient, obj=self.patient
        )
        return Response(ScreeningSerializer(screening).data)


class ScreeningAmendView(PatientScopedAPIView):
    """Correct a result: a new, amending result with the reason; the original is kept."""

    @extend_schema(
        request=AmendmentInputSerializer,
        responses={201: ScreeningSerializer, 400: ErrorSerializer, 404: ErrorSerializer},
    )
    def post(self, request: Request, patient_id: int, screening_id: int) -> Response:
        screening = _screening(self.patient, screening_id)
        given = AmendmentInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            amended = services.screening_amend(
                original=screening,
                answers=given.validated_data["answers"],
                reason=given.validated_data["reason"],
                entered_by=request.user,  # type: ignore[arg-type]
                missing_confirmed=given.validated_data["missing_confirmed"],
            )
        except services.ScreeningInvalid as invalid:
            raise ValidationError(invalid.errors) from None
        return Response(ScreeningSerializer(amended).data, status=status.HTTP_201_CREATED)


class AlertSerializer(serializers.ModelSerializer):
    patient_id = serializers.IntegerField(read_only=True)
    acknowledged_by = serializers.CharField(source="acknowledged_by.get_username", default=None)
    closed_by = serializers.CharField(source="closed_by.get_username", default=None)

    class Meta:
        model = Alert
        fields = ["id", "patient_id", "kind", "status", "reason", "screening", "opened_at"]
        fields += ["acknowledged_by", "acknowledged_at", "action_taken", "closed_by", "closed_at"]
        read_only_fields = fields


ALERT_FILTERS = [
    OpenApiParameter(
        "view",
        enum=[value for value, _ in AlertView.CHOICES],
        description="open (the default: not yet closed), closed, or all",
    ),
    OpenApiParameter(
        "mine", bool, description="Only your own patients' alerts and those you acknowledged or closed"
    ),
    OpenApiParameter("team", int, description="One of your teams"),
    OpenApiParameter("instrument", str, description="The instrument whose result raised the alert"),
    OpenApiParameter("kind", enum=Alert.Kind.values),
    OpenApiParameter("raised_from", OpenApiTypes.DATE, description="Raised on or after this day"),
    OpenApiParameter("raised_to", OpenApiTypes.DATE, description="Raised on or before this day"),
    OpenApiParameter("patient", int, description="One patient's alerts: their history"),
]


class AlertListView(generics.ListAPIView):
    """Alerts of the patients in the user's teams: by default the unresolved ones, urgent first; with
    ``view=closed`` or ``view=all`` each with who acknowledged it, the action taken and who closed it.
    The review queue's filters."""

    serializer_class = AlertSerializer

    @extend_schema(
        parameters=ALERT_FILTERS, responses={200: AlertSerializer(many=True), 400: ErrorSerializer}
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        form = AlertFilterForm(self.request.query_params or None, user=self.request.user)  # type: ignore[arg-type]
        if form.is_bound and not form.is_valid():
            raise ValidationError(
                {field: [str(m) for m in messages] for field, messages in form.errors.items()}
            )
        return selectors.alerts_filtered(user=self.request.user, filters=form.filters())  # type: ignore[arg-type]

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().list(request, *args, **kwargs)
        audit_record_many(
            actor=request.user,
            action=AuditEvent.Action.VIEW,
            patient_ids=[row["patient_id"] for row in response.data["results"]],
            object_type="alert list",
        )
        return response


class AlertAcknowledgeInputSerializer(serializers.Serializer):
    acknowledge_all = serializers.BooleanField(
        default=False, help_text="Also acknowledge the alerts listed in group (the clinician chose to)"
    )
    group = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        default=list,
        max_length=500,
        help_text="Ids of the same patient's alerts shown with this one; others are left as they are",
    )


class AlertAcknowledgeView(APIView):
    """Acknowledge an alert: someone has seen it and is acting. With ``acknowledge_all``, the same
    patient's open alerts listed in ``group`` too, each audited on its own. Answers with the alert named
    in the path; the others read back through the alert list."""

    @extend_schema(
        request=AlertAcknowledgeInputSerializer,
        responses={200: AlertSerializer, 400: ErrorSerializer, 404: ErrorSerializer},
    )
    def post(self, request: Request, alert_id: int) -> Response:
        alert = selectors.alert_patient_ref(alert_id=alert_id)
        if alert is None:
            raise Http404("No alert matches the given query.")
        # The one patient check: an alert of a patient outside the user's teams is a 404, audited.
        patient = patient_for_request(request._request, alert.patient_id)
        given = AlertAcknowledgeInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        if given.validated_data["acknowledge_all"]:
            services.alerts_acknowledge(
                patient=patient,
                alert_ids={alert.pk, *given.validated_data["group"]},
                user=request.user,  # type: ignore[arg-type]
            )
        alert = services.alert_acknowledge(alert=alert, user=request.user)  # type: ignore[arg-type]
        return Response(AlertSerializer(alert).data)
