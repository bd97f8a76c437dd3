"""JSON API for care plans: a patient's active plan, with goals, milestones, responsibilities, exercises."""

from typing import Any, cast

from django.core.exceptions import ValidationError as DjangoValidationError
from django.forms.models import model_to_dict
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import ErrorSerializer
from teams.api import PatientScopedAPIView, django_errors, form_errors
from teams.models import AuditEvent
from teams.services import audit_record

from . import selectors, services
from .forms import PlanForm, PlanSupportForm, VersionedForm
from .models import CarePlan, CarePreferences, Exercise, Goal, Milestone, Responsibility, Versioned
from .parts import PARTS
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
        fields += ["ends_on", "status", "modality", "version"]
        # --- competence gate --- why the owner was kept without a competency it needs (``training.gate``)
        fields += ["competence_override_reason"]


class ExerciseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Exercise
        fields = ["id", "goal", "name", "sets", "reps", "hold_seconds", "sessions_per_week", "rest_days"]
        fields += ["phase", "progression_rule", "lighter_alternative", "version"]


# --- preferences ---


class CarePreferencesSerializer(serializers.ModelSerializer):
    """How the patient wants to be cared for (read-only here; recorded on the preferences page)."""

    literacy_limited = serializers.BooleanField(
        read_only=True, help_text=_("The literacy screener marks limited health literacy: plain language.")
    )

    class Meta:
        model = CarePreferences
        fields = ["modalities", "pacing", "progression", "forms_confidence", "literacy_limited"]
        fields += ["cultural_considerations", "interpreter_needed", "language", "contact_days"]
        fields += ["contact_from", "contact_until", "what_matters", "version", "updated_at"]
        read_only_fields = fields


class CarePlanSerializer(serializers.ModelSerializer):
    support_by = serializers.CharField(
        source="support_by.get_username",
        default=None,
        help_text=_("Who delivers the psychological support (a username); null until it is agreed"),
    )
    goals = GoalSerializer(many=True)
    milestones = serializers.SerializerMethodField()
    responsibilities = ResponsibilitySerializer(many=True)
    exercises = ExerciseSerializer(many=True)
    preferences = CarePreferencesSerializer(
        source="patient.care_preferences",
        read_only=True,
        allow_null=True,
        help_text=_("The patient's care preferences (modalities in their order); null until recorded"),
    )

    class Meta:
        model = CarePlan
        fields = ["id", "status", "start_date", "review_date", "risk_stratum", "summary_physical"]
        fields += ["summary_psychological", "summary_social", "support_by", "support_modality"]
        fields += ["support_frequency", "version", "goals", "milestones"]
        fields += ["responsibilities", "exercises", "preferences"]

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


# A part as the API shows and takes it: its id, its version and the fields its form edits.
PartSerializer = inline_serializer(
    name="PlanPart",
    fields={
        "id": serializers.IntegerField(),
        "version": serializers.IntegerField(
            help_text=_("Send it back with a change: the state you started from.")
        ),
    },
)
PartChangeSerializer = inline_serializer(
    name="PlanPartChange",
    fields={
        "version": serializers.IntegerField(help_text=_("The version the change was made from (from GET).")),
    },
)
ConflictSerializer = inline_serializer(
    name="EditConflict",
    fields={
        "detail": serializers.CharField(),
        "errors": serializers.DictField(help_text=_("A message per field in conflict.")),
        "version": serializers.IntegerField(
            help_text=_("The version now stored: send the change again from it.")
        ),
        "conflicts": serializers.ListField(
            child=inline_serializer(
                name="FieldConflict",
                fields={
                    "field": serializers.CharField(),
                    "label": serializers.CharField(),
                    "theirs": serializers.CharField(help_text=_("The value the other person saved.")),
                    "mine": serializers.CharField(help_text=_("The value this request asked for.")),
                },
            )
        ),
        "current": serializers.DictField(help_text=_("The part as now stored.")),
    },
)


def _part_data(instance: Versioned, form: type[VersionedForm]) -> dict[str, Any]:
    fields = list(form._meta.fields or ())
    data = model_to_dict(instance, fields=fields)
    return {"id": instance.pk, "version": instance.version} | {
        name: [getattr(item, "pk", item) for item in value] if isinstance(value, list) else value
        for name, value in data.items()
    }


