"""Reads for care plan pages, each with a fixed number of queries whatever the plan's size."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.db.models import Case, Count, Field, Model, Prefetch, Q, QuerySet, When
from django.utils import timezone
from django.utils.translation import gettext as _

from screening.models import Screening, Timepoint
from screening.selectors import screening_tracks
from teams.models import Patient, User
from training.gate import competency_names, kept_without

from .catalogue import competencies_for
from .models import (
    Activity,
    Barrier,
    BehaviouralContract,
    Caregiver,
    CarePlan,
    CarePreferences,
    EducationAssignment,
    EducationItem,
    Exercise,
    Goal,
    Milestone,
    PlanTemplate,
    Referral,
    Responsibility,
    Stratum,
)
from .parts import PlanPart
from .services import FieldChange, changes_between

STRATUM_ORDER = [Stratum.LOW, Stratum.MEDIUM, Stratum.HIGH]
# Domains whose "high" flag makes a plan high risk whatever the STarT Back result.
DISTRESS_DOMAINS = {"depression", "anxiety", "distress", "catastrophizing", "kinesiophobia"}


def suggested_stratum(*, patient: Patient) -> str:
    """The risk stratum the latest screening points to: STarT Back's band, raised to high by any
    high distress, catastrophizing or fear-of-movement result. "" when there is nothing to go on."""
    stratum = ""
    for track in screening_tracks(patient=patient):
        latest = track.latest
        if track.instrument.code == "STarT-Back" and latest.band:
            stratum = {"low risk": Stratum.LOW, "medium risk": Stratum.MEDIUM, "high risk": Stratum.HIGH}[
                latest.band
            ]
        if track.instrument.domain in DISTRESS_DOMAINS and "high" in latest.flags:
            return Stratum.HIGH
    return stratum


def suggested_template(*, patient: Patient) -> PlanTemplate | None:
    stratum = suggested_stratum(patient=patient)
    if not stratum:
        return None
    return PlanTemplate.objects.filter(stratum=stratum).order_by("name").first()


def plan_of_patient(*, patient: Patient, plan_id: int) -> CarePlan | None:
    return (
        CarePlan.objects.filter(patient=patient, pk=plan_id)
        # The patient's preferences come along: the plan page shows them at the top.
        .select_related("created_by", "template", "support_by", "patient__care_preferences")
        .first()
    )


def plan_as_stored(*, plan: CarePlan) -> CarePlan:
    """The plan read afresh: what an edit is compared with, apart from the copy its form changes."""
    return CarePlan.objects.get(pk=plan.pk)


def plan_whole(*, patient: Patient) -> CarePlan | None:
    """The patient's current plan with all its parts loaded: the active one, else the newest by start
    date (a draft, or the last completed)."""
    return (
        CarePlan.objects.filter(patient=patient)
        .annotate(active_first=Case(When(status=CarePlan.Status.ACTIVE, then=0), default=1))
        .order_by("active_first", "-start_date", "-id")
        .select_related("patient__care_preferences")
        .prefetch_related("goals__milestones", "responsibilities__owner", "exercises")
        .first()
    )


def plan_part(*, part: PlanPart, plan: CarePlan, part_id: int) -> Model | None:
    """One row of a part of the plan (a goal, a milestone...), or None when the plan has no such row."""
    return part.rows_of(plan).filter(pk=part_id).first()


def plan_single_part(*, part: PlanPart, plan: CarePlan) -> Model | None:
    """The row of a part a plan has at most one of (the behavioural contract), if it has it yet."""
    return part.rows_of(plan).first()


def plan_milestone(*, plan: CarePlan, milestone_id: int) -> Milestone | None:
    """A milestone of one of the plan's goals, with its plan loaded."""
    return Milestone.objects.filter(goal__plan=plan, pk=milestone_id).select_related("goal__plan").first()


def active_exercises(*, patient: Patient) -> QuerySet[Exercise]:
    """The exercises of the patient's active plan: what they are asked to do now (none without one)."""
    return Exercise.objects.filter(plan__patient=patient, plan__status=CarePlan.Status.ACTIVE)


def plan_current(*, patient: Patient) -> CarePlan | None:
    """The active plan, else the newest draft or completed one."""
    plans = CarePlan.objects.filter(patient=patient).select_related("support_by")
    return plans.filter(status=CarePlan.Status.ACTIVE).first() or plans.order_by("-created_at").first()


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    who: User | None
    what: str
    part: str
    changes: list[Any]
    # Why, when the change was made for a reason of its own (e.g. "Psychosocial review: ...").
    reason: str = ""


