"""JSON API for psychosocial reviews (read): a patient's reviews, one review, and the reviews of every
patient the user may see, narrowed as the review queue is. Writes stay on the pages (and their
services) for now."""

from typing import Any

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import ErrorSerializer
from teams.api import PatientScopedAPIView
from teams.models import AuditEvent, Team
from teams.services import audit_record, audit_record_many

from . import selectors
from .models import Review


class ReviewSerializer(serializers.ModelSerializer):
    patient_id = serializers.IntegerField(read_only=True)
    instrument = serializers.CharField(source="screening.instrument", help_text=_("The result's instrument"))
    result = serializers.IntegerField(source="screening_id", help_text=_("The screening result that flagged"))
    rule = serializers.CharField(source="rule.name", help_text=_("The routing rule that opened the review"))
    owner = serializers.CharField(source="owner.get_username")
    note = serializers.CharField(source="resolution_note", help_text=_("Why it was resolved so"))
    resolved_by = serializers.CharField(source="resolved_by.get_username", default=None)
    responsibilities: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text=_("The plan's responsibilities the resolution added or changed")
    )
    milestones: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text=_("The plan's milestones the resolution added or changed")
    )
    overdue = serializers.SerializerMethodField(help_text=_("Unresolved after its due day"))

    class Meta:
        model = Review
        fields = ["id", "patient_id", "reason", "instrument", "result", "rule", "discipline", "owner"]
        fields += ["opened_at", "due_on", "state", "started_at", "resolution", "note", "resolved_by"]
        fields += ["resolved_at", "improved_at", "responsibilities", "milestones", "overdue", "version"]
        # Why the owner was kept without a competency the rule's interventions need (``training.gate``).
        fields += ["competence_override_reason"]
        read_only_fields = fields

    def get_overdue(self, review: Review) -> bool:
        today = self.context.get("today") or timezone.localdate()
        return review.state != Review.State.RESOLVED and review.due_on < today


class PatientReviewsView(PatientScopedAPIView, generics.ListAPIView):
    """A patient's psychosocial reviews, newest first, each with its owner, due day, state, resolution
    and the plan parts it changed."""

    serializer_class = ReviewSerializer

    def get_queryset(self) -> Any:
        return selectors.patient_reviews(patient=self.patient)

    def get_serializer_context(self) -> dict[str, Any]:
        return super().get_serializer_context() | {"today": timezone.localdate()}

    @extend_schema(responses={200: ReviewSerializer(many=True), 404: ErrorSerializer})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        audit_record(
            actor=request.user, action=AuditEvent.Action.VIEW, patient=self.patient, obj=self.patient
        )
        return super().get(request, *args, **kwargs)


class ReviewDetailView(PatientScopedAPIView):
    @extend_schema(responses={200: ReviewSerializer, 404: ErrorSerializer})
    def get(self, request: Request, patient_id: int, review_id: int) -> Response:
        review = selectors.patient_review(patient=self.patient, review_id=review_id)
        if review is None:
            raise Http404("No review matches the given query.")
        audit_record(
            actor=request.user, action=AuditEvent.Action.VIEW, patient=self.patient, obj=self.patient
        )
        return Response(ReviewSerializer(review, context={"today": timezone.localdate()}).data)


STATES = ["unresolved", *Review.State.values, "all"]
REVIEW_FILTERS = [
    OpenApiParameter("mine", bool, description="Only the reviews you own"),
    OpenApiParameter("team", int, description="One team's patients"),
    OpenApiParameter(
        "state", enum=STATES, description="unresolved (the default: open or in progress), one state, or all"
    ),
    OpenApiParameter("overdue", bool, description="Only unresolved reviews past their due day"),
]


class ReviewFilterSerializer(serializers.Serializer):
    mine = serializers.BooleanField(required=False, default=False)
    team = serializers.IntegerField(required=False, min_value=1)
    state = serializers.ChoiceField(choices=STATES, required=False, default="unresolved")
    overdue = serializers.BooleanField(required=False, default=False)

    def validate_team(self, value: int) -> Team:
        team = Team.objects.filter(pk=value).first()
        if team is None:
            raise ValidationError(_("No such team."))
        return team


class ReviewListView(generics.ListAPIView):
    """The reviews of every patient you may see (your teams'), still to do soonest due first, resolved
    ones most recently resolved first; narrowed as the review queue is."""

    serializer_class = ReviewSerializer

    @extend_schema(
        parameters=REVIEW_FILTERS, responses={200: ReviewSerializer(many=True), 400: ErrorSerializer}
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_serializer_context(self) -> dict[str, Any]:
        return super().get_serializer_context() | {"today": timezone.localdate()}

    def get_queryset(self) -> Any:
        given = ReviewFilterSerializer(data=self.request.query_params)
        given.is_valid(raise_exception=True)
        chosen = given.validated_data
        return selectors.reviews_listed(
            user=self.request.user,  # type: ignore[arg-type]
            mine=chosen["mine"],
            team=chosen.get("team"),
            state=chosen["state"],
            overdue=chosen["overdue"],
            today=timezone.localdate(),
        )

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().list(request, *args, **kwargs)
        audit_record_many(
            actor=request.user,
            action=AuditEvent.Action.VIEW,
            patient_ids=[row["patient_id"] for row in response.data["results"]],
            object_type="review list",
        )
        return response
