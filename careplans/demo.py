"""Demo care plans: most demo patients get a plan built from the template their screening suggests,
with goals in their words, milestones, exercises, a contract and a supporter. Idempotent."""

from datetime import time, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from core import dates
from screening.models import Battery
from teams.demo import DemoCalendar
from teams.models import Discipline, Membership, Patient

from .catalogue import InterventionCode
from .models import (
    Accommodation,
    Activity,
    Barrier,
    BehaviouralContract,
    Caregiver,
    CaregiverScope,
    CarePlan,
    CarePreferences,
    CommunityResource,
    ConsentGivenBy,
    ConsentRecorded,
    Exercise,
    Goal,
    Milestone,
    Modality,
    PlanTemplate,
    Referral,
    ReferralMethod,
    ResourceCategory,
    ResourceCost,
    Responsibility,
)
from .preferences import modality_for
from .selectors import suggested_stratum
from .services import part_create, part_update, plan_create, preferences_save, resource_save
from .templates_seed import templates_ensure

GOALS = [
    ("Walk my grandson to school", "Being part of his day", "Walking distance (m)", "200", "1200"),
    ("Back to gardening", "It is where I relax", "Minutes of gardening", "0", "45"),
    ("Sleep through the night", "I am exhausted at work", "Nights a week slept through", "1", "5"),
    ("Play five-a-side again", "My friends are there", "Minutes of jogging", "0", "20"),
    ("Carry the shopping home", "Doing things for myself", "Bag weight (kg)", "2", "8"),
    ("Sit through a film with my family", "Time together", "Minutes sitting comfortably", "20", "120"),
]
EXERCISES = [
    (
        "Sit to stand",
        3,
        10,
        None,
        5,
        "Add 2 reps each week if pain settles within an hour",
        "2 sets from a higher chair",
    ),
    ("Bridging", 3, 12, None, 4, "Hold 5 s longer each week", "1 set of 8, slowly"),
    ("Wall sit", 3, None, 30, 4, "Add 5 seconds a week", "Hold 15 seconds, higher up the wall"),
    ("Cat-camel stretch", 2, 10, None, 7, "Increase range as comfortable", "5 gentle repetitions lying down"),
]
PATIENT_COMMITMENTS = "I will do my exercises on weekdays after breakfast; on a bad day, the lighter version."
TEAM_COMMITMENTS = (
    "We will see you weekly, answer check-ins within two working days and adjust the plan with you."
)
CAREGIVERS = [
    ("Maria", "daughter", "walks with her twice a week"),
    ("Sam", "partner", "joins the relaxation practice in the evening"),
    ("Joan", "neighbour", "drives to appointments"),
]


