"""JSON API for instruments and screenings. Patient-scoped views go through the same access check."""

from typing import Any

from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from teams.access import patient_for_request
from teams.models import AuditEvent
from teams.services import audit_record

from . import services
from .instruments import INSTRUMENTS, Instrument, get_instrument
from .models import Screening, Timepoint


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
        "thresholds": (
            {"mcid": str(instrument.thresholds.mcid), "rc": str(instrument.thresholds.rc)}
            if instrument.thresholds
            else None
        ),
        "licence": instrument.licence,
        "citation": instrument.citation,
    }


class InstrumentListView(generics.GenericAPIView):
    def get(self, request: Request) -> Response:
        return Response(
            {"count": len(INSTRUMENTS), "results": [instrument_data(i) for i in INSTRUMENTS.values()]}
        )


class InstrumentDetailView(generics.GenericAPIView):
    def get(self, request: Request, code: str) -> Response:
        try:
            return Response(instrument_data(get_instrument(code)))
        except LookupError:
            raise NotFound("No such instrument.") from None


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
        ]
        read_only_fields = fields


class ScreeningInputSerializer(serializers.Serializer):
    instrument = serializers.CharField(max_length=20)
    timepoint = serializers.ChoiceField(choices=Timepoint.choices)
    answers = serializers.DictField(child=serializers.JSONField(), allow_empty=True)


class PatientScreeningsView(generics.ListCreateAPIView):
    """A patient's screenings, newest first; POST scores and stores one."""

    patient_scoped = True  # read by the URL-wide access test
    serializer_class = ScreeningSerializer

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        self.patient = patient_for_request(request._request, kwargs["patient_id"])

    def get_queryset(self) -> Any:
        return (
            Screening.objects.filter(patient=self.patient)
            .select_related("entered_by")
            .order_by("-administered_at", "-id")
        )

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        audit_record(
            request=request._request, action=AuditEvent.Action.VIEW, patient=self.patient, obj=self.patient
        )
        return super().list(request, *args, **kwargs)

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
                request=request._request,
            )
        except services.ScreeningInvalid as invalid:
            raise ValidationError(invalid.errors) from None
        return Response(ScreeningSerializer(screening).data, status=status.HTTP_201_CREATED)