@dataclass(frozen=True)
class PlanPage:
    plan: CarePlan
    goals: list[Goal]
    unlinked_responsibilities: list[Responsibility]
    unlinked_exercises: list[Exercise]
    contract: BehaviouralContract | None
    caregivers: list[Caregiver]
    timeline: list[TimelineEntry]
    other_plans: list[CarePlan]


TIMELINE_ENTRIES = 60
# Bookkeeping, not content: never listed as a change.
SKIPPED_FIELDS = {"id", "version", "plan", "created_by", "created_at", "patient"}


def plan_page(*, plan: CarePlan) -> PlanPage:
    responsibilities = Responsibility.objects.select_related("owner").order_by("starts_on", "id")
    exercises = Exercise.objects.order_by("phase", "id")
    goals = list(
        plan.goals.prefetch_related(
            Prefetch("milestones", Milestone.objects.select_related("confirmed_by", "battery")),
            Prefetch("responsibilities", responsibilities),
            Prefetch("exercises", exercises),
        )
    )
    return PlanPage(
        plan=plan,
        goals=goals,
        unlinked_responsibilities=list(responsibilities.filter(plan=plan, goal__isnull=True)),
        unlinked_exercises=list(exercises.filter(plan=plan, goal__isnull=True)),
        contract=BehaviouralContract.objects.filter(plan=plan).first(),
        caregivers=list(plan.caregivers.select_related("consent_recorded_by", "consent_withdrawn_by")),
        timeline=plan_timeline(plan=plan),
        other_plans=list(CarePlan.objects.filter(patient_id=plan.patient_id).exclude(pk=plan.pk)),
    )


def _history_of(plan: CarePlan) -> list[tuple[str, QuerySet]]:
    goal_ids = Goal.history.filter(plan_id=plan.pk).values("id")
    return [
        (_("Plan"), CarePlan.history.filter(id=plan.pk)),
        (_("Goal"), Goal.history.filter(plan_id=plan.pk)),
        (_("Milestone"), Milestone.history.filter(goal_id__in=goal_ids)),
        (_("Responsibility"), Responsibility.history.filter(plan_id=plan.pk)),
        (_("Exercise"), Exercise.history.filter(plan_id=plan.pk)),
        (_("Behavioural contract"), BehaviouralContract.history.filter(plan_id=plan.pk)),
        (_("Caregiver"), Caregiver.history.filter(plan_id=plan.pk)),
        (_("Activity"), Activity.history.filter(plan_id=plan.pk)),
        (_("Barrier"), Barrier.history.filter(plan_id=plan.pk)),
        (_("Referral"), Referral.history.filter(plan_id=plan.pk)),
    ]


def _with_related(instance: Model, rows: dict[tuple[Any, Any], Model]) -> Model:
    """A past version with the rows its relations point to, as loaded in bulk: a label that reads one
    (a referral's directory resource) costs no query."""
    for field in instance._meta.concrete_fields:
        value = getattr(instance, field.attname)
        if field.is_relation and (field.related_model, value) in rows:
            field.set_cached_value(instance, rows[(field.related_model, value)])  # type: ignore[attr-defined]
    return instance


def plan_timeline(*, plan: CarePlan, limit: int = TIMELINE_ENTRIES) -> list[TimelineEntry]:
    """Who changed what and when, newest first, with a fixed number of queries whatever the history:
    one per kind of part, and one per kind of row the changes point to (people, goals, batteries...)."""
    histories = [
        (part, list(records.select_related("history_user").order_by("history_date", "history_id")))
        for part, records in _history_of(plan)
    ]
    related_ids: dict[type[Model], set[Any]] = defaultdict(set)
    for _part, records in histories:
        for record in records:
            for field in record.instance._meta.concrete_fields:
                value = getattr(record, field.attname)
                if field.is_relation and value is not None and field.name not in SKIPPED_FIELDS:
                    related_ids[field.related_model].add(value)
    rows: dict[tuple[Any, Any], Model] = {
        (model, row.pk): row
        for model, ids in related_ids.items()
        for row in model._default_manager.filter(pk__in=ids)
    }
    labels = {key: str(row) for key, row in rows.items()}

    def related_label(field: Field, value: Any) -> str:
        return labels.get((field.related_model, value), f"#{value}")

    entries = []
    for part, records in histories:
        previous: dict[int, Any] = {}
        for record in records:
            before = previous.get(record.id)
            fields = [f.name for f in record.instance._meta.concrete_fields if f.name not in SKIPPED_FIELDS]
            name = _with_related(record.instance, rows).timeline_label  # type: ignore[attr-defined]
            changes = []
            if record.history_type == "+":
                what = f"added {part.lower()}"
            elif record.history_type == "-":
                what = f"removed {part.lower()}"
            else:
                what = f"changed {part.lower()}"
                if before is not None:
                    changes = changes_between(before.instance, record.instance, fields, related_label)
            previous[record.id] = record
            entries.append(
                TimelineEntry(
                    at=record.history_date,
                    who=record.history_user,
                    what=f"{what}: {name}" if name else what,
                    part=part,
                    changes=changes,
                    reason=record.history_change_reason or "",
                )
            )
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries[:limit]