class VersionedPartView(PatientScopedAPIView):
    """One part of a care plan (or the plan's own details): GET shows it with its version; PATCH changes
    the fields sent, from the ``version`` the client started from, by the same rule as the pages: a
    field only someone else changed since keeps their value, and a field both changed differently is
    refused with 409, the fields in conflict and the version now stored, to be settled and sent again."""

    def _part(self, plan_id: int, part: str | None, part_id: int | None) -> tuple[Versioned, CarePlan]:
        plan = selectors.plan_of_patient(patient=self.patient, plan_id=plan_id)
        if plan is None:
            raise Http404("No such plan.")
        if part is None or part_id is None:
            return selectors.plan_as_stored(plan=plan), plan
        if part not in PARTS:
            raise Http404("No such part of a plan.")
        stored = selectors.plan_part(part=PARTS[part], plan=plan, part_id=part_id)
        if stored is None:
            raise Http404("No such part of this plan.")
        return cast(Versioned, stored), plan

    def _form(self, part: str | None) -> type[VersionedForm]:
        return PlanForm if part is None else PARTS[part].form

    @extend_schema(responses={200: PartSerializer, 404: ErrorSerializer})
    def get(
        self,
        request: Request,
        patient_id: int,
        plan_id: int,
        part: str | None = None,
        part_id: int | None = None,
    ) -> Response:
        stored, _plan = self._part(plan_id, part, part_id)
        audit_record(
            actor=request.user, action=AuditEvent.Action.VIEW, patient=self.patient, obj=self.patient
        )
        return Response(_part_data(stored, self._form(part)))

    @extend_schema(
        request=PartChangeSerializer,
        responses={200: PartSerializer, 400: ErrorSerializer, 404: ErrorSerializer, 409: ConflictSerializer},
    )
    def patch(
        self,
        request: Request,
        patient_id: int,
        plan_id: int,
        part: str | None = None,
        part_id: int | None = None,
    ) -> Response:
        stored, plan = self._part(plan_id, part, part_id)
        form_class = self._form(part)
        given = dict(request.data.items()) if hasattr(request.data, "items") else {}
        editable = set(form_class._meta.fields or ())
        unknown = {
            name: ["Not a field of this part."] for name in given if name not in editable | {"version"}
        }
        if unknown:
            raise ValidationError(unknown)
        if not isinstance(given.get("version"), int) or isinstance(given.get("version"), bool):
            raise ValidationError(
                {"version": ["Send the version you started from (a whole number, from GET)."]}
            )
        # The form checks the change as the page does, on the stored values with the sent ones applied.
        editing, _plan = self._part(plan_id, part, part_id)
        bound = _part_data(editing, form_class) | given
        form = form_class(bound, instance=editing, plan=plan)
        if not form.is_valid():
            raise ValidationError(form_errors(form))
        changes = {name: value for name, value in form.changes().items() if name in given}
        try:
            saved = services.part_update(
                instance=stored,
                data=changes,
                expected_version=given["version"],
                user=request.user,  # type: ignore[arg-type]
            )
        except services.EditConflict as conflict:
            return _conflict_response(conflict, form_class)
        except DjangoValidationError as error:
            raise ValidationError(django_errors(error)) from None
        return Response(_part_data(saved, form_class))


class PlanSupportView(VersionedPartView):
    """The plan's psychological support: who delivers it (``support_by``, a user id of the patient's
    team), in what modality and how often. GET shows it with the plan's version; PATCH changes the fields
    sent by the same rule as the plan's details (the page's form, the version check, 409 on a clash)."""

    def _part(self, plan_id: int, part: str | None, part_id: int | None) -> tuple[Versioned, CarePlan]:
        return super()._part(plan_id, None, None)

    def _form(self, part: str | None) -> type[VersionedForm]:
        return PlanSupportForm


def _conflict_response(conflict: services.EditConflict, form: type[VersionedForm]) -> Response:
    current = conflict.current
    who = conflict.changed_by.get_username() if conflict.changed_by else "someone"
    return Response(
        {
            "detail": (
                f"{str(current._meta.verbose_name).capitalize()} was changed by {who} while you were "
                f"editing, and both of you changed {len(conflict.clashes)} field(s): choose each value and "
                f"send the change again from version {current.version}."
            ),
            "errors": {
                clash.field: [f"Both of you changed it: saved value {clash.theirs}, yours {clash.mine}."]
                for clash in conflict.clashes
            },
            "version": current.version,
            "conflicts": [
                {"field": clash.field, "label": clash.label, "theirs": clash.theirs, "mine": clash.mine}
                for clash in conflict.clashes
            ],
            "current": _part_data(current, form),
        },
        status=status.HTTP_409_CONFLICT,
    )
