"""Gaps in care that someone should close, each as one query over the patients a viewer oversees."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from functools import reduce
from operator import or_

from django.db.models import Count, Exists, F, Func, IntegerField, OuterRef, Q, QuerySet, Value
from django.utils import timezone

from careplans.catalogue import CATALOGUE, Kind
from careplans.models import CarePlan, Milestone, Responsibility
from checkins.models import CheckIn, Reminder
from routing.selectors import rescreens_missed, reviews_overdue
from screening.models import Alert, Battery, Screening, Timepoint
from screening.selectors import silent_instruments
from teams.models import Membership, Patient, Team
from training.models import Competency, Level, TrainingRecord
from training.skillmix import Competence, SupervisionStatus, lapsed_renewals, supervision_below

from .metrics import SCREENING_AFTER_MILESTONE_DAYS

ROWS_PER_GAP = 100
PSYCHOLOGICAL = [code for code, intervention in CATALOGUE.items() if intervention.kind == Kind.PSYCHOLOGICAL]


@dataclass(frozen=True)
class Gap:
    key: str
    title: str
    fix: str
    rows: list
    count: int


def _gap(key: str, title: str, fix: str, rows: QuerySet) -> Gap:
    # One query: the first rows and, with a window count, how many there are in all.
    found = list(rows[: ROWS_PER_GAP + 1])
    return Gap(key, title, fix, found[:ROWS_PER_GAP], len(found))


@dataclass(frozen=True)
class SilentInstrument:
    """An instrument of a battery in use that can never flag: no published cut-off, none set here."""

    code: str
    name: str
    batteries: list[str]


def patients_listed(gaps: list[Gap]) -> list[int]:
    """The patients the gaps show (for the audit trail), read from rows already loaded."""
    return [_patient_id(row) for gap in gaps for row in gap.rows if not isinstance(row, SilentInstrument)]


def _patient_id(row: Patient | Milestone | CarePlan | Alert) -> int:
    if isinstance(row, Patient):
        return row.pk
    if isinstance(row, Milestone):
        return row.goal.plan.patient_id
    return row.patient_id


def _days_past(day: date) -> Func:
    """Whole days from a row's ``due_on`` to ``day`` (a date minus a date is days in PostgreSQL)."""
    return Func(
        Value(day), F("due_on"), template="(%(expressions)s)", arg_joiner=" - ", output_field=IntegerField()
    )


def silent_gap() -> Gap:
    """No silent instrument: each instrument of a battery in use that can never flag, with the batteries
    that give it (two queries for the instruments, one for the batteries)."""
    silent = silent_instruments()
    batteries = list(Battery.objects.values_list("name", "instruments"))
    rows = [
        SilentInstrument(
            code=instrument.code,
            name=instrument.name,
            batteries=[name for name, codes in batteries if instrument.code in codes],
        )
        for instrument in silent
    ]
    return Gap(
        "silent-instrument",
        "Instruments that can never flag",
        "Set a cut-off in the admin",
        rows,
        len(rows),
    )


def gaps(*, patients: QuerySet[Patient]) -> list[Gap]:
    now = timezone.now()
    today = timezone.localdate()
    active = patients.filter(status=Patient.Status.ACTIVE).select_related("team", "primary_clinician")
    intake = Screening.objects.filter(patient=OuterRef("pk"), timepoint=Timepoint.INTAKE)
    milestone_screening = Screening.objects.filter(
        patient=OuterRef("goal__plan__patient"),
        timepoint=Timepoint.MILESTONE,
        administered_at__date__gte=OuterRef("achieved_on"),
    )
    psychological = Responsibility.objects.filter(plan=OuterRef("pk"), intervention__in=PSYCHOLOGICAL)
    recent_checkin = CheckIn.objects.filter(
        patient=OuterRef("pk"), submitted_at__gte=now - timedelta(days=14)
    )
    recent_reminder = Reminder.objects.filter(patient=OuterRef("pk"), sent_at__gte=now - timedelta(days=14))
    return [
        _gap(
            "no-intake",
            "Active patients without an intake screening",
            "Start the intake battery",
            active.exclude(Exists(intake)).order_by("family_name", "given_name"),
        ),
        _gap(
            "milestone-screening",
            "Milestone screenings overdue",
            "Start the milestone battery",
            Milestone.objects.filter(
                goal__plan__patient__in=active,
                battery__isnull=False,
                achieved_on__lt=today - timedelta(days=SCREENING_AFTER_MILESTONE_DAYS),
            )
            .exclude(Exists(milestone_screening))
            .select_related("goal__plan__patient", "battery")
            .order_by("achieved_on"),
        ),
        _gap(
            "no-psychology",
            "High-risk patients whose plan has no psychological component",
            "Add a psychological responsibility",
            CarePlan.objects.filter(patient__in=active, status=CarePlan.Status.ACTIVE, risk_stratum="high")
            .exclude(Exists(psychological))
            .select_related("patient")
            .order_by("start_date"),
        ),
        _gap(
            "unacknowledged",
            "Urgent alerts unacknowledged after 24 hours",
            "Acknowledge and act",
            Alert.objects.filter(
                patient__in=patients,
                kind=Alert.Kind.URGENT,
                status=Alert.Status.OPEN,
                opened_at__lt=now - timedelta(hours=24),
            )
            .select_related("patient")
            .order_by("opened_at"),
        ),
        _gap(
            "review-overdue",
            "Overdue reviews",
            "Resolve the review, or reassign it",
            reviews_overdue(patients=patients, day=today).annotate(days_over=_days_past(today)),
        ),
        _gap(
            "rescreen-missed",
            "Missed re-screens",
            "Screen again, or send the questionnaire by link",
            rescreens_missed(patients=patients, today=today).annotate(days_over=_days_past(today)),
        ),
        _gap(
            "silent",
            "Patients not checking in for 14 days",
            "Call the patient or adjust the schedule",
            active.filter(Exists(recent_reminder))
            .exclude(Exists(recent_checkin))
            .filter(Q(checkin_schedule__opted_out_at__isnull=True))
            .order_by("family_name", "given_name"),
        ),
        silent_gap(),
    ]


