"""The interventions a plan's responsibilities are picked from, with the discipline that usually owns each.

Data, not code: templates name interventions by code, and the plan page groups them by kind.
"""

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


@dataclass(frozen=True)
class Intervention:
    code: str
    kind: str
    discipline: str


CATALOGUE: dict[str, Intervention] = {
    intervention.code: intervention
    for intervention in (
        Intervention(InterventionCode.PAIN_EDUCATION, Kind.PSYCHOLOGICAL, Discipline.PHYSIOTHERAPIST),
        Intervention(InterventionCode.CBT_REFRAMING, Kind.PSYCHOLOGICAL, Discipline.PSYCHOLOGIST),
        Intervention(InterventionCode.CBT_PAIN_COPING, Kind.PSYCHOLOGICAL, Discipline.PSYCHOLOGIST),
        Intervention(InterventionCode.GRADED_EXPOSURE, Kind.PSYCHOLOGICAL, Discipline.PSYCHOLOGIST),
        Intervention(InterventionCode.BEHAVIOURAL_ACTIVATION, Kind.PSYCHOLOGICAL, Discipline.PSYCHOLOGIST),
        Intervention(InterventionCode.MOTIVATIONAL_INTERVIEWING, Kind.PSYCHOLOGICAL, Discipline.PSYCHOLOGIST),
        Intervention(InterventionCode.RELAXATION, Kind.PSYCHOLOGICAL, Discipline.PSYCHOLOGIST),
        Intervention(InterventionCode.MINDFULNESS, Kind.PSYCHOLOGICAL, Discipline.PSYCHOLOGIST),
        Intervention(InterventionCode.PROBLEM_SOLVING, Kind.PSYCHOLOGICAL, Discipline.PSYCHOLOGIST),
        Intervention(InterventionCode.SLEEP_STRATEGIES, Kind.PSYCHOLOGICAL, Discipline.PSYCHOLOGIST),
        Intervention(InterventionCode.EXERCISE_THERAPY, Kind.PHYSICAL, Discipline.PHYSIOTHERAPIST),
        Intervention(InterventionCode.MANUAL_THERAPY, Kind.PHYSICAL, Discipline.PHYSIOTHERAPIST),
        Intervention(
            InterventionCode.PSYCHOLOGICALLY_INFORMED_PHYSIO, Kind.PHYSICAL, Discipline.PHYSIOTHERAPIST
        ),
        Intervention(
            InterventionCode.WORKPLACE_ACCOMMODATION, Kind.OCCUPATIONAL, Discipline.OCCUPATIONAL_THERAPIST
        ),
        Intervention(InterventionCode.ACTIVITY_PACING, Kind.OCCUPATIONAL, Discipline.OCCUPATIONAL_THERAPIST),
        Intervention(InterventionCode.SELF_MANAGEMENT, Kind.PHYSICAL, Discipline.PHYSIOTHERAPIST),
        Intervention(InterventionCode.MEDICAL_REVIEW, Kind.MEDICAL, Discipline.PHYSICIAN),
        Intervention(InterventionCode.MENTAL_HEALTH_REFERRAL, Kind.PSYCHOLOGICAL, Discipline.PSYCHOLOGIST),
    )
}