def demo_plans_seed(calendar: DemoCalendar) -> int:
    templates_ensure(PlanTemplate)
    milestone_battery = Battery.objects.filter(name="Milestone").first()
    today = calendar.today
    patients = Patient.objects.filter(status=Patient.Status.ACTIVE).select_related(
        "primary_clinician", "team"
    )
    for index, patient in enumerate(patients.order_by("mrn")):
        if index % 6 == 5 or CarePlan.objects.filter(patient=patient).exists():
            continue  # a few patients are still waiting for their plan
        author = patient.primary_clinician
        stratum = suggested_stratum(patient=patient) or "low"
        start = today - timedelta(weeks=9)
        plan = plan_create(
            patient=patient,
            user=author,
            start_date=start,
            # Every seventh plan comes up for its discharge review at the next conference; the others
            # some weeks after it.
            review_date=calendar.next_day if index % 7 == 3 else calendar.next_day + timedelta(weeks=2),
            template=PlanTemplate.objects.filter(stratum=stratum).first(),
            summary_physical="Persistent low back pain, deconditioned; sitting tolerance 20 minutes.",
            summary_social="Works part-time in retail; lives with family.",
        )
        for number in range(2):
            words, value, measure, baseline, target = GOALS[(index + number) % len(GOALS)]
            goal = part_create(
                instance=Goal(
                    plan=plan,
                    patient_words=words,
                    value=value,
                    measure=measure,
                    baseline=baseline,
                    target_value=target,
                    target_date=today + timedelta(weeks=6),
                    position=number,
                ),
                user=author,
            )
            # Most patients reached their halfway steps; every fourth is behind on them.
            reached = index % 4 != 1
            part_create(
                instance=Milestone(
                    goal=goal,
                    description=f"Halfway: {measure.lower()} at the midpoint",
                    target=f"{measure}: halfway to {target}",
                    due_date=start + timedelta(weeks=6),
                    achieved_on=start + timedelta(weeks=6) if reached else None,
                    confirmed_by=author if reached else None,
                    battery=milestone_battery,
                ),
                user=author,
            )
            name, sets, reps, hold, sessions, progression, lighter = EXERCISES[
                (index + number) % len(EXERCISES)
            ]
            part_create(
                instance=Exercise(
                    plan=plan,
                    goal=goal,
                    name=name,
                    sets=sets,
                    reps=reps or (None if hold else 10),
                    hold_seconds=hold,
                    sessions_per_week=sessions,
                    rest_days=[6] if sessions < 7 else [],
                    progression_rule=progression,
                    lighter_alternative=lighter,
                ),
                user=author,
            )
        if index % 2 == 0:
            part_create(
                instance=BehaviouralContract(
                    plan=plan,
                    patient_commitments=PATIENT_COMMITMENTS,
                    team_commitments=TEAM_COMMITMENTS,
                    supports="Exercise sheet on the fridge; reminders by email.",
                    agreed_on=start,
                    review_date=today + timedelta(weeks=3),
                ),
                user=author,
            )
            name, relationship, role = CAREGIVERS[index % len(CAREGIVERS)]
            part_create(
                instance=Caregiver(
                    plan=plan,
                    name=name,
                    relationship=relationship,
                    consent_scopes=[CaregiverScope.PROGRESS_REPORTS],
                    consent_given_by="the patient",
                    consent_given_on=start,
                    consent_recorded_how=ConsentRecorded.VERBAL,
                    consent_recorded_by=author,
                    role_in_plan=role,
                    contact=f"{name.lower()}@example.org",
                ),
                user=author,
            )
        part_update(
            instance=plan, data={"status": CarePlan.Status.ACTIVE}, expected_version=plan.version, user=author
        )
    return CarePlan.objects.count()


# --- activation ---

# Behavioural activation for a few North MSK patients: (activity, kind, why it matters, weekdays).
DEMO_ACTIVITIES: list[list[tuple[str, str, str, list[int]]]] = [
    [
        ("Coffee with my sister", "enjoyable", "We laugh; I forget the pain for a while", [5]),
        ("Ten minutes in the garden", "valued", "It is where I relax", []),
    ],
    [
        ("Choir practice", "enjoyable", "Singing with friends lifts my mood", [2]),
        ("Read to my grandson", "valued", "Being part of his day", [0, 3]),
    ],
    [("Walk the dog round the park", "valued", "He relies on me", [])],
]
# (barrier, the plan agreed, weeks ago noted, the outcome reviewed at the last conference or None)
DEMO_BARRIERS: list[list[tuple[str, str, int, str | None]]] = [
    [
        ("Too tired after work to exercise", "Do the exercises before breakfast instead", 3, None),
        ("Pain the morning after gardening", "Split gardening into two short spells", 5, "worked"),
    ],
    [("Choir clashes with the physio session", "Move the session to Tuesday mornings", 1, None)],
    [("Rain keeps me in", "An indoor route round the shopping centre", 6, "partly")],
]


