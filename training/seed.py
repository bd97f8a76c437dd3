"""The competencies a clinic starts with (issue 22). Clinic admins add, rename and retire them in the admin;
the codes are what the intervention catalogue names, so a code is never reused for something else."""

COMPETENCIES: list[tuple[str, str, str]] = [
    (
        "motivational-interviewing",
        "Motivational interviewing",
        "Eliciting the patient's own reasons for change; OARS, change talk, rolling with resistance.",
    ),
    (
        "cbt-informed-practice",
        "CBT-informed practice",
        "Cognitive-behavioural principles within physiotherapy: thoughts, behaviours, reframing, homework.",
    ),
    (
        "pain-neuroscience-education",
        "Pain neuroscience education",
        "Explaining pain biology so that pain is understood as protection, not damage.",
    ),
    (
        "graded-exposure",
        "Graded exposure",
        "A fear hierarchy and in-vivo exposure to feared movements and activities.",
    ),
    (
        "acceptance-commitment-therapy",
        "Acceptance and commitment therapy (ACT)",
        "Acceptance, defusion and values-based action for persistent pain.",
    ),
    (
        "psychologically-informed-physiotherapy",
        "Psychologically informed physiotherapy",
        "Physiotherapy that screens for and addresses psychosocial factors (e.g. the STarT Back approach).",
    ),
    (
        "suicide-risk-assessment",
        "Suicide-risk assessment",
        "Asking about suicidal thoughts, assessing risk and acting on it with a safety plan.",
    ),
    (
        "behavioural-activation",
        "Behavioural activation",
        "Scheduling valued and pleasant activities to lift low mood.",
    ),
    (
        "sleep-intervention-cbt-i",
        "Sleep intervention (CBT-I)",
        "Cognitive-behavioural therapy for insomnia: sleep restriction, stimulus control, sleep hygiene.",
    ),
    (
        "workplace-return-to-work",
        "Workplace and return-to-work support",
        "Work-focused conversations, fit notes, liaison with employers and graded return to work.",
    ),
]


def competencies_ensure(competency_model) -> int:
    """Create the seeded competencies that are missing (by code); leave edited ones as the clinic left them.
    Takes the model so a migration can pass its historical one. Returns how many it created."""
    created = 0
    for position, (code, name, description) in enumerate(COMPETENCIES):
        _, made = competency_model.objects.get_or_create(
            code=code, defaults={"name": name, "description": description, "position": position}
        )
        created += made
    return created
