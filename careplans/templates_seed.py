"""The three plan templates every clinic starts with; clinic admins edit them afterwards."""

from typing import Any

from .catalogue import InterventionCode as I  # noqa: N817

STANDARD_TEMPLATES = [
    {
        "name": "Low risk: education and self-management",
        "stratum": "low",
        "description": "Reassurance, education about pain and a home programme the patient runs themselves.",
        "interventions": [I.PAIN_EDUCATION, I.SELF_MANAGEMENT, I.EXERCISE_THERAPY],
        "summary_psychological": "Low psychosocial risk: reassure, explain pain, encourage activity.",
    },
    {
        "name": "Medium risk: graded exposure and pain education",
        "stratum": "medium",
        "description": "Physiotherapy-led care with graded exposure to feared movements and pain education.",
        "interventions": [I.PAIN_EDUCATION, I.GRADED_EXPOSURE, I.EXERCISE_THERAPY, I.ACTIVITY_PACING],
        "summary_psychological": "Some fear of movement or worry: graded exposure and education.",
    },
    {
        "name": "High risk: psychologically informed care",
        "stratum": "high",
        "description": (
            "Psychologist involved from the start, psychologically informed physiotherapy, "
            "and work on mood, catastrophizing and pacing."
        ),
        "interventions": [
            I.PSYCHOLOGICALLY_INFORMED_PHYSIO,
            I.CBT_REFRAMING,
            I.GRADED_EXPOSURE,
            I.MOTIVATIONAL_INTERVIEWING,
            I.ACTIVITY_PACING,
        ],
        "summary_psychological": (
            "High psychosocial risk: distress, catastrophizing or fear of movement drive the picture; "
            "the psychologist joins the plan from the start."
        ),
    },
]


def templates_ensure(template_model: Any) -> int:
    """Create the standard templates that are missing (by name); leaves edited ones alone.

    Takes the model class so that the data migration can pass its historical model.
    """
    created = 0
    for template in STANDARD_TEMPLATES:
        _, new = template_model.objects.get_or_create(
            name=template["name"], defaults={k: v for k, v in template.items() if k != "name"}
        )
        created += new
    return created
