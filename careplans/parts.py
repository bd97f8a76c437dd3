"""The parts of a plan, as data: one generic pair of views (add, edit) serves them all."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _

from .forms import (
    ActivityForm,
    BarrierForm,
    CaregiverForm,
    ContractForm,
    ExerciseForm,
    GoalForm,
    MilestoneForm,
    ReferralForm,
    ResponsibilityForm,
    VersionedForm,
)

if TYPE_CHECKING:  # the stubs' helper types are a development package, not installed in production
    from django_stubs_ext import StrOrPromise

from .models import (
    Activity,
    Barrier,
    BehaviouralContract,
    Caregiver,
    CarePlan,
    Exercise,
    Goal,
    Milestone,
    Referral,
    Responsibility,
)


@dataclass(frozen=True)
class PlanPart:
    key: str
    title: StrOrPromise
    model: type[Model]
    form: type[VersionedForm]
    # How a row of this part reaches its plan.
    plan_lookup: str = "plan"
    # Only one per plan (the behavioural contract).
    single: bool = False

    def rows_of(self, plan: CarePlan) -> QuerySet:
        return self.model._default_manager.filter(**{self.plan_lookup: plan})


PARTS: dict[str, PlanPart] = {
    part.key: part
    for part in (
        PlanPart("goal", _("Goal"), Goal, GoalForm),
        PlanPart("milestone", _("Milestone"), Milestone, MilestoneForm, plan_lookup="goal__plan"),
        PlanPart("responsibility", _("Responsibility"), Responsibility, ResponsibilityForm),
        PlanPart("exercise", _("Exercise"), Exercise, ExerciseForm),
        PlanPart("contract", _("Behavioural contract"), BehaviouralContract, ContractForm, single=True),
        PlanPart("caregiver", _("Caregiver or supporter"), Caregiver, CaregiverForm),
        # --- activation ---
        PlanPart("activity", _("Activity"), Activity, ActivityForm),
        PlanPart("barrier", _("Barrier"), Barrier, BarrierForm),
        # --- directory and referrals ---
        PlanPart("referral", _("Referral"), Referral, ReferralForm),
    )
}