OVERVIEW_RESPONSIBILITIES = 8
OVERVIEW_ACTIVITIES = 4


@dataclass(frozen=True)
class OverviewPlan:
    plan: CarePlan | None
    goals: list[Goal]
    next_milestone: Milestone | None
    battery_due: Milestone | None
    suggested: PlanTemplate | None
    # Who does what now: the responsibilities not done or stopped, the latest first (a few of them).
    responsibilities: list[Responsibility]
    more_responsibilities: bool
    # Behavioural activation: the names of the plan's active activities (a few of them).
    activities: tuple[str, ...] = ()


def plan_overview(*, patient: Patient) -> OverviewPlan:
    plan = plan_current(patient=patient)
    if plan is None:
        return OverviewPlan(None, [], None, None, suggested_template(patient=patient), [], False)
    goals = list(plan.goals.all())
    milestones = Milestone.objects.filter(goal__plan=plan).select_related("battery", "goal")
    next_milestone = milestones.filter(achieved_on__isnull=True).order_by("due_date").first()
    responsibilities = list(
        plan.responsibilities.exclude(status__in=[Responsibility.Status.DONE, Responsibility.Status.STOPPED])
        .select_related("owner")
        .order_by("-starts_on", "-id")[: OVERVIEW_RESPONSIBILITIES + 1]
    )
    return OverviewPlan(
        plan,
        goals,
        next_milestone,
        milestone_battery_due(patient=patient, plan=plan),
        None,
        responsibilities[:OVERVIEW_RESPONSIBILITIES],
        len(responsibilities) > OVERVIEW_RESPONSIBILITIES,
        activities=tuple(
            plan.activities.filter(active=True)
            .order_by("id")
            .values_list("name", flat=True)[:OVERVIEW_ACTIVITIES]
        ),
    )


def milestone_battery_due(*, patient: Patient, plan: CarePlan) -> Milestone | None:
    """A reached milestone whose screening battery has not been given since it was reached."""
    reached = (
        Milestone.objects.filter(goal__plan=plan, battery__isnull=False, achieved_on__isnull=False)
        .select_related("battery")
        .order_by("-achieved_on")
        .first()
    )
    if reached is None or reached.achieved_on is None or reached.battery is None:
        return None
    since = timezone.make_aware(datetime.combine(reached.achieved_on, datetime.min.time()))
    given = Screening.objects.filter(
        patient=patient,
        administered_at__gte=since,
        instrument__in=reached.battery.instruments,
        timepoint=Timepoint.MILESTONE,
    ).exists()
    return None if given else reached


def my_responsibilities(*, user: User) -> QuerySet[Responsibility]:
    """What a clinician has taken on, across the patients they may see, in plans still running."""
    return (
        Responsibility.objects.filter(
            owner=user,
            plan__status__in=[CarePlan.Status.DRAFT, CarePlan.Status.ACTIVE],
            plan__patient__in=Patient.objects.visible_to(user),
        )
        .exclude(status__in=[Responsibility.Status.DONE, Responsibility.Status.STOPPED])
        .select_related("plan__patient", "goal")
        .order_by("starts_on", "id")
    )


def today() -> date:
    return timezone.localdate()


# --- education ---


def plan_education(*, plan: CarePlan) -> list[EducationAssignment]:
    """The plan's education items and whether the patient has read them (one query)."""
    return list(plan.education.select_related("item", "assigned_by").order_by("assigned_at", "id"))


def education_assignable(*, plan: CarePlan) -> QuerySet[EducationItem]:
    """The library's active items for patients not yet assigned on this plan."""
    return (
        EducationItem.objects.filter(active=True, audience=EducationItem.Audience.PATIENT)
        .exclude(assignments__plan=plan)
        .order_by("topic", "title")
    )


def education_assignment_of_patient(*, patient: Patient, assignment_id: int) -> EducationAssignment | None:
    return (
        EducationAssignment.objects.filter(pk=assignment_id, plan__patient=patient)
        .select_related("item", "plan")
        .first()
    )