def demo_activation_parts(plan: CarePlan, calendar: DemoCalendar, number: int) -> list[Activity]:
    """The ``number``-th demo patient's activities and barrier log, through the services: one barrier
    pending long enough (over BARRIER_REVIEW_AFTER_DAYS before the next conference) to be on its agenda,
    others reviewed at the last conference (one as worked). Returns the plan's activities."""
    author = plan.patient.primary_clinician
    goal = plan.goals.order_by("position").first()
    activities = [
        part_create(
            instance=Activity(plan=plan, goal=goal, name=name, kind=kind, why=why, days=days), user=author
        )
        for name, kind, why, days in DEMO_ACTIVITIES[number % len(DEMO_ACTIVITIES)]
    ]
    last_conference = timezone.localdate(calendar.held[1])
    for barrier_text, agreed, weeks_ago, outcome in DEMO_BARRIERS[number % len(DEMO_BARRIERS)]:
        # Counted back from the next conference, so the agenda finds it whatever the day of seeding.
        barrier = part_create(
            instance=Barrier(
                plan=plan,
                barrier=barrier_text,
                plan_agreed=agreed,
                noted_on=calendar.next_day - timedelta(weeks=weeks_ago),
            ),
            user=author,
        )
        if outcome is not None:
            part_update(
                instance=barrier,
                data={
                    "outcome": outcome,
                    "reviewed_on": last_conference,
                    "review_note": "Talked through at the case conference.",
                },
                expected_version=barrier.version,
                user=author,
                reason=f"Reviewed at the case conference of {dates.day(last_conference)}",
            )
    return activities


# --- caregivers ---

# (name, relationship, contact, scopes, how consent was given, months it runs for (None: until withdrawn))
DEMO_CAREGIVERS: list[tuple[str, str, str, list[str], str, int | None]] = [
    (
        "Aisha Rahman",
        "friend",
        "aisha.rahman@example.org",
        [CaregiverScope.EDUCATION, CaregiverScope.DISTRESS_SIGNALS],
        ConsentRecorded.WRITTEN,
        6,
    ),
    ("Tom Price", "son", "+447400200101", [CaregiverScope.PROGRESS_REPORTS], ConsentRecorded.VERBAL, None),
    (
        "Grace Hall",
        "sister",
        "grace.hall@example.org",
        [CaregiverScope.PROGRESS_REPORTS, CaregiverScope.APPOINTMENT_REMINDERS],
        ConsentRecorded.VERBAL,
        None,
    ),
]


def demo_caregivers_plans() -> list[CarePlan]:
    """The North MSK plans the demo's consenting caregivers are on: the first active ones by MRN."""
    plans = CarePlan.objects.filter(status=CarePlan.Status.ACTIVE, patient__team__name="North MSK")
    return list(
        plans.select_related("patient__primary_clinician").order_by("patient__mrn")[: len(DEMO_CAREGIVERS)]
    )


def demo_caregivers_seed(calendar: DemoCalendar) -> list[Caregiver]:
    """A caregiver with a consent scope on each of a few North MSK plans: one for education and
    distress-signal guidance (in writing, for six months), one for progress reports only (verbally), one
    for reports and reminders whose consent ``checkins.demo`` then withdraws. Idempotent by name."""
    given_on = calendar.today - timedelta(weeks=3)
    caregivers = []
    for plan, (name, relationship, contact, scopes, how, months) in zip(
        demo_caregivers_plans(), DEMO_CAREGIVERS, strict=False
    ):
        existing = plan.caregivers.filter(name=name).first()
        if existing is not None:
            caregivers.append(existing)
            continue
        caregivers.append(
            part_create(
                instance=Caregiver(
                    plan=plan,
                    name=name,
                    relationship=relationship,
                    contact=contact,
                    consent_scopes=scopes,
                    consent_given_by="the patient",
                    consent_given_on=given_on,
                    consent_recorded_how=how,
                    consent_until=given_on + timedelta(days=30 * months) if months else None,
                ),
                user=plan.patient.primary_clinician,
            )
        )
    return caregivers


# --- preferences ---

