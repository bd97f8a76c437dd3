"""Case-conference actions that change the care plan: the form and the change, through the plan's services.

``conferences.services.action_add`` applies the change inside its own transaction, so an action and
its plan change are saved together or not at all. Every change is made by ``part_create`` or
``part_update``: it lands in the plan's history under the person who made it, is audited, and an
update is refused if the part moved on since the form was loaded.
"""

from datetime import date
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from careplans.catalogue import InterventionCode
from careplans.models import CarePlan, Goal, Milestone, Responsibility
from careplans.services import EditConflict, part_create, part_update
from core.dates import day, day_month
from teams.models import Patient, User


class Change(models.TextChoices):
    ADD_RESPONSIBILITY = "add_responsibility", _("Add a responsibility")
    ADD_MILESTONE = "add_milestone", _("Add a milestone")
    RESCHEDULE = "reschedule", _("Reschedule a responsibility or milestone")
    REVIEW_DATE = "review_date", _("Move the plan's review date")


class PlanChangeForm(forms.Form):
    change = forms.ChoiceField(
        label=_("Change to the care plan"),
        choices=[("", "No change to the plan"), *Change.choices],
        required=False,
    )
    intervention = forms.ChoiceField(
        label=_("Intervention"), choices=[("", "—"), *InterventionCode.choices], required=False
    )
    frequency = forms.CharField(label=_("How often"), max_length=100, required=False, initial="weekly")
    goal = forms.ModelChoiceField(label=_("Toward goal"), queryset=Goal.objects.none(), required=False)
    milestone = forms.CharField(label=_("Milestone"), max_length=300, required=False)
    target = forms.CharField(label=_("Measure and target"), max_length=200, required=False)
    part = forms.ChoiceField(label=_("Part to reschedule"), choices=[("", "—")], required=False)
    new_date = forms.DateField(
        label=_("New date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The milestone's due date, the responsibility's end date or the plan's review date."),
    )
    plan_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, patient: Patient, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plan = (
            CarePlan.objects.filter(patient=patient, status=CarePlan.Status.ACTIVE).order_by("-id").first()
        )
        if self.plan is None:
            cast(forms.ChoiceField, self.fields["change"]).choices = [
                ("", "No change to the plan (no active plan)")
            ]
            return
        cast(forms.ModelChoiceField, self.fields["goal"]).queryset = Goal.objects.filter(plan=self.plan)
        self.fields["plan_version"].initial = self.plan.version
        responsibilities = Responsibility.objects.filter(plan=self.plan).select_related("owner")
        milestones = Milestone.objects.filter(goal__plan=self.plan, achieved_on__isnull=True)
        cast(forms.ChoiceField, self.fields["part"]).choices = [
            ("", "—"),
            *[(f"responsibility:{r.pk}:{r.version}", f"Responsibility: {r}") for r in responsibilities],
            *[
                (f"milestone:{m.pk}:{m.version}", f"Milestone: {m} (due {day_month(m.due_date)})")
                for m in milestones
            ],
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        change = data.get("change")
        if not change:
            return data
        if self.plan is None:
            self.add_error("change", _("This patient has no active care plan to change."))
            return data
        required = {
            Change.ADD_RESPONSIBILITY: ["intervention", "frequency"],
            Change.ADD_MILESTONE: ["goal", "milestone", "target"],
            Change.RESCHEDULE: ["part", "new_date"],
            Change.REVIEW_DATE: ["new_date"],
        }[Change(change)]
        for name in required:
            if not data.get(name):
                self.add_error(name, _("Needed to %(change)s.") % {"change": Change(change).label.lower()})
        return data


def _part(value: str) -> tuple[type[Responsibility] | type[Milestone], int, int]:
    kind, pk, version = value.split(":")
    return (Responsibility if kind == "responsibility" else Milestone), int(pk), int(version)


def _conflict_message(conflict: EditConflict) -> str:
    what = ", ".join(f"{c.label} {c.before} → {c.after}" for c in conflict.changes) or _("it")
    return _("%(user)s changed %(what)s since you opened this page. Check the plan and try again.") % {
        "user": conflict.changed_by,
        "what": what,
    }


def plan_change_form(*, patient: Patient, data: Any = None, prefix: str = "plan") -> PlanChangeForm:
    return PlanChangeForm(data, patient=patient, prefix=prefix)


def plan_change_apply(
    *,
    patient: Patient,
    cleaned_data: dict[str, Any],
    owner: User,
    due_on: date,
    description: str,
    user: User,
) -> tuple[models.Model | None, str]:
    change = cleaned_data.get("change")
    if not change:
        return None, ""
    plan = CarePlan.objects.filter(patient=patient, status=CarePlan.Status.ACTIVE).order_by("-id").first()
    if plan is None:
        raise ValidationError({"change": _("This patient has no active care plan to change.")})
    try:
        return _apply(Change(change), plan, cleaned_data, owner, due_on, description, user)
    except EditConflict as conflict:
        field = "new_date" if change == Change.REVIEW_DATE else "part"
        raise ValidationError({field: _conflict_message(conflict)}) from None


def _apply(
    change: Change,
    plan: CarePlan,
    data: dict[str, Any],
    owner: User,
    due_on: date,
    description: str,
    user: User,
) -> tuple[models.Model, str]:
    if change == Change.ADD_RESPONSIBILITY:
        responsibility = part_create(
            instance=Responsibility(
                plan=plan,
                intervention=data["intervention"],
                details=description[:300],
                owner=owner,
                discipline=owner.discipline,
                frequency=data["frequency"],
                starts_on=max(timezone.localdate(), plan.start_date),
                # Given to the action's competence gate (``conferences.services.action_add``).
                competence_override_reason=data.get("competence_override_reason", ""),
            ),
            user=user,
        )
        return responsibility, f"Added responsibility: {responsibility}"
    if change == Change.ADD_MILESTONE:
        goal = data["goal"]
        if goal.plan_id != plan.pk:
            raise ValidationError({"goal": _("That goal belongs to another plan.")})
        milestone = part_create(
            instance=Milestone(
                goal=goal,
                description=data["milestone"],
                target=data["target"],
                due_date=data.get("new_date") or due_on,
            ),
            user=user,
        )
        return milestone, f"Added milestone: {milestone} (due {day(milestone.due_date)})"
    if change == Change.RESCHEDULE:
        model, pk, version = _part(data["part"])
        instance = model.objects.filter(pk=pk).first()
        if instance is None or instance.plan_of.pk != plan.pk:
            raise ValidationError({"part": _("That part is not in the patient's active plan.")})
        field = "ends_on" if model is Responsibility else "due_date"
        updated = part_update(
            instance=instance,
            data={field: data["new_date"]},
            expected_version=version,
            user=user,
        )
        return updated, f"Rescheduled {updated} to {day(data['new_date'])}"
    version = data.get("plan_version") or plan.version
    updated_plan = part_update(
        instance=plan,
        data={"review_date": data["new_date"]},
        expected_version=version,
        user=user,
    )
    return updated_plan, f"Moved the plan's review date to {day(data['new_date'])}"