def plain_language_preferred(*, patient: Patient) -> bool:
    """Whether the patient's recorded health literacy asks for plain-language material."""
    preferences = CarePreferences.objects.filter(patient=patient).only("forms_confidence").first()
    return preferences is not None and preferences.literacy_limited


# --- activation ---

# How far back the plan page counts an activity's ticks.
ACTIVITY_RECENT_DAYS = 14
# ``checkins.models.ActivityLog.Done.DONE``, named here as stored: care plans sit below check-ins and
# read the logs through the activity's reverse relation, without importing them.
ACTIVITY_DONE = "done"


@dataclass(frozen=True)
class ActivityRow:
    activity: Activity
    day_names: list[str]
    # Days in the last ACTIVITY_RECENT_DAYS the patient ticked it done, and the days it was planned for.
    done_days: int
    planned_days: int


@dataclass(frozen=True)
class ActivationPage:
    activities: list[ActivityRow]
    # Pending first, then the newest noted.
    barriers: list[Barrier]
    recent_days: int = ACTIVITY_RECENT_DAYS

    @property
    def active_activities(self) -> list[ActivityRow]:
        """What the patient is asked about now (the printed plan leaves stopped ones out)."""
        return [row for row in self.activities if row.activity.active]


def _planned_days(days: list[int], *, since: date, until: date) -> int:
    span = [since + timedelta(days=offset) for offset in range((until - since).days + 1)]
    return sum(1 for moment in span if not days or moment.weekday() in days)


def plan_activation(*, plan: CarePlan, today: date | None = None) -> ActivationPage:
    """The plan's activities with how often the patient ticked them done lately, and its barrier log
    (two queries)."""
    until = today or timezone.localdate()
    since = until - timedelta(days=ACTIVITY_RECENT_DAYS - 1)
    activities = (
        plan.activities.select_related("goal")
        .annotate(
            done_days=Count(
                "logs__logged_for",
                filter=Q(logs__done=ACTIVITY_DONE, logs__logged_for__gte=since, logs__logged_for__lte=until),
                distinct=True,
            )
        )
        .order_by("-active", "id")
    )
    return ActivationPage(
        activities=[
            ActivityRow(
                activity=activity,
                day_names=[str(Exercise.Weekday(day).label) for day in sorted(activity.days)],
                done_days=activity.done_days,
                planned_days=_planned_days(activity.days, since=since, until=until),
            )
            for activity in activities
        ],
        barriers=barrier_log(plan=plan),
    )


def barrier_log(*, plan: CarePlan) -> list[Barrier]:
    """The plan's barriers, those still to review first (oldest noted first), then the reviewed ones,
    the latest review first."""
    return list(
        plan.barriers.annotate(
            reviewed=Case(When(outcome=Barrier.Outcome.PENDING, then=0), default=1)
        ).order_by(
            "reviewed", Case(When(outcome=Barrier.Outcome.PENDING, then="noted_on")), "-reviewed_on", "-id"
        )
    )


def activities_for_day(*, patient: Patient, day: date) -> list[Activity]:
    """The active activities of the patient's active plan planned for ``day`` (every day when no days
    are set): what the day's check-in asks about."""
    activities = Activity.objects.filter(
        plan__patient=patient, plan__status=CarePlan.Status.ACTIVE, active=True
    ).order_by("id")
    return [activity for activity in activities if not activity.days or day.weekday() in activity.days]


def barrier_of_patient(*, patient: Patient, barrier_id: int) -> Barrier | None:
    return Barrier.objects.filter(pk=barrier_id, plan__patient=patient).select_related("plan").first()


# --- caregivers ---

CAREGIVER_MESSAGES_SHOWN = 5


def caregiver_of_patient(*, patient: Patient, caregiver_id: int) -> Caregiver | None:
    """A caregiver on one of this patient's plans, with the plan and patient."""
    caregivers = Caregiver.objects.select_related("plan__patient")
    return caregivers.filter(pk=caregiver_id, plan__patient=patient).first()


def caregiver_messages_latest(
    *, patient: Patient, plan: CarePlan, limit: int = CAREGIVER_MESSAGES_SHOWN
) -> list[Any]:
    """The latest messages to the plan's caregivers (``checkins.CaregiverMessage``, reached through the
    patient: checkins is above careplans), newest first, with their caregiver."""
    messages = patient.caregiver_messages
    return list(messages.filter(caregiver__plan=plan).select_related("caregiver")[:limit])


# --- preferences ---

PREFERENCE_HISTORY_SHOWN = 50
# Bookkeeping of a preferences row, never listed as a change.
PREFERENCE_SKIPPED = {"id", "version", "patient", "updated_at"}