# How three North MSK patients want to be cared for: one with limited health literacy, one preferring
# video or phone within a contact window, one needing an interpreter.
DEMO_PREFERENCES: list[dict[str, Any]] = [
    {
        "modalities": [Modality.IN_PERSON, Modality.GROUP],
        "pacing": CarePreferences.Pacing.LITTLE,
        "progression": CarePreferences.Progression.SLOW,
        "forms_confidence": CarePreferences.FormsConfidence.A_LITTLE,
        "language": "English",
        "what_matters": "Walking to the shops on my own",
    },
    {
        "modalities": [Modality.VIDEO, Modality.PHONE],
        "pacing": CarePreferences.Pacing.MODERATE,
        "progression": CarePreferences.Progression.STEADY,
        "forms_confidence": CarePreferences.FormsConfidence.EXTREMELY,
        "language": "English",
        "contact_days": [0, 2, 3],
        "contact_from": time(10, 0),
        "contact_until": time(16, 0),
        "what_matters": "Keeping my job while I get better",
    },
    {
        "modalities": [Modality.IN_PERSON],
        "pacing": CarePreferences.Pacing.MODERATE,
        "forms_confidence": CarePreferences.FormsConfidence.SOMEWHAT,
        "interpreter_needed": True,
        "language": "Polish",
        "cultural_considerations": "Prefers a female clinician for hands-on treatment; no sessions on Sunday",
        "contact_days": [0, 1, 2, 3, 4, 5],
        "what_matters": "Cooking for my family again",
    },
]


def north_plans_with_links() -> QuerySet[CarePlan]:
    """North MSK's active plans whose patients have a check-in schedule (so a link to read, tick or be
    reminded by), in MRN order: the patients the demo of care shaped by the person picks from."""
    return (
        CarePlan.objects.filter(
            status=CarePlan.Status.ACTIVE,
            patient__team__name="North MSK",
            patient__checkin_schedule__isnull=False,
        )
        .select_related("patient", "patient__primary_clinician")
        .order_by("patient__mrn")
    )


def demo_preferences_seed(calendar: DemoCalendar) -> int:
    """Care preferences for a few North MSK patients with an active plan and a check-in schedule (so
    reminders show the contact window), recorded by their primary clinician through the service; the
    plan work of the one preferring video or phone follows the preferences where it is offered that way
    (the rest is flagged on the plan). Idempotent: a patient with preferences is left alone."""
    plans = north_plans_with_links()
    recorded = 0
    for plan, data in zip(plans, DEMO_PREFERENCES, strict=False):
        patient, clinician = plan.patient, plan.patient.primary_clinician
        if CarePreferences.objects.filter(patient=patient).exists():
            continue
        preferences = preferences_save(patient=patient, user=clinician, data=data, expected_version=0)
        recorded += 1
        for responsibility in plan.responsibilities.all():
            modality = modality_for(responsibility.intervention, preferences).modality
            if modality and modality != responsibility.modality:
                part_update(
                    instance=responsibility,
                    data={"modality": modality},
                    expected_version=responsibility.version,
                    user=clinician,
                )
    return recorded


# --- directory and referrals ---