# --- skill mix (issue 22) ------------------------------------------------------------------------------
# Three gaps in competence, scoped like the rest of the page (the teams the viewer oversees): training
# renewals lapsed, supervision below the expected amount, and work owned without the competence it needs.
# Each lists its first SKILL_ROWS and says how many more; a fixed number of queries however many rows.

SKILL_ROWS = 50
NEEDS = {
    code: intervention.competencies for code, intervention in CATALOGUE.items() if intervention.competencies
}


@dataclass(frozen=True)
class SkillSection:
    key: str
    rows: list
    count: int

    @property
    def more(self) -> int:
        return max(self.count - len(self.rows), 0)


@dataclass(frozen=True)
class OwnedWithout:
    """A responsibility whose owner lacks (today) a competency its intervention needs."""

    responsibility: Responsibility
    lacking: list[str]  # the competencies' names


def _competent_record(code: str, on: date) -> Exists:
    """A record by which the responsibility's owner holds ``code`` without needing supervision on ``on``."""
    return Exists(
        TrainingRecord.objects.filter(
            user_id=OuterRef("owner_id"),
            competency__code=code,
            completed_on__lte=on,
            level__in=[Level.TRAINED, Level.INDEPENDENT],
        ).filter(Q(renews_on__isnull=True) | Q(renews_on__gte=on))
    )


def owned_without_competence(*, patients: QuerySet[Patient], on: date) -> SkillSection:
    """Planned and active responsibilities of active plans whose owner lacks, on ``on``, a competency the
    intervention needs (``training.competence``'s rules: no record, or practising under supervision, a
    lapsed renewal included, without supervision up to date). Whether work lacks a competency depends
    only on its owner and intervention: the database counts the candidates per (owner, intervention),
    keeping only owners who hold some needed competency by no current trained or independent record;
    ``Competence`` decides on supervision for those pairs; then the first rows of the pairs that lack
    are read. Six queries, however many responsibilities (thousands at a large clinic) lack."""
    maybe = reduce(
        or_,
        (
            Q(intervention=code) & reduce(or_, (~Q(_competent_record(need, on)) for need in needs))
            for code, needs in NEEDS.items()
        ),
    )
    open_work = Responsibility.objects.filter(
        plan__patient__in=patients,
        plan__status=CarePlan.Status.ACTIVE,
        status__in=[Responsibility.Status.PLANNED, Responsibility.Status.ACTIVE],
    )
    pairs = list(
        open_work.filter(maybe).values_list("owner_id", "intervention").annotate(count=Count("id")).order_by()
    )
    if not pairs:
        return SkillSection("owned-without-competence", [], 0)
    competence = Competence.of({owner for owner, _code, _count in pairs}, on=on)
    lacking = {
        (owner, code): gaps for owner, code, _count in pairs if (gaps := competence.gaps(owner, NEEDS[code]))
    }
    if not lacking:
        return SkillSection("owned-without-competence", [], 0)
    owners: dict[str, list[int]] = defaultdict(list)
    for owner, code in lacking:
        owners[code].append(owner)
    of_pairs = reduce(or_, (Q(intervention=code, owner_id__in=ids) for code, ids in owners.items()))
    shown = (
        open_work.filter(of_pairs)
        .select_related("owner", "plan__patient")
        .order_by("plan__patient__family_name", "plan__patient__given_name", "starts_on", "id")[:SKILL_ROWS]
    )
    names = dict(Competency.objects.values_list("code", "name"))
    rows = [
        OwnedWithout(row, [names.get(code, code) for code in lacking[(row.owner_id, row.intervention)]])
        for row in shown
    ]
    count = sum(n for owner, code, n in pairs if (owner, code) in lacking)
    return SkillSection("owned-without-competence", rows, count)


def skill_gaps(*, teams: QuerySet[Team], patients: QuerySet[Patient], on: date) -> list[SkillSection]:
    """The page's three competence sections, for the members of ``teams`` and the patients they oversee."""
    members = Membership.objects.filter(team__in=teams).values("user_id")
    lapsed = list(lapsed_renewals(user_ids=members, on=on)[:SKILL_ROWS])
    below = supervision_below(user_ids=members, on=on)
    return [
        SkillSection("lapsed-renewals", lapsed, getattr(lapsed[0], "total", 0) if lapsed else 0),
        SkillSection("supervision-below", below[:SKILL_ROWS], len(below)),
        owned_without_competence(patients=patients, on=on),
    ]


def skill_people_listed(sections: list[SkillSection]) -> list[int]:
    """The clinicians whose training the sections show (each audited as a view of their training)."""
    found: list[int] = []
    for section in sections:
        for row in section.rows:
            if isinstance(row, TrainingRecord):
                found.append(row.user_id)
            elif isinstance(row, SupervisionStatus):
                found.append(row.user.pk)
            else:
                found.append(row.responsibility.owner_id)
    return found


def skill_patients_listed(sections: list[SkillSection]) -> list[int]:
    return [
        row.responsibility.plan.patient_id
        for section in sections
        for row in section.rows
        if isinstance(row, OwnedWithout)
    ]