def preferences_of(*, patient: Patient) -> CarePreferences | None:
    """The patient's care preferences, if recorded, with the patient already loaded."""
    preferences = CarePreferences.objects.filter(patient=patient).first()
    if preferences is not None:
        preferences.patient = patient
    return preferences


def preferences_of_plan(*, plan: CarePlan) -> CarePreferences | None:
    """The patient's preferences as ``plan_of_patient`` loaded them with the plan (no query)."""
    try:
        return plan.patient.care_preferences
    except CarePreferences.DoesNotExist:
        return None


def _preference_value(instance: CarePreferences, field: Field) -> str:
    value = getattr(instance, field.attname)
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(field, ArrayField):
        labels = dict(field.base_field.flatchoices)
        return ", ".join(str(labels.get(item, item)) for item in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def preference_changes(before: CarePreferences, after: CarePreferences) -> list[FieldChange]:
    """What differs between two states of a patient's preferences, in words (ticked days and modalities
    by name, in the order the patient gave them)."""
    changes = []
    for field in after._meta.concrete_fields:
        if field.name in PREFERENCE_SKIPPED:
            continue
        old, new = _preference_value(before, field), _preference_value(after, field)
        if old != new:
            changes.append(
                FieldChange(field=field.name, label=str(field.verbose_name), before=old, after=new)
            )
    return changes


def preferences_history(*, patient: Patient, limit: int = PREFERENCE_HISTORY_SHOWN) -> list[TimelineEntry]:
    """Who recorded or changed the patient's preferences, when and what, newest first (one query): the
    first record lists what was recorded."""
    records = list(
        CarePreferences.history.filter(patient_id=patient.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    entries = []
    previous: CarePreferences = CarePreferences()
    for record in records:
        recorded = record.history_type == "+"
        entries.append(
            TimelineEntry(
                at=record.history_date,
                who=record.history_user,
                what="recorded the preferences" if recorded else "changed the preferences",
                part=_("Preferences"),
                changes=preference_changes(previous, record.instance),
                reason=record.history_change_reason or "",
            )
        )
        previous = record.instance
    entries.reverse()
    return entries[:limit]


# --- directory and referrals ---


def plan_referrals(*, plan: CarePlan) -> list[Referral]:
    """The plan's referrals, open ones first, soonest follow-up first (one query)."""
    return list(
        plan.referrals.select_related("resource", "owner")
        .annotate(
            closed=Case(When(status__in=[Referral.Status.SENT, Referral.Status.ACCEPTED], then=0), default=1)
        )
        .order_by("closed", "follow_up_due", "-sent_on", "-id")
    )


def referral_of_plan(*, plan: CarePlan, referral_id: int) -> Referral | None:
    return (
        Referral.objects.filter(plan=plan, pk=referral_id)
        .select_related("resource", "owner", "plan__patient")
        .first()
    )


MY_REFERRALS_SHOWN = 100


def my_referrals_due(*, user: User, day: date) -> list[Referral]:
    """The open referrals ``user`` follows up whose follow-up (or accommodation review) is due by ``day``,
    across the patients they may see, in plans still running: the tasks page's list (one query)."""
    return list(
        Referral.objects.filter(
            owner=user,
            plan__status__in=[CarePlan.Status.DRAFT, CarePlan.Status.ACTIVE],
            plan__patient__in=Patient.objects.visible_to(user),
        )
        .filter(
            Q(status__in=[Referral.Status.SENT, Referral.Status.ACCEPTED], follow_up_due__lte=day)
            | Q(accommodation_review_on__lte=day)
            & ~Q(status__in=[Referral.Status.DECLINED, Referral.Status.NO_RESPONSE])
        )
        .select_related("resource", "plan__patient")
        .order_by("follow_up_due", "accommodation_review_on", "id")[:MY_REFERRALS_SHOWN]
    )


# --- competence gate ---


def flag_kept_without(responsibilities: Iterable[Responsibility]) -> None:
    """Mark each responsibility kept by an owner without the competence its intervention needs with how
    that reads ("kept without CBT-informed practice: <reason>", ``kept_without``). One query when any is,
    none otherwise."""
    kept = [r for r in responsibilities if r.competence_override_reason]
    if not kept:
        return
    names = competency_names(code for r in kept for code in competencies_for([r.intervention]))
    for responsibility in kept:
        responsibility.kept_without = kept_without(  # type: ignore[attr-defined]
            competencies_for([responsibility.intervention]), responsibility.competence_override_reason, names
        )