# A few community resources (fictional names, contacts in the ranges Ofcom keeps for drama), the last one
# not checked for over a year so the directory and the audits page ask to verify it again.
DEMO_RESOURCES: list[dict[str, Any]] = [
    {
        "name": "Living Well with Pain — North Leeds peer group",
        "category": ResourceCategory.PEER_SUPPORT,
        "description": "A friendly monthly group run by people living with persistent pain: sharing what "
        "helps, pacing, flare-up plans, and a cup of tea.",
        "area": "North Leeds",
        "eligibility": "Adults living with pain for three months or more.",
        "languages": ["English", "Polish"],
        "cost": ResourceCost.FREE,
        "referral_method": ReferralMethod.SELF,
        "referral_details": "Patients may ring the organiser, or we send a short email with their consent.",
        "phone": "0113 496 0101",
        "email": "hello@livingwellwithpain.example",
        "verified_days_ago": 40,
    },
    {
        "name": "Moving Together community exercise class",
        "category": ResourceCategory.COMMUNITY_EXERCISE,
        "description": "Gentle graded exercise classes in the community centre, led by an instructor "
        "trained in working with long-term conditions.",
        "area": "North Leeds",
        "eligibility": "Adults who can walk independently (a stick is fine).",
        "languages": ["English"],
        "cost": ResourceCost.LOW,
        "cost_note": "£3 a class; free with a concession card",
        "referral_method": ReferralMethod.FORM,
        "address": "Meanwood Community Centre, Leeds",
        "phone": "0113 496 0102",
        "verified_days_ago": 90,
    },
    {
        "name": "Leeds Talking Therapies (demo)",
        "category": ResourceCategory.MENTAL_HEALTH,
        "description": "NHS talking therapies for anxiety and depression: guided self-help, CBT and "
        "counselling, including for people living with long-term conditions.",
        "area": "City-wide",
        "eligibility": "Registered with a Leeds GP, aged 16 or over.",
        "languages": ["English", "Polish", "Urdu"],
        "cost": ResourceCost.FREE,
        "referral_method": ReferralMethod.SELF,
        "website": "https://talkingtherapies.example",
        "phone": "0113 496 0103",
        "verified_days_ago": 20,
    },
    {
        "name": "Back to Work Leeds",
        "category": ResourceCategory.WORKPLACE,
        "description": "Return-to-work advice and a case worker who agrees workplace adjustments with "
        "the employer.",
        "area": "City-wide",
        "eligibility": "In work or off sick from a job; any employer.",
        "languages": ["English"],
        "cost": ResourceCost.FREE,
        "referral_method": ReferralMethod.EMAIL,
        "email": "referrals@backtowork.example",
        "verified_days_ago": 60,
    },
    {
        "name": "Citizens Money Advice North (demo)",
        "category": ResourceCategory.FINANCIAL_ADVICE,
        "description": "Free, confidential advice on benefits, sick pay and debt.",
        "area": "North Leeds",
        "eligibility": "Anyone living in Leeds.",
        "languages": ["English", "Urdu"],
        "cost": ResourceCost.FREE,
        "referral_method": ReferralMethod.PHONE,
        "phone": "0113 496 0105",
        "verified_days_ago": 120,
    },
    {
        "name": "Chapel Allerton Befriending Scheme",
        "category": ResourceCategory.SOCIAL_SUPPORT,
        "description": "Volunteers who visit or call people who feel isolated.",
        "area": "North Leeds",
        "eligibility": "Adults living alone in LS7.",
        "languages": ["English"],
        "cost": ResourceCost.FREE,
        "referral_method": ReferralMethod.PHONE,
        "phone": "0113 496 0106",
        "verified_days_ago": 420,
    },
]


