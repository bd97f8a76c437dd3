"""The interventions a plan's responsibilities are picked from, with the discipline that usually owns each.

Data, not code: templates name interventions by code, and the plan page groups them by kind.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models

from teams.models import Discipline


class Kind(models.TextChoices):
    PSYCHOLOGICAL = "psychological", "Psychological"
    PHYSICAL = "physical", "Physical"
    OCCUPATIONAL = "occupational", "Occupational"
    MEDICAL = "medical", "Medical"


class InterventionCode(models.TextChoices):
    PAIN_EDUCATION = "pain_education", "Pain education"
    CBT_REFRAMING = "cbt_reframing", "CBT-informed reframing"
    CBT_PAIN_COPING = "cbt_pain_coping", "CBT-informed pain coping"
    GRADED_EXPOSURE = "graded_exposure", "Graded exposure"
    BEHAVIOURAL_ACTIVATION = "behavioural_activation", "Behavioural activation"
    MOTIVATIONAL_INTERVIEWING = "motivational_interviewing", "Motivational interviewing"
    RELAXATION = "relaxation", "Relaxation and paced breathing"
    MINDFULNESS = "mindfulness", "Mindfulness"
    PROBLEM_SOLVING = "problem_solving", "Problem solving"
    # The code stays (plans and templates name it); the label says what a rule on ISI proposes.
    SLEEP_STRATEGIES = "sleep_strategies", "Sleep intervention (CBT-I based)"
    EXERCISE_THERAPY = "exercise_therapy", "Exercise therapy"
    MANUAL_THERAPY = "manual_therapy", "Manual therapy"
    PSYCHOLOGICALLY_INFORMED_PHYSIO = (
        "psychologically_informed_physio",
        "Psychologically informed physiotherapy",
    )
    WORKPLACE_ACCOMMODATION = "workplace_accommodation", "Workplace accommodation"
    ACTIVITY_PACING = "activity_pacing", "Activity pacing"
    SELF_MANAGEMENT = "self_management", "Self-management support"
    MEDICAL_REVIEW = "medical_review", "Medical review"
    MENTAL_HEALTH_REFERRAL = "mental_health_referral", "Referral to mental-health services"


# How an intervention can reach the patient, as ``careplans.models.Modality`` values (the models import
# this module): the first is how it is usually delivered, proposed when no preference fits.
IN_PERSON, VIDEO, PHONE, GROUP, SELF_GUIDED = "in_person", "video", "phone", "group", "self_guided"
TALKING = (IN_PERSON, VIDEO, PHONE)


@dataclass(frozen=True)
class Intervention:
    code: str
    kind: str
    discipline: str
    modalities: tuple[str, ...] = TALKING
    # What it is in everyday words, for the plain-language printed plan ("Learning how pain works").
    plain: str = ""
    # The competencies (``training.Competency`` codes, seeded by ``training.seed``) its owner needs; an
    # owner without them is warned or refused (``training.gate``). Empty: the discipline is enough.
    competencies: tuple[str, ...] = ()


CATALOGUE: dict[str, Intervention] = {
    intervention.code: intervention
    for intervention in (
        Intervention(
            InterventionCode.PAIN_EDUCATION,
            Kind.PSYCHOLOGICAL,
            Discipline.PHYSIOTHERAPIST,
            (IN_PERSON, VIDEO, PHONE, GROUP, SELF_GUIDED),
            "Learning how pain works",
            competencies=("pain-neuroscience-education",),
        ),
        Intervention(
            InterventionCode.CBT_REFRAMING,
            Kind.PSYCHOLOGICAL,
            Discipline.PSYCHOLOGIST,
            (IN_PERSON, VIDEO, PHONE, GROUP),
            "Finding kinder ways to think about pain",
            competencies=("cbt-informed-practice",),
        ),
        Intervention(
            InterventionCode.CBT_PAIN_COPING,
            Kind.PSYCHOLOGICAL,
            Discipline.PSYCHOLOGIST,
            (IN_PERSON, VIDEO, PHONE, GROUP, SELF_GUIDED),
            "Learning ways to cope with pain",
            competencies=("cbt-informed-practice",),
        ),
        Intervention(
            InterventionCode.GRADED_EXPOSURE,
            Kind.PSYCHOLOGICAL,
            Discipline.PSYCHOLOGIST,
            (IN_PERSON, VIDEO),
            "Doing feared movements again, step by step",
            competencies=("graded-exposure",),
        ),
        Intervention(
            InterventionCode.BEHAVIOURAL_ACTIVATION,
            Kind.PSYCHOLOGICAL,
            Discipline.PSYCHOLOGIST,
            (IN_PERSON, VIDEO, PHONE, GROUP),
            "Planning things you enjoy or care about",
            competencies=("behavioural-activation",),
        ),
        Intervention(
            InterventionCode.MOTIVATIONAL_INTERVIEWING,
            Kind.PSYCHOLOGICAL,
            Discipline.PSYCHOLOGIST,
            TALKING,
            "Talking about what you want to change",
            competencies=("motivational-interviewing",),
        ),
        Intervention(
            InterventionCode.RELAXATION,
            Kind.PSYCHOLOGICAL,
            Discipline.PSYCHOLOGIST,
            (IN_PERSON, VIDEO, GROUP, SELF_GUIDED),
            "Learning to relax and breathe slowly",
        ),
        Intervention(
            InterventionCode.MINDFULNESS,
            Kind.PSYCHOLOGICAL,
            Discipline.PSYCHOLOGIST,
            (IN_PERSON, VIDEO, GROUP, SELF_GUIDED),
            "Learning to notice the moment, calmly",
        ),
        Intervention(
            InterventionCode.PROBLEM_SOLVING,
            Kind.PSYCHOLOGICAL,
            Discipline.PSYCHOLOGIST,
            TALKING,
            "Working out problems one step at a time",
            competencies=("cbt-informed-practice",),
        ),
        Intervention(
            InterventionCode.SLEEP_STRATEGIES,
            Kind.PSYCHOLOGICAL,
            Discipline.PSYCHOLOGIST,
            (IN_PERSON, VIDEO, PHONE, GROUP, SELF_GUIDED),
            "Help to sleep better",
            competencies=("sleep-intervention-cbt-i",),
        ),
        Intervention(
            InterventionCode.EXERCISE_THERAPY,
            Kind.PHYSICAL,
            Discipline.PHYSIOTHERAPIST,
            (IN_PERSON, VIDEO, GROUP),
            "Exercises to get stronger and move more",
        ),
        Intervention(
            InterventionCode.MANUAL_THERAPY,
            Kind.PHYSICAL,
            Discipline.PHYSIOTHERAPIST,
            (IN_PERSON,),
            "Hands-on treatment",
        ),
        Intervention(
            InterventionCode.PSYCHOLOGICALLY_INFORMED_PHYSIO,
            Kind.PHYSICAL,
            Discipline.PHYSIOTHERAPIST,
            (IN_PERSON, VIDEO),
            "Physiotherapy that helps with worry about pain",
            competencies=("psychologically-informed-physiotherapy",),
        ),
        Intervention(
            InterventionCode.WORKPLACE_ACCOMMODATION,
            Kind.OCCUPATIONAL,
            Discipline.OCCUPATIONAL_THERAPIST,
            TALKING,
            "Changes at work to help you",
            competencies=("workplace-return-to-work",),
        ),
        Intervention(
            InterventionCode.ACTIVITY_PACING,
            Kind.OCCUPATIONAL,
            Discipline.OCCUPATIONAL_THERAPIST,
            (IN_PERSON, VIDEO, PHONE, GROUP),
            "Doing things in small steps, with rests",
        ),
        Intervention(
            InterventionCode.SELF_MANAGEMENT,
            Kind.PHYSICAL,
            Discipline.PHYSIOTHERAPIST,
            (IN_PERSON, VIDEO, PHONE, GROUP, SELF_GUIDED),
            "Help to manage your pain yourself",
        ),
        Intervention(
            InterventionCode.MEDICAL_REVIEW,
            Kind.MEDICAL,
            Discipline.PHYSICIAN,
            TALKING,
            "A check-up with a doctor",
        ),
        Intervention(
            InterventionCode.MENTAL_HEALTH_REFERRAL,
            Kind.PSYCHOLOGICAL,
            Discipline.PSYCHOLOGIST,
            TALKING,
            "Help from a mental-health service",
        ),
    )
}


def competencies_for(codes: Iterable[str]) -> list[str]:
    """The competency codes the interventions ``codes`` need together, each once, in catalogue order of
    the interventions given (``training.gate`` checks an owner against them). Unknown codes need none."""
    needs: list[str] = []
    for code in codes:
        intervention = CATALOGUE.get(code)
        for competency in intervention.competencies if intervention else ():
            if competency not in needs:
                needs.append(competency)
    return needs