def demo_directory_seed(calendar: DemoCalendar) -> int:
    """The community resource directory, entered by North MSK's lead, and referrals on three North MSK
    plans: a peer support group that accepted, one whose follow-up is overdue (on the next conference's
    agenda and its owner's tasks), and a workplace referral with accommodations agreed and a review date.
    Written through the services; idempotent (a resource or a plan's referral to it already there is
    left alone). Returns the number of referrals."""
    lead = (
        Membership.objects.filter(team__name="North MSK", role=Membership.Role.LEAD)
        .select_related("user")
        .order_by("user__username")
        .first()
    )
    if lead is None:
        return 0
    today = calendar.today
    resources: dict[str, CommunityResource] = {}
    for row in DEMO_RESOURCES:
        data = dict(row)
        verified = today - timedelta(days=data.pop("verified_days_ago"))
        existing = CommunityResource.objects.filter(name=data["name"]).first()
        resources[data["name"]] = existing or resource_save(
            resource=CommunityResource(last_verified_on=verified, verified_by=lead.user, **data),
            user=lead.user,
        )
    peers, talking, work = (
        resources[DEMO_RESOURCES[0]["name"]],
        resources[DEMO_RESOURCES[2]["name"]],
        resources[DEMO_RESOURCES[3]["name"]],
    )
    plans = list(
        CarePlan.objects.filter(status=CarePlan.Status.ACTIVE, patient__team__name="North MSK")
        .select_related("patient__primary_clinician")
        .order_by("patient__mrn")[:3]
    )
    made = 0
    steps = [
        # (resource, sent weeks ago, reason, what happened next)
        (
            peers,
            4,
            "Feels alone with the pain since stopping work; wants to meet others who manage it.",
            "accepted",
        ),
        (talking, 3, "Low mood and worry (PHQ-9 and GAD-7 moderate); would like talking therapy.", "overdue"),
        (work, 5, "Off work with back pain; wants a phased return with adjustments agreed.", "workplace"),
    ]
    for plan, (resource, weeks, reason, story) in zip(plans, steps, strict=False):
        if plan.referrals.filter(resource=resource).exists():
            continue
        clinician = plan.patient.primary_clinician
        sent_on = today - timedelta(weeks=weeks)
        referral = part_create(
            instance=Referral(
                plan=plan,
                resource=resource,
                category=resource.category,
                reason=reason,
                consent_given_on=sent_on,
                consent_recorded_how=ConsentRecorded.VERBAL,
                consent_given_by=ConsentGivenBy.PATIENT,
                sent_on=sent_on,
                # The overdue one: its follow-up passed a week ago, before the next conference.
                follow_up_due=today - timedelta(days=7)
                if story == "overdue"
                else sent_on + timedelta(days=14),
                owner=clinician,
            ),
            user=clinician,
        )
        made += 1
        if story == "accepted":
            part_update(
                instance=referral,
                data={
                    "status": Referral.Status.ACCEPTED,
                    "follow_up_due": today + timedelta(days=28),
                    "outcome_note": "The organiser called: first group on the second Tuesday.",
                },
                expected_version=referral.version,
                user=clinician,
            )
        elif story == "workplace":
            part_update(
                instance=referral,
                data={
                    "status": Referral.Status.ACCEPTED,
                    "follow_up_due": today + timedelta(days=21),
                    "accommodations": [Accommodation.REDUCED_HOURS, Accommodation.ERGONOMIC],
                    "accommodations_other": "A sit-stand desk; breaks every hour",
                    "accommodation_review_on": calendar.next_day + timedelta(weeks=4),
                },
                expected_version=referral.version,
                user=clinician,
            )
    return made


# Why the physio keeps work she is still learning (the competence gate in warn mode, as North MSK uses it).
KEPT_REASON = (
    "The patient trusts Priya and asked to keep her; she brings each session to supervision with Tom."
)


def demo_competence_kept_seed(calendar: DemoCalendar) -> int:
    """One North MSK plan where the physiotherapist keeps motivational interviewing, which she practises
    under supervision that fell short last month (``training.demo``), with the reason her colleagues gave:
    the plan shows "kept without …" and the audits page lists it. Idempotent. Returns 1 when it wrote."""
    physio = (
        Membership.objects.filter(team__name="North MSK", user__username="physio")
        .select_related("user")
        .first()
    )
    plan = (
        CarePlan.objects.filter(status=CarePlan.Status.ACTIVE, patient__team__name="North MSK")
        .order_by("patient__mrn")
        .last()
    )
    if physio is None or plan is None:
        return 0
    if plan.responsibilities.filter(competence_override_reason=KEPT_REASON).exists():
        return 0
    part_create(
        instance=Responsibility(
            plan=plan,
            intervention=InterventionCode.MOTIVATIONAL_INTERVIEWING,
            details="Talking through what she wants from going back to work",
            owner=physio.user,
            discipline=Discipline.PHYSIOTHERAPIST,
            frequency="10 minutes in each session",
            starts_on=calendar.today,
            status=Responsibility.Status.ACTIVE,
            competence_override_reason=KEPT_REASON,
        ),
        user=physio.user,
    )
    return 1
